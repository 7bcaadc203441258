"""The organizer's event form: what was typed, kept as typed; what is wrong with it, by field;
and the catalog's body built from it, with local times turned into UTC."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from kulturbro_contracts.vocabulary import BookingPolicy, Language
from web.platform import FieldProblem, OwnEvent, OwnOccurrence
from web.words import CATEGORIES, N_, TARGET_GROUPS

# Empty occurrence rows a new form offers; "add another" gives one more, no script needed.
EMPTY_ROWS = 2
MAX_ROWS = 30
VENUE_FEATURES = ("step_free", "lunch_room", "toilets", "cloakroom", "hearing_loop")
NUMBERS = {
    # field: (smallest, largest, what to write when it is not a whole number in range)
    "duration_minutes": (1, 1440, N_("Write the length in minutes, 1 to 1440.")),
    "max_group_size": (1, 1000, N_("Write the number of seats one group may take, 1 to 1000.")),
    "adults_per_group": (0, 100, N_("Write the number of adults with each group, 0 to 100.")),
    "needed_occurrences": (1, 20, N_("Write how many occurrences each group attends, 1 to 20.")),
    "cancellation_deadline_days": (0, 365, N_("Write a number of days, 0 to 365.")),
    "held_back_share": (0, 100, N_("Write the share of seats held back in percent, 0 to 100.")),
}
RELEASE_DAYS = ("held_back_release_on", "quota_release_on")
TEXTS = ["title_" + lang.value for lang in Language] + [
    "description_" + lang.value for lang in Language
]
PLAIN = (
    *TEXTS,
    *NUMBERS,
    "category",
    "booking_policy",
    "booking_opens_at",
    "booking_closes_at",
    *RELEASE_DAYS,
    "venue_name",
    "venue_address",
    "venue_district",
)
ROW_FIELDS = ("date", "start", "end", "capacity", "language")
# The catalog's names of an occurrence's fields; none of them is an event detail's.
OCCURRENCE_FIELDS = ("starts_at", "ends_at", "capacity", "language")

# What the catalog's refusal of a field means, in words a reader can act on in any language.
REFUSALS = {
    "title": N_("Write the title in at least one language."),
    "description": N_("Write the description in at least one language."),
    "category": N_("Choose a category from the list."),
    "target_groups": N_("Choose at least one target group."),
    "duration_minutes": NUMBERS["duration_minutes"][2],
    "venue_name": N_("Write the name of the venue."),
    "max_group_size": N_(
        "Every occurrence must have room for the largest group: make it at most the smallest "
        "capacity."
    ),
    "adults_per_group": N_("There must be fewer adults than seats in a group, to leave room."),
    "needed_occurrences": N_("A group cannot need more occurrences than the event has."),
    "booking_policy": N_("Choose how the seats are given."),
    "booking_opens_at": N_(
        "Booking must open before the first occurrence starts; a fair draw or district quotas "
        "need an opening time."
    ),
    "booking_closes_at": N_(
        "Booking must close at a time still to come, after it opens and before the last "
        "occurrence starts; a fair draw or district quotas need a closing time."
    ),
    "cancellation_deadline_days": NUMBERS["cancellation_deadline_days"][2],
    "held_back_share": NUMBERS["held_back_share"][2],
    "held_back_release_on": N_(
        "The held-back seats can be released at the earliest the day after booking closes."
    ),
    "quota_release_on": N_(
        "The districts' seats can be released at the earliest the day after booking closes."
    ),
    "occurrences": N_("Add at least one occurrence."),
    "date": N_(
        "Give a day still to come, after booking opens (and, for a fair draw or district "
        "quotas, after booking closes)."
    ),
    "start": N_(
        "Give a time still to come, after booking opens (and, for a fair draw or "
        "district quotas, after booking closes)."
    ),
    "end": N_("The occurrence must end after it starts."),
    "capacity": N_(
        "Give at least as many seats as the largest group, and no fewer than are booked."
    ),
    "language": N_("Choose the language of the occurrence."),
}
ANY_OTHER = N_("Check this value.")


@dataclass
class EventForm:
    values: dict[str, str] = field(default_factory=dict)
    target_groups: list[str] = field(default_factory=list)
    features: set[str] = field(default_factory=set)
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")


def row_id(index: int, name: str) -> str:
    return f"occ-{index}-{name}"


def blank(language: Language) -> EventForm:
    return EventForm(
        values={
            "booking_policy": BookingPolicy.INSTANT.value,
            "needed_occurrences": "1",
            "cancellation_deadline_days": "7",
            "held_back_share": "15",
        },
        rows=[_empty_row(language) for _ in range(EMPTY_ROWS)],
    )


def _empty_row(language: Language) -> dict[str, str]:
    return {"date": "", "start": "", "end": "", "capacity": "", "language": language.value}


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def from_event(event: OwnEvent, zone: ZoneInfo, *, with_occurrences: bool) -> EventForm:
    """The form filled from an event: to edit its details, or to copy it whole."""
    values = {f"title_{lang.value}": text for lang, text in event.title.items()}
    values |= {f"description_{lang.value}": text for lang, text in event.description.items()}
    values |= {name: str(getattr(event, name)) for name in NUMBERS}
    values |= {
        "category": event.category,
        "booking_policy": event.booking_policy.value,
        "venue_name": event.venue.name,
        "venue_address": event.venue.address or "",
        "venue_district": event.venue.district or "",
    }
    for name in ("booking_opens_at", "booking_closes_at"):
        moment = _local(getattr(event, name), zone)
        values[name] = moment.strftime("%Y-%m-%dT%H:%M") if moment else ""
    for name in RELEASE_DAYS:
        day = getattr(event, name)
        values[name] = day.isoformat() if day else ""
    rows = []
    if with_occurrences:
        rows = [row_of(o, zone) for o in event.occurrences if not o.cancelled]
    features = {name for name in VENUE_FEATURES if getattr(event.venue, name)}
    return EventForm(values, list(event.target_groups), features, rows)


def row_of(occurrence: OwnOccurrence, zone: ZoneInfo) -> dict[str, str]:
    """An occurrence as a form's row, in the municipality's local time."""
    starts, ends = occurrence.starts_at.astimezone(zone), occurrence.ends_at.astimezone(zone)
    return {
        "date": starts.date().isoformat(),
        "start": starts.strftime("%H:%M"),
        "end": ends.strftime("%H:%M"),
        "capacity": str(occurrence.capacity),
        "language": occurrence.language.value,
    }


def read(
    fields: Iterable[tuple[str, str]], *, with_rows: bool, add_row: bool, language: Language
) -> EventForm:
    """The posted form as typed; rows left wholly empty are dropped, one added if asked."""
    posted: dict[str, list[str]] = {}
    for key, value in fields:
        posted.setdefault(key, []).append(value)

    def one(name: str) -> str:
        return posted.get(name, [""])[-1].strip()

    form = EventForm(
        values={name: one(name) for name in PLAIN},
        target_groups=[code for code in posted.get("target_groups", []) if code],
        features={name for name in VENUE_FEATURES if one(f"venue_{name}")},
    )
    if with_rows:
        count = min(int(one("rows")) if one("rows").isdigit() else EMPTY_ROWS, MAX_ROWS)
        for index in range(count):
            row = {name: one(row_id(index, name)) for name in ROW_FIELDS}
            if any(row[name] for name in ("date", "start", "end", "capacity")):
                form.rows.append(row)
        if add_row or not form.rows:
            form.rows.append(_empty_row(language))
    return form


def _moment(text: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def details_body(form: EventForm, zone: ZoneInfo) -> dict[str, Any]:
    """The catalog's EventDetails from the form; fills form.problems with what is wrong."""
    values, problems = form.values, form.problems
    body: dict[str, Any] = {}
    for kind in ("title", "description"):
        texts = {lang.value: values[f"{kind}_{lang.value}"] for lang in Language}
        body[kind] = {lang: text for lang, text in texts.items() if text}
        if not body[kind]:
            problems[f"{kind}_sv"] = REFUSALS[kind]
    if values["category"] not in CATEGORIES:
        problems["category"] = REFUSALS["category"]
    body["category"] = values["category"]
    unknown = [code for code in form.target_groups if code not in TARGET_GROUPS]
    if not form.target_groups or unknown:
        problems["target_groups"] = REFUSALS["target_groups"]
    body["target_groups"] = form.target_groups
    for name, (least, most, message) in NUMBERS.items():
        text = values[name]
        if not text.isdigit() or not least <= int(text) <= most:
            problems[name] = message
        else:
            body[name] = int(text)
    if not values["venue_name"]:
        problems["venue_name"] = REFUSALS["venue_name"]
    body["venue"] = {
        "name": values["venue_name"],
        "address": values["venue_address"] or None,
        "district": values["venue_district"] or None,
    } | {name: name in form.features for name in VENUE_FEATURES}
    if values["booking_policy"] not in {policy.value for policy in BookingPolicy}:
        problems["booking_policy"] = REFUSALS["booking_policy"]
    body["booking_policy"] = values["booking_policy"]
    for name in ("booking_opens_at", "booking_closes_at"):
        body[name] = None
        if values[name]:
            try:
                body[name] = _moment(values[name], zone).isoformat()
            except ValueError:
                problems[name] = N_("Write the day and time as year-month-day hours:minutes.")
    for name in RELEASE_DAYS:
        body[name] = None
        if values[name]:
            try:
                body[name] = date.fromisoformat(values[name]).isoformat()
            except ValueError:
                problems[name] = N_("Write the day as year-month-day, e.g. 2027-03-01.")
    return body


def occurrence_bodies(form: EventForm, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The catalog's occurrence plans from the filled rows; fills form.problems by row."""
    bodies = []
    for index, row in enumerate(form.rows):
        if not any(row[name] for name in ("date", "start", "end", "capacity")):
            continue
        try:
            day = date.fromisoformat(row["date"])
        except ValueError:
            form.problems[row_id(index, "date")] = N_(
                "Write the day as year-month-day, e.g. 2027-03-01."
            )
            continue
        clocks: dict[str, time] = {}
        for name in ("start", "end"):
            try:
                clocks[name] = time.fromisoformat(row[name])
            except ValueError:
                form.problems[row_id(index, name)] = N_(
                    "Write the time as hours:minutes, e.g. 09:30."
                )
        if not row["capacity"].isdigit() or not 1 <= int(row["capacity"]) <= 10_000:
            form.problems[row_id(index, "capacity")] = N_("Write the number of seats, 1 to 10000.")
        if row["language"] not in {lang.value for lang in Language}:
            form.problems[row_id(index, "language")] = REFUSALS["language"]
        if len(clocks) < 2 or row_id(index, "capacity") in form.problems:
            continue
        starts = datetime.combine(day, clocks["start"], zone)
        ends = datetime.combine(day, clocks["end"], zone)
        if ends <= starts:
            form.problems[row_id(index, "end")] = REFUSALS["end"]
            continue
        bodies.append(
            {
                "starts_at": starts.isoformat(),
                "ends_at": ends.isoformat(),
                "capacity": int(row["capacity"]),
                "language": row["language"],
            }
        )
    return bodies


def refused(form: EventForm, problems: list[FieldProblem]) -> None:
    """The catalog's refusals placed beside the fields they concern, in the reader's words.
    The catalog numbers occurrences among those sent; the form among its filled rows. A form
    without rows (editing the details) shows an occurrence's refusal by its list."""
    filled = [i for i, row in enumerate(form.rows) if any(row[n] for n in ROW_FIELDS[:4])]
    for problem in problems:
        parts = problem.field.split(".")
        if parts[0] == "occurrences" and len(parts) >= 3 and parts[1].isdigit():
            if not form.rows:
                form.problems.setdefault("occurrences", REFUSALS[_row_name(parts[2])])
                continue
            sent = int(parts[1])
            index = filled[sent] if 0 <= sent < len(filled) else 0
            name = _row_name(parts[2])
            form.problems.setdefault(row_id(index, name), REFUSALS[name])
        elif parts[0] in OCCURRENCE_FIELDS and form.rows:
            # One occurrence sent alone (added to an event): its fields are the first row's.
            name = _row_name(parts[0])
            form.problems.setdefault(row_id(0, name), REFUSALS[name])
        elif parts[0] == "occurrences":
            key = row_id(0, "date") if form.rows else "occurrences"
            form.problems.setdefault(key, REFUSALS["occurrences"])
        elif parts[0] == "venue":
            form.problems.setdefault("venue_name", REFUSALS["venue_name"])
        elif parts[0] in ("title", "description"):
            form.problems.setdefault(f"{parts[0]}_sv", REFUSALS[parts[0]])
        elif parts[0] in REFUSALS:
            form.problems.setdefault(parts[0], REFUSALS[parts[0]])
        else:
            form.problems.setdefault("title_sv", ANY_OTHER)


def _row_name(api_field: str) -> str:
    name = {"starts_at": "start", "ends_at": "end"}.get(api_field, api_field)
    return name if name in ROW_FIELDS else "date"
