"""Events, occurrences and a context for every kind of mail, as the notify handlers pass them."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from kulturbro_contracts.catalog import Occurrence, PublishedEvent, Venue
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup

MUNICIPALITY = "malmo"
STOCKHOLM = "Europe/Stockholm"
TUESDAY_9_UTC = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
BOOKING_CLOSES = datetime(2026, 2, 13, 15, 0, tzinfo=UTC)


def an_occurrence(starts_at: datetime = TUESDAY_9_UTC, n: int = 1, **changes: Any) -> Occurrence:
    fields: dict[str, Any] = {
        "occurrence_id": UUID(int=n),
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "capacity": 60,
        "language": Language.SV,
    }
    return Occurrence(**(fields | changes))


def an_event(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "event_id": UUID(int=100),
        "organizer_id": UUID(int=200),
        "title": {
            Language.SV: "Pippi på scen",
            Language.FI: "Peppi lavalla",
            Language.EN: "Pippi on stage",
        },
        "description": {
            Language.SV: "En föreställning om vänskap och mod.",
            Language.FI: "Esitys ystävyydestä ja rohkeudesta.",
            Language.EN: "A play about friendship and courage.",
        },
        "category": "theatre",
        "target_groups": [TargetGroup.GRADE_3, TargetGroup.GRADE_4],
        "duration_minutes": 60,
        "venue": Venue(
            name="Stadsteatern",
            address="Östra Rönneholmsvägen 20",
            district="Centrum",
            step_free=True,
            hearing_loop=True,
            toilets=True,
        ),
        "max_group_size": 30,
        "adults_per_group": 2,
        "booking_policy": BookingPolicy.FAIR_DRAW,
        "booking_closes_at": BOOKING_CLOSES,
        "occurrences": [
            an_occurrence(),
            an_occurrence(TUESDAY_9_UTC + timedelta(days=1), n=2, language=Language.FI),
        ],
    }
    return PublishedEvent(**(fields | changes)).model_dump(mode="python")


def a_trip(**changes: Any) -> dict[str, Any]:
    """A class's culture bus as notify keeps it (JSON): picked up 09:15 and back 11:40 in
    Stockholm, for the visit at 10:00."""
    fields = {
        "booking_id": str(UUID(int=1)),
        "event_id": str(UUID(int=100)),
        "occurrence_id": str(UUID(int=1)),
        "bus": "Buss 2",
        "pickup_at": "2026-03-03T08:15:00Z",
        "pickup_place": "Ekskolan, Skolgatan 4",
        "pickup_latitude": 55.6,
        "pickup_longitude": 13.0,
        "return_bus": "Buss 2",
        "return_at": "2026-03-03T10:10:00Z",
        "home_at": "2026-03-03T10:40:00Z",
    }
    return fields | changes


def a_run_sheet(revision: int = 1, buses: int = 1) -> dict[str, Any]:
    """An operator's run sheet as notify keeps it (JSON): one bus, a class from Ekskolan to the
    theatre at 09:15 Stockholm time and back."""
    stops = [
        ("2026-03-03T08:15:00Z", "pick_up", "Ekskolan", "Skolgatan 4", "070-123 45 67"),
        ("2026-03-03T08:40:00Z", "drop_off", "Stadsteatern", "Östra Rönneholmsvägen 20", None),
        ("2026-03-03T10:10:00Z", "pick_up", "Stadsteatern", "Östra Rönneholmsvägen 20", None),
        ("2026-03-03T10:40:00Z", "drop_off", "Ekskolan", "Skolgatan 4", None),
    ]
    bus = {
        "bus": "Buss 2",
        "leaves_depot": "2026-03-03T08:00:00Z",
        "back_at_depot": "2026-03-03T10:55:00Z",
        "stops": [
            {
                "at": at,
                "kind": kind,
                "place": place,
                "address": address,
                "travellers": 26,
                "wheelchair_places": 1,
                "teacher_phone": phone,
            }
            for at, kind, place, address, phone in stops
        ],
    }
    return {
        "municipality": "Malmö",
        "sheet": {
            "day": "2026-03-03",
            "operator_email": "trafik@buss.example",
            "revision": revision,
            "buses": [bus] * buses,
        },
    }


EXPLANATION = {
    Language.SV: "Ni kom på plats 3 av 12 i lottningen.",
    Language.FI: "Sijoituitte arvonnassa sijalle 3/12.",
    Language.EN: "You came 3rd of 12 in the draw.",
}


OFFER_DEADLINE = datetime(2026, 2, 20, 15, 0, tzinfo=UTC)  # Friday 16:00 in Stockholm


def an_offer(occurrence: dict[str, Any]) -> dict[str, Any]:
    """A place held for class 3B, as the offer mails get it."""
    return {
        "name": "Anna",
        "group": "3B",
        "event": an_event(),
        "occurrence": occurrence,
        "seats": 26,
        "deadline": OFFER_DEADLINE.isoformat(),
        "accept_url": "https://k.example/offers/9",
        "unsubscribe_url": "https://k.example/api/directory/unsubscribe?token=t",
    }


def contexts() -> dict[str, dict[str, Any]]:
    """One valid context for each kind of mail."""
    event = an_event()
    first, second = event["occurrences"]
    teacher = {
        "name": "Anna",
        "group": "3B",
        "event": event,
        "booking_url": "https://k.example/b/1",
    }
    return {
        "invitation": {
            "name": "Anna",
            "groups": ["3B", "4A"],
            "event": event,
            "book_url": "https://k.example/e/100",
            "unsubscribe_url": "https://k.example/api/directory/unsubscribe?token=t",
        },
        "digest": {
            "name": "Anna",
            "week": "2026-W08",
            "unsubscribe_url": "https://k.example/api/directory/unsubscribe?token=t",
            "items": [
                {"event": event, "groups": ["3B"], "book_url": "https://k.example/e/100"},
                {
                    "event": an_event(event_id=UUID(int=101), title={Language.SV: "Dans!"}),
                    "groups": ["4A"],
                    "book_url": "https://k.example/e/101",
                },
            ],
        },
        "booking_received": teacher
        | {
            "booking": {
                "pupils": 24,
                "adults": 2,
                "wants_bus": True,
                "occurrences": [second, first],
            }
        },
        "booking_confirmed": teacher
        | {"occurrence": first, "seats": 26, "explanation": EXPLANATION},
        "booking_promoted": teacher
        | {"occurrence": first, "seats": 26, "explanation": EXPLANATION},
        "booking_waitlisted": teacher | {"position": 4, "explanation": EXPLANATION},
        "booking_rejected": teacher | {"explanation": EXPLANATION},
        "occurrence_changed": teacher
        | {
            "occurrence": first
            | {"starts_at": first["starts_at"] + timedelta(hours=2)}
            | {"ends_at": first["ends_at"] + timedelta(hours=2)},
            "previous": first,
        },
        "event_changed": teacher
        | {
            "occurrence": first,
            "changed": ["venue"],
            "previous": {
                "venue": event["venue"] | {"name": "Gamla teatern", "address": "Torget 1"}
            },
        },
        "occurrence_cancelled": teacher | {"occurrence": first, "reason": "Skådespelaren är sjuk."},
        "booking_cancelled": teacher | {"occurrence": first},
        "bus_scheduled": teacher | {"occurrence": first, "trip": a_trip()},
        "bus_trip_changed": teacher
        | {
            "occurrence": first,
            "trip": a_trip(pickup_at="2026-03-03T08:00:00Z", return_bus="Buss 3"),
            "previous": {
                "pickup_at": "2026-03-03T08:15:00+00:00",
                "return_at": "2026-03-03T10:10:00+00:00",
                "bus": "Buss 2",
            },
        },
        "bus_trip_cancelled": teacher
        | {"occurrence": first, "trip": a_trip(), "reason": "occurrence_cancelled"},
        "bus_unavailable": teacher
        | {"occurrence": first, "reason": "no_bus_free", "alternatives": [second]},
        "reminder": teacher | {"occurrence": first, "seats": 26, "wants_bus": True},
        "offer": an_offer(first),
        "offer_reminder": an_offer(first),
        "evaluation_request": teacher
        | {"occurrence": first, "evaluation_url": "https://k.example/eval/1"},
        "organizer_summary": {
            "name": "Stadsteatern",
            "event": event,
            "occurrences": [
                {
                    "occurrence": first,
                    "capacity": 60,
                    "seated": 26,
                    "new_bookings": [
                        {
                            "group": "3B",
                            "school": "Ekskolan",
                            "pupils": 24,
                            "adults": 2,
                            "wants_bus": True,
                            "status": "confirmed",
                        },
                        {
                            "group": "4A",
                            "school": "Björkskolan",
                            "pupils": 1,
                            "adults": 1,
                            "wants_bus": False,
                            "status": "waitlisted",
                        },
                    ],
                },
                {"occurrence": second, "capacity": 60, "seated": 0, "new_bookings": []},
            ],
            "manage_url": "https://k.example/manage/100",
        },
        "bus_run_sheet": a_run_sheet(revision=2),
        "sign_in_link": {
            "link": "https://k.example/sign-in?token=abc",
            "expires_at": datetime(2026, 3, 3, 9, 15, tzinfo=UTC),
        },
    }
