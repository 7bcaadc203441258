"""The rule every retention job erases by."""

from datetime import UTC, datetime, timedelta

from kulturbro_runtime.retention import kept_since

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_a_record_is_kept_through_its_last_day_and_erased_the_second_after() -> None:
    since = kept_since(NOW, 90)
    sent_90_days_ago = NOW - timedelta(days=90)

    assert not sent_90_days_ago < since, "kept on its 90th day"
    assert sent_90_days_ago - timedelta(seconds=1) < since, "erased after it"
