"""Who came, as an organizer ticks it: each group came with a count, did not come, or waits."""

from uuid import uuid4

from web.attendance_form import (
    Attended,
    came_field,
    form_of,
    pupils_field,
    read_attendance_form,
)
from web.platform import Participant


def group(**recorded: object) -> Participant:
    return Participant(
        booking_id=uuid4(),
        group_name="2B",
        pupils=24,
        adults=2,
        wheelchair_places=0,
        wants_bus=False,
        **recorded,
    )


def test_each_group_came_did_not_come_or_is_left_for_later() -> None:
    came, absent, later = group(), group(), group()
    fields = {
        came_field(came.booking_id): "yes",
        pupils_field(came.booking_id): "21",
        came_field(absent.booking_id): "no",
        pupils_field(absent.booking_id): "",
    }
    form = read_attendance_form(fields, [came, absent, later])
    assert form.problems == {}
    assert form.attended == [
        Attended(came.booking_id, True, 21),
        Attended(absent.booking_id, False, None),
    ]


def test_a_count_that_does_not_fit_is_said_beside_its_group() -> None:
    came, unsure = group(), group()
    fields = {
        came_field(came.booking_id): "yes",
        pupils_field(came.booking_id): "1001",
        pupils_field(unsure.booking_id): "5",
    }
    form = read_attendance_form(fields, [came, unsure])
    assert set(form.problems) == {pupils_field(came.booking_id), came_field(unsure.booking_id)}
    assert form.values[pupils_field(came.booking_id)] == "1001", "what was written is kept"


def test_the_form_holds_what_was_recorded_before() -> None:
    came, absent, later = group(came=True, pupils_present=20), group(came=False), group()
    assert form_of([came, absent, later]).values == {
        came_field(came.booking_id): "yes",
        pupils_field(came.booking_id): "20",
        came_field(absent.booking_id): "no",
        pupils_field(absent.booking_id): "",
    }
