"""The pages for teachers, organizers and culture offices, in sv, fi and en."""
