"""How a long import tells how far it has come: to a progress bar, or to nobody."""

from typing import Protocol


class Progress(Protocol):
    def __call__(self, step: str, done: int, total: int | None = None) -> None: ...


def unobserved(step: str, done: int, total: int | None = None) -> None:
    """The progress of an import nobody watches, such as one asked for over HTTP."""
