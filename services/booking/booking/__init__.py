"""Teachers request seats for their groups."""
