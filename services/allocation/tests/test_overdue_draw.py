from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from allocation.draws import record_overdue

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _exported() -> float | None:
    return REGISTRY.get_sample_value("kulturbro_draw_overdue_seconds")


def test_the_oldest_closed_undrawn_window_tells_how_overdue_its_draw_is() -> None:
    closed = [NOW - timedelta(seconds=5), NOW - timedelta(minutes=3), NOW - timedelta(seconds=1)]
    assert record_overdue(closed, NOW) == 180.0
    assert _exported() == 180.0


def test_no_window_waiting_for_its_draw_is_zero() -> None:
    record_overdue([NOW - timedelta(hours=1)], NOW)
    assert record_overdue([], NOW) == 0.0
    assert _exported() == 0.0
