"""The public event page kept for a few seconds in the process: thousands of teachers open it in
the minute a popular event opens, and each would otherwise cost a query and its serialization.

The page depends on the event alone (no caller, no language: it carries every language), so
the event's id is the key. A change this process makes to the event itself (the organizer's or
the culture office's) drops its page. Seats the allocation gives out do not: in the minute a
popular event opens they change with every booking, and dropping the page for each would keep
nothing. So the page's free seats are as of up to SECONDS ago, as the endpoint says; as is a
change another process made, or one a reader read just before its commit.
"""

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID

SECONDS = 2.0
SIZE = 1_000  # events: a municipality's published events fit many times over


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str
    expires: float  # time.monotonic()

    def max_age(self, now: float) -> int:
        return max(0, int(self.expires - now))

    def matches(self, if_none_match: str | None) -> bool:
        """Whether the client's copy (If-None-Match) is this page; weak tags compare too."""
        if not if_none_match:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or self.etag in tags


class Pages:
    """At most `size` pages, each for `seconds`; the least recently used leaves first."""

    def __init__(self, seconds: float = SECONDS, size: int = SIZE) -> None:
        self.seconds, self.size = seconds, size
        self._pages: OrderedDict[UUID, Page] = OrderedDict()

    def get(self, event_id: UUID) -> Page | None:
        page = self._pages.get(event_id)
        if page is None:
            return None
        if page.expires <= time.monotonic():
            del self._pages[event_id]
            return None
        self._pages.move_to_end(event_id)
        return page

    def keep(self, event_id: UUID, body: bytes) -> Page:
        tag = hashlib.blake2b(body, digest_size=12).hexdigest()
        page = Page(body, f'"{tag}"', time.monotonic() + self.seconds)
        self._pages[event_id] = page
        self._pages.move_to_end(event_id)
        while len(self._pages) > self.size:
            self._pages.popitem(last=False)
        return page

    def drop(self, event_id: UUID) -> None:
        self._pages.pop(event_id, None)


PAGES = Pages()
