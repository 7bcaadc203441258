"""Who came to an occurrence, as its organizer ticks it on the participant list: each booked
group came (with how many pupils) or did not, or is left for later. Checked as the booking
service checks it, so a problem is read beside its group before anything is sent."""

from dataclasses import dataclass, field
from uuid import UUID

from kulturbro_contracts import limits
from web.platform import Participant
from web.words import N_


def came_field(booking_id: UUID) -> str:
    return f"came-{booking_id}"


def pupils_field(booking_id: UUID) -> str:
    return f"pupils-{booking_id}"


@dataclass(frozen=True)
class Attended:
    booking_id: UUID
    came: bool
    pupils_present: int | None


@dataclass
class AttendanceForm:
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    attended: list[Attended] = field(default_factory=list)


def form_of(groups: list[Participant]) -> AttendanceForm:
    """The form filled with what was recorded before."""
    values: dict[str, str] = {}
    for group in groups:
        if group.came is not None:
            values[came_field(group.booking_id)] = "yes" if group.came else "no"
            values[pupils_field(group.booking_id)] = str(group.pupils_present or "")
    return AttendanceForm(values)


def read_attendance_form(fields: dict[str, str], groups: list[Participant]) -> AttendanceForm:
    """The groups ticked, and the first problem of each field; a group left blank waits."""
    form = AttendanceForm({})
    for group in groups:
        came_name, pupils_name = came_field(group.booking_id), pupils_field(group.booking_id)
        came = form.values[came_name] = fields.get(came_name, "").strip()
        pupils = form.values[pupils_name] = fields.get(pupils_name, "").strip()
        if came == "no":
            form.attended.append(Attended(group.booking_id, came=False, pupils_present=None))
        elif came == "yes":
            if pupils.isdigit() and 1 <= int(pupils) <= limits.MAX_PUPILS_PER_GROUP:
                form.attended.append(Attended(group.booking_id, True, int(pupils)))
            else:
                form.problems[pupils_name] = N_(
                    "Write how many pupils came, a number from 1 to 1000."
                )
        elif pupils:
            form.problems[came_name] = N_("Say whether the group came.")
    return form
