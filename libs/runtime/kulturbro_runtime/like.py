"""Words a reader typed into a search field, as ILIKE patterns: % and _ match only themselves."""

ESCAPE = "\\"


def containing(words: str) -> str:
    """A pattern for text that contains the words as typed, in any case."""
    escaped = words.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
