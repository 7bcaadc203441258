"""Tells exactly the right teachers, in their own language, by e-mail."""
