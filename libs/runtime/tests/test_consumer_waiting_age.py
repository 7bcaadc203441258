"""The consumer says how long its oldest unconsumed message has waited, not only how many wait."""

from kulturbro_runtime.consumer import WaitingAge

BOOKING = ("kulturbro.booking.v1", 0)


def test_caught_up_nothing_waits() -> None:
    waiting = WaitingAge(now=1000.0)
    assert waiting.seconds(BOOKING, lag=0, now=1010.0) == 0.0


def test_while_behind_the_age_is_from_the_newest_message_consumed() -> None:
    waiting = WaitingAge(now=1000.0)
    waiting.consume(BOOKING, timestamp_ms=1_005_000)
    waiting.consume(BOOKING, timestamp_ms=1_004_000)  # an older one after: the newest counts
    assert waiting.seconds(BOOKING, lag=40, now=1070.0) == 65.0
    waiting.consume(BOOKING, timestamp_ms=1_060_000)
    assert waiting.seconds(BOOKING, lag=3, now=1071.0) == 11.0


def test_after_a_quiet_spell_a_new_message_is_as_old_as_the_last_time_it_was_caught_up() -> None:
    waiting = WaitingAge(now=0.0)
    waiting.consume(BOOKING, timestamp_ms=10_000)
    assert waiting.seconds(BOOKING, lag=0, now=3600.0) == 0.0
    # An hour with nothing to consume is not an hour behind.
    assert waiting.seconds(BOOKING, lag=1, now=3605.0) == 5.0


def test_behind_from_the_start_with_nothing_consumed_it_is_at_least_the_time_since() -> None:
    waiting = WaitingAge(now=1000.0)
    assert waiting.seconds(BOOKING, lag=7, now=1090.0) == 90.0
    other = ("kulturbro.catalog.v1", 2)
    waiting.consume(other, timestamp_ms=-1)  # a message without a time changes nothing
    assert waiting.seconds(other, lag=7, now=1090.0) == 90.0
