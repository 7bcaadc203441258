"""The weekly digest sums up the municipality's last local week, sent on Monday at 07:00 there."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from notify.schedule import digest_week

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_the_digest_of_a_week_comes_due_on_monday_at_seven_local_time() -> None:
    before = datetime(2026, 11, 23, 6, 59, tzinfo=HELSINKI)  # Monday
    due = datetime(2026, 11, 23, 7, 0, tzinfo=HELSINKI)

    assert digest_week(before.astimezone(UTC), "Europe/Helsinki")[0] == "2026-W46"
    week, starts, ends = digest_week(due.astimezone(UTC), "Europe/Helsinki")
    assert week == "2026-W47"
    assert starts == datetime(2026, 11, 16, tzinfo=HELSINKI)
    assert ends == datetime(2026, 11, 23, tzinfo=HELSINKI)


def test_the_same_instant_is_another_week_in_another_time_zone() -> None:
    monday_6_30_in_helsinki = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # 05:30 in Stockholm

    assert digest_week(monday_6_30_in_helsinki, "Europe/Helsinki")[0] == "2026-W46"
    assert (
        digest_week(datetime(2026, 11, 23, 5, 30, tzinfo=UTC), "Europe/Helsinki")[0] == "2026-W47"
    )
    assert (
        digest_week(datetime(2026, 11, 23, 5, 30, tzinfo=UTC), "Europe/Stockholm")[0] == "2026-W46"
    )


def test_a_week_with_the_change_to_summer_time_still_starts_at_local_midnight() -> None:
    _, starts, ends = digest_week(datetime(2026, 4, 1, 12, tzinfo=UTC), "Europe/Stockholm")

    assert (starts.hour, ends.hour) == (0, 0)
    assert starts.utcoffset() != ends.utcoffset()  # 23 March +01:00, 30 March +02:00
