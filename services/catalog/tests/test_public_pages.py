"""The public page's short cache: how long a page is kept, how many, and which copies match."""

from uuid import uuid4

import pytest

from catalog import public_pages
from catalog.public_pages import Pages


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(public_pages.time, "monotonic", lambda: now[0])
    return now


def test_a_page_is_kept_for_its_seconds_and_then_read_again(clock: list[float]) -> None:
    pages, event = Pages(seconds=2, size=10), uuid4()
    kept = pages.keep(event, b'{"id": 1}')
    assert pages.get(event) == kept
    assert kept.max_age(clock[0]) == 2
    clock[0] += 1.5
    assert pages.get(event) == kept
    assert kept.max_age(clock[0]) == 0, "a client may keep it no longer than we do"
    clock[0] += 0.5
    assert pages.get(event) is None


def test_a_dropped_page_is_gone_and_the_least_recently_read_leaves_first(
    clock: list[float],
) -> None:
    pages = Pages(seconds=60, size=2)
    first, second, third = uuid4(), uuid4(), uuid4()
    pages.keep(first, b"1")
    pages.keep(second, b"2")
    pages.get(first)
    pages.keep(third, b"3")
    assert pages.get(second) is None
    assert pages.get(first) is not None and pages.get(third) is not None
    pages.drop(first)
    assert pages.get(first) is None


def test_the_etag_follows_the_content_and_matches_a_client_copy(clock: list[float]) -> None:
    pages = Pages()
    one, same, other = (pages.keep(uuid4(), body) for body in (b"a", b"a", b"b"))
    assert one.etag == same.etag != other.etag
    assert one.matches(one.etag)
    assert one.matches(f'"x", W/{one.etag}')
    assert one.matches("*")
    assert not one.matches(other.etag)
    assert not one.matches(None)
