"""The operator's run sheet: what goes out, when, and once per change of the day's plan."""

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from kulturbro_contracts import BookingCancelled, BusRunSheetIssued
from kulturbro_contracts.booking import BookingCancellation
from kulturbro_contracts.transport import RunSheetStopKind
from transport.handlers import cancel_booking, replan
from transport.records import RuleSettings, School
from transport.run_sheets import NO_OPERATOR, issue_run_sheet, run_sheet_state

from .builders import HERRGARDEN, ROSENGARD, TUESDAY, local
from .fake_work import FakeWork
from .test_handlers import EVENT, NOW, TOWN, a_town, an_occurrence, booked

OPERATOR = "trafik@buss.example"
MONDAY_EVENING = local(TUESDAY, 18) - timedelta(days=1)  # the default sending time


def with_operator(**rules: object) -> FakeWork:
    return a_town(operator_email=OPERATOR, **rules)


def sheets(work: FakeWork) -> list[BusRunSheetIssued]:
    found = [e for e in work.published if isinstance(e, BusRunSheetIssued)]
    work.published.clear()
    return found


async def cancel(work: FakeWork, booking_id: UUID) -> None:
    cancellation = BookingCancellation(booking_id=booking_id, event_id=EVENT, cancelled_by=uuid4())
    await cancel_booking(BookingCancelled(municipality_id=TOWN, payload=cancellation), work)


async def test_the_sheet_goes_out_at_the_set_time_the_evening_before_and_only_once() -> None:
    work = with_operator()
    await booked(work, an_occurrence(work))
    work.published.clear()

    before = MONDAY_EVENING - timedelta(minutes=1)
    assert not await issue_run_sheet(work, TOWN, TUESDAY.date, now=before)
    assert await issue_run_sheet(work, TOWN, TUESDAY.date, now=MONDAY_EVENING)
    [issued] = sheets(work)
    assert issued.payload.revision == 1 and issued.payload.operator_email == OPERATOR
    assert issued.key() == f"{TOWN}:{TUESDAY.date}"
    for later in (MONDAY_EVENING + timedelta(minutes=5), local(TUESDAY, 9)):
        assert not await issue_run_sheet(work, TOWN, TUESDAY.date, now=later)
    assert sheets(work) == []


async def test_the_sheet_has_every_stop_in_order_with_school_address_and_travellers() -> None:
    work = with_operator()
    occurrence_id = an_occurrence(work)
    first = await booked(work, occurrence_id, ROSENGARD, pupils=22)
    await booked(work, occurrence_id, HERRGARDEN, pupils=20)
    unit_id = work.bookings.rows[first].unit_id
    work.directory.schools[unit_id] = School("Rosengårdsskolan", "Amiralsgatan 1", ROSENGARD)
    await replan(work, TOWN, TUESDAY.date, now=NOW)
    work.published.clear()

    await issue_run_sheet(work, TOWN, TUESDAY.date, now=MONDAY_EVENING)
    [issued] = sheets(work)
    stops = [stop for bus in issued.payload.buses for stop in bus.stops]
    assert len(stops) == 8  # two classes, there and back
    for bus in issued.payload.buses:
        assert [s.at for s in bus.stops] == sorted(s.at for s in bus.stops)
    [pickup] = [s for s in stops if s.place == "Rosengårdsskolan" and s.at < local(TUESDAY, 10)]
    assert pickup.kind is RunSheetStopKind.PICK_UP
    assert pickup.address == "Amiralsgatan 1" and pickup.travellers == 24
    assert pickup.teacher_phone is None  # the directory does not know teachers' phones


async def test_a_changed_day_goes_out_again_as_the_next_revision() -> None:
    work = with_operator()
    occurrence_id = an_occurrence(work)
    await booked(work, occurrence_id, ROSENGARD)
    leaving = await booked(work, occurrence_id, HERRGARDEN)
    await issue_run_sheet(work, TOWN, TUESDAY.date, now=MONDAY_EVENING)
    [first] = sheets(work)

    await cancel(work, leaving)
    work.published.clear()
    later = MONDAY_EVENING + timedelta(hours=2)
    assert await issue_run_sheet(work, TOWN, TUESDAY.date, now=later)
    [second] = sheets(work)
    assert second.payload.revision == 2
    count = sum(len(bus.stops) for bus in second.payload.buses)
    assert count == sum(len(bus.stops) for bus in first.payload.buses) - 4
    assert not await issue_run_sheet(work, TOWN, TUESDAY.date, now=later + timedelta(hours=1))


async def test_nothing_goes_out_without_an_operator_and_the_office_sees_why() -> None:
    work = a_town()
    await booked(work, an_occurrence(work))
    work.published.clear()
    assert not await issue_run_sheet(work, TOWN, TUESDAY.date, now=MONDAY_EVENING)
    state = await run_sheet_state(work, TOWN, TUESDAY.date)
    assert state.not_sent_because == NO_OPERATOR and state.revision is None
    assert state.sends_at == MONDAY_EVENING


async def test_a_day_without_buses_sends_nothing_and_a_day_gone_by_nothing_more() -> None:
    work = with_operator(run_sheet_at="07:00", run_sheet_days_before=2)
    booking_id = await booked(work, an_occurrence(work))
    await cancel(work, booking_id)
    work.published.clear()
    sunday_morning = local(TUESDAY, 7) - timedelta(days=2)
    assert not await issue_run_sheet(work, TOWN, TUESDAY.date, now=sunday_morning)

    await booked(work, an_occurrence(work))
    work.published.clear()
    assert not await issue_run_sheet(
        work, TOWN, TUESDAY.date, now=local(TUESDAY, 0) + timedelta(days=1)
    )
    assert await issue_run_sheet(work, TOWN, TUESDAY.date, now=sunday_morning)
    state = await run_sheet_state(work, TOWN, TUESDAY.date)
    assert state.revision == 1 and state.issued_at == sunday_morning


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"run_sheet_at": "25:00"}, "run_sheet_at"),
        ({"run_sheet_at": "18:00Z"}, "run_sheet_at"),
        ({"run_sheet_days_before": 0}, "run_sheet_days_before"),
        ({"run_sheet_days_before": 366}, "run_sheet_days_before"),
    ],
)
def test_the_sending_time_is_a_local_time_some_days_before(rules: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        RuleSettings.model_validate(rules)
