"""A teacher's booking form: what she typed, kept as typed, checked against every rule the
booking service checks, so she reads each problem beside its field before anything is sent."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from kulturbro_contracts import limits
from web.platform import EventListing, Group
from web.words import N_

MAX_NOTE = 2000
# Occurrences in order of preference: as many choices as the event has, up to this many.
MOST_CHOICES = 5
FIELDS = ("group", "pupils", "adults", "wheelchair_places", "note", "wants_bus")


def choice_names(event: EventListing) -> list[str]:
    return [f"choice_{n}" for n in range(1, min(len(event.occurrences), MOST_CHOICES) + 1)]


@dataclass
class BookingForm:
    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    group: Group | None = None
    pupils: int = 0
    adults: int = 0
    wheelchair_places: int = 0
    occurrence_ids: list[UUID] = field(default_factory=list)


def _count(text: str, least: int, most: int) -> int | None:
    if not text.isdigit() or not least <= int(text) <= most:
        return None
    return int(text)


def window_problem(event: EventListing, now: datetime) -> str | None:
    if event.booking_opens_at and now < event.booking_opens_at:
        return N_("Booking has not opened yet. Come back when it opens.")
    if event.booking_closes_at and now >= event.booking_closes_at:
        return N_("Booking has closed. Contact the organizer if you still want to come.")
    return None


def read_booking_form(
    fields: dict[str, str], event: EventListing, groups: list[Group], now: datetime
) -> BookingForm:
    """The form as posted, and the first problem of each field."""
    choices = choice_names(event)
    values = {name: fields.get(name, "").strip() for name in (*FIELDS, *choices)}
    form = BookingForm(values)
    problems = form.problems
    by_id = {str(group.id): group for group in groups}
    form.group = by_id.get(values["group"])
    if form.group is None:
        problems["group"] = N_("Choose the group that comes.")
    most_pupils = form.group.size if form.group else limits.MAX_PUPILS_PER_GROUP
    pupils = _count(values["pupils"], 1, most_pupils)
    if pupils is None:
        problems["pupils"] = N_("Write how many pupils come: at least 1, at most the group's size.")
    adults = _count(values["adults"], event.adults_per_group, limits.MAX_ADULTS_PER_GROUP)
    if adults is None:
        problems["adults"] = N_("Write how many adults come: at least as many as the event needs.")
    if pupils is not None and adults is not None and pupils + adults > event.max_group_size:
        problems["pupils"] = N_(
            "Pupils and adults together are more than one group may be; a group is never split."
        )
    most_wheelchairs = limits.MAX_WHEELCHAIR_PLACES_PER_GROUP
    wheelchairs = _count(values["wheelchair_places"] or "0", 0, most_wheelchairs)
    if wheelchairs is None:
        problems["wheelchair_places"] = N_("Write the number of wheelchair places, 0 to 100.")
    if len(values["note"]) > MAX_NOTE:
        problems["note"] = N_("Write at most 2000 characters.")
    offered = {str(occurrence.id) for occurrence in event.occurrences}
    chosen = [values[name] for name in choices if values[name]]
    if not chosen or any(choice not in offered for choice in chosen):
        problems[choices[0] if choices else "choice_1"] = N_("Choose at least one occurrence.")
    elif len(set(chosen)) != len(chosen):
        repeated = next(n for n in choices[1:] if values[n] and values[n] in _before(values, n))
        problems[repeated] = N_("Choose each occurrence only once.")
    if (closed := window_problem(event, now)) and "choice_1" not in problems:
        problems["choice_1"] = closed
    form.pupils, form.adults, form.wheelchair_places = pupils or 0, adults or 0, wheelchairs or 0
    form.occurrence_ids = [UUID(choice) for choice in chosen if choice in offered]
    return form


def _before(values: dict[str, str], name: str) -> list[str]:
    number = int(name.removeprefix("choice_"))
    return [values[f"choice_{n}"] for n in range(1, number)]


# The booking service names the field a refusal concerns at the start of its words.
REFUSED_FIELDS = {
    "group_id": "group",
    "pupils": "pupils",
    "adults": "adults",
    "wheelchair_places": "wheelchair_places",
    "note": "note",
    "occurrence_ids": "choice_1",
}
REFUSED_WORDS = {
    "group": N_("Choose the group that comes."),
    "pupils": N_("Write how many pupils come: at least 1, at most the group's size."),
    "adults": N_("Write how many adults come: at least as many as the event needs."),
    "wheelchair_places": N_("Write the number of wheelchair places, 0 to 100."),
    "note": N_("Write at most 2000 characters."),
    "choice_1": N_("Choose each occurrence only once."),
}


def refused_field(field_or_detail: str) -> str | None:
    """The form's field a refusal of the booking service concerns, if it names one."""
    name = field_or_detail.split(":", 1)[0].split(".")[-1].strip()
    return REFUSED_FIELDS.get(name)
