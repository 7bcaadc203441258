"""The organizer's event form: local times become UTC for the catalog and come back as typed;
empty rows are dropped and "add another" adds one; the catalog's refusals land beside the field
they name, counted among the filled rows."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from kulturbro_contracts.vocabulary import Language
from web import event_form
from web.platform import FieldProblem, OwnEvent

HELSINKI = ZoneInfo("Europe/Helsinki")

FILLED = [
    ("title_fi", "Konsertti"),
    ("description_fi", "Lauluja."),
    ("category", "music"),
    ("target_groups", "grade_1"),
    ("target_groups", "grade_2"),
    ("duration_minutes", "45"),
    ("venue_name", "Musiikkitalo"),
    ("venue_step_free", "yes"),
    ("max_group_size", "30"),
    ("adults_per_group", "2"),
    ("needed_occurrences", "1"),
    ("booking_policy", "instant"),
    ("booking_closes_at", "2027-05-01T16:00"),
    ("cancellation_deadline_days", "7"),
    ("held_back_share", "20"),
    ("held_back_release_on", "2027-05-09"),
    ("quota_release_on", ""),
    ("rows", "3"),
    # Row 0 left empty: dropped. Row 1 and 2 filled.
    ("occ-0-date", ""),
    ("occ-1-date", "2027-05-20"),
    ("occ-1-start", "09:30"),
    ("occ-1-end", "10:15"),
    ("occ-1-capacity", "60"),
    ("occ-1-language", "fi"),
    ("occ-2-date", "2027-01-20"),
    ("occ-2-start", "12:00"),
    ("occ-2-end", "12:45"),
    ("occ-2-capacity", "60"),
    ("occ-2-language", "sv"),
]


def read(fields: list[tuple[str, str]], add_row: bool = False) -> event_form.EventForm:
    return event_form.read(fields, with_rows=True, add_row=add_row, language=Language.FI)


def test_local_times_go_to_the_catalog_in_utc_with_every_detail() -> None:
    form = read(FILLED)
    body = event_form.details_body(form, HELSINKI)
    plans = event_form.occurrence_bodies(form, HELSINKI)
    assert form.problems == {}
    assert body["title"] == {"fi": "Konsertti"}
    assert body["target_groups"] == ["grade_1", "grade_2"]
    assert body["venue"]["step_free"] is True and body["venue"]["lunch_room"] is False
    # Summer time in Helsinki is UTC+3, winter time UTC+2.
    closes = datetime.fromisoformat(body["booking_closes_at"])
    assert closes.astimezone(UTC) == datetime(2027, 5, 1, 13, 0, tzinfo=UTC)
    starts = [datetime.fromisoformat(p["starts_at"]).astimezone(UTC) for p in plans]
    assert starts == [
        datetime(2027, 5, 20, 6, 30, tzinfo=UTC),
        datetime(2027, 1, 20, 10, 0, tzinfo=UTC),
    ]
    assert [p["language"] for p in plans] == ["fi", "sv"]
    held = (body["held_back_share"], body["held_back_release_on"], body["quota_release_on"])
    assert held == (20, "2027-05-09", None)  # none: the usual day


def test_an_event_comes_back_in_local_time_as_it_was_typed() -> None:
    form = read(FILLED)
    body = event_form.details_body(form, HELSINKI)
    plans = event_form.occurrence_bodies(form, HELSINKI)
    occurrences = [
        p | {"id": f"00000000-0000-4000-8000-00000000000{i}"} for i, p in enumerate(plans)
    ]
    event = OwnEvent.model_validate(
        body
        | {"id": "00000000-0000-4000-8000-0000000000aa", "status": "draft"}
        | {"occurrences": occurrences}
    )
    copied = event_form.from_event(event, HELSINKI, with_occurrences=True)
    assert copied.value("booking_closes_at") == "2027-05-01T16:00"
    assert (copied.value("held_back_share"), copied.value("held_back_release_on")) == (
        "20",
        "2027-05-09",
    )
    assert copied.rows[0] == {
        "date": "2027-05-20",
        "start": "09:30",
        "end": "10:15",
        "capacity": "60",
        "language": "fi",
    }
    assert copied.target_groups == ["grade_1", "grade_2"]
    assert copied.features == {"step_free"}


def test_empty_rows_are_dropped_and_add_another_adds_one_with_values_kept() -> None:
    form = read(FILLED, add_row=True)
    assert [row["date"] for row in form.rows] == ["2027-05-20", "2027-01-20", ""]
    assert len(read([("rows", "99")]).rows) == 1  # at most MAX_ROWS read, one empty shown
    assert form.value("venue_name") == "Musiikkitalo"


def test_bad_input_is_named_beside_its_field() -> None:
    form = read(
        [
            ("title_sv", ""),
            ("duration_minutes", "lång"),
            ("held_back_share", "101"),
            ("quota_release_on", "1.6.2027"),
            ("rows", "1"),
            ("occ-0-date", "20.5.2027"),
            ("occ-0-start", "9"),
            ("occ-0-capacity", "0"),
        ]
    )
    event_form.details_body(form, HELSINKI)
    event_form.occurrence_bodies(form, HELSINKI)
    assert set(form.problems) >= {
        "title_sv",
        "description_sv",
        "category",
        "target_groups",
        "duration_minutes",
        "venue_name",
        "max_group_size",
        "held_back_share",
        "quota_release_on",
        "occ-0-date",
    }
    end_before_start = read(
        [
            ("rows", "1"),
            ("occ-0-date", "2027-05-20"),
            ("occ-0-start", "10:00"),
            ("occ-0-end", "09:00"),
            ("occ-0-capacity", "10"),
            ("occ-0-language", "sv"),
        ]
    )
    event_form.occurrence_bodies(end_before_start, HELSINKI)
    assert end_before_start.problems == {"occ-0-end": event_form.REFUSALS["end"]}


def test_the_catalogs_refusals_land_beside_the_fields_they_name() -> None:
    form = read(FILLED)
    event_form.refused(
        form,
        [
            FieldProblem(field="booking_closes_at", message="booking closed 2026-01-01"),
            # The second sent: the form's third row typed, its second shown again (the empty
            # first row is dropped).
            FieldProblem(field="occurrences.1.starts_at", message="has passed"),
            FieldProblem(field="venue.name", message="too short"),
            FieldProblem(field="something_new", message="?"),
            FieldProblem(field="held_back_release_on", message="before the window closes"),
        ],
    )
    assert form.problems == {
        "booking_closes_at": event_form.REFUSALS["booking_closes_at"],
        "occ-1-start": event_form.REFUSALS["start"],
        "venue_name": event_form.REFUSALS["venue_name"],
        "title_sv": event_form.ANY_OTHER,
        "held_back_release_on": event_form.REFUSALS["held_back_release_on"],
    }
    details_only = event_form.read(FILLED, with_rows=False, add_row=False, language=Language.SV)
    event_form.refused(details_only, [FieldProblem(field="occurrences.0.capacity", message="")])
    assert details_only.problems == {"occurrences": event_form.REFUSALS["capacity"]}


def test_a_refusal_of_one_occurrence_added_alone_lands_on_its_row() -> None:
    form = event_form.read(
        [("rows", "1"), ("occ-0-date", "2027-05-20"), ("occ-0-start", "09:00")],
        with_rows=True,
        add_row=False,
        language=Language.SV,
    )
    event_form.refused(
        form,
        [
            FieldProblem(field="starts_at", message="begins before booking opens"),
            FieldProblem(field="capacity", message="fewer than the largest group"),
        ],
    )
    assert form.problems == {
        "occ-0-start": event_form.REFUSALS["start"],
        "occ-0-capacity": event_form.REFUSALS["capacity"],
    }
