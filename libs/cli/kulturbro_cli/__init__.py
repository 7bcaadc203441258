"""The `kulturbro` command."""
