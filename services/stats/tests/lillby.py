"""Lillby: a small municipality whose every figure is worked out by hand, as a recorded stream of
events. The unit tests replay it into the fake projections; the integration test publishes it to
Kafka and reads the figures back from the API.

Six school groups in five schools (120 pupils) and one elderly-care group (12 residents); two
organizers; three events with five occurrences in the school year 2026-27. Booking b1..b8:
  b1 g1 Sagan O1 20+2, bus (planned), allocated; evaluated: came, 18 present, 5 4 5 4 bus 3,
     a comment
  b2 g2 Sagan O1 20+2, allocated; evaluated: came, 4 4 3 5; its organizer recorded 19 present
  b3 g3 Sagan O1 25+3, waitlisted, then allocated O2; evaluated: did not come (a no-show), and
     its organizer first recorded it as come, then corrected that: it did not
  b4 g4 Fossiler O3 30+3, bus (planned, then none: too near), allocated; evaluated: came, 30
     present, 3 3 4 2 bus 4, a comment
  b5 g5 Fossiler O3 10+1, allocated, then cancelled and its 11 seats released
  b6 g6 Fossiler O4 (spring, still to come) 15+2, allocated
  b7 g5 Fossiler O4 10+1, requested, not yet decided
  b8 g7 Konsert O5 12+4, allocated; evaluated: came, 12 present, 5
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid5

from kulturbro_contracts import (
    BookingCancelled,
    BookingRequested,
    BookingWaitlisted,
    EventPublished,
    GroupRegistered,
    SchoolRegistered,
    SeatsAllocated,
    SeatsReleased,
)
from kulturbro_contracts.allocation import Allocation, Release, Waitlisting
from kulturbro_contracts.booking import (
    Attendance,
    AttendanceRecorded,
    BookingCancellation,
    BookingRequest,
    Evaluation,
    EvaluationSubmitted,
    Question,
)
from kulturbro_contracts.catalog import (
    Occurrence,
    OrganizerContact,
    OrganizerRegistered,
    PublishedEvent,
    Venue,
)
from kulturbro_contracts.directory import Group, Municipality, MunicipalityRegistered, School
from kulturbro_contracts.envelope import Event
from kulturbro_contracts.transport import (
    BusScheduled,
    BusTrip,
    BusUnavailable,
    NoBusReason,
    Unavailability,
)
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup, UnitKind

MUNICIPALITY = "lillby"
SCHOOL_YEAR = "2026-27"
# After the autumn's occurrences ended and before the spring's began.
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
EXPLAINED = {Language.SV: "beslutat"}


def id_of(name: str) -> UUID:
    return uuid5(UUID(int=0), f"lillby-{name}")


SCHOOLS = {  # school: (district, kind)
    "A": ("Norr", UnitKind.SCHOOL),
    "B": ("Norr", UnitKind.SCHOOL),
    "C": ("Söder", UnitKind.SCHOOL),
    "D": ("Söder", UnitKind.SCHOOL),
    "E": ("Söder", UnitKind.SCHOOL),
    "F": (None, UnitKind.ELDERLY_CARE_HOME),
}
GROUPS = {  # group: (school, target group, pupils)
    "g1": ("A", TargetGroup.GRADE_1, 20),
    "g2": ("A", TargetGroup.GRADE_2, 20),
    "g3": ("B", TargetGroup.GRADE_1, 25),
    "g4": ("C", TargetGroup.GRADE_4, 30),
    "g5": ("D", TargetGroup.GRADE_4, 10),
    "g6": ("E", TargetGroup.GRADE_7, 15),
    "g7": ("F", TargetGroup.ELDERLY_CARE, 12),
}
ORGANIZERS = {"org1": "Teater Tittut", "org2": "Museet"}
OCCURRENCES = {  # occurrence: (starts, capacity)
    "O1": (datetime(2026, 9, 15, 8, tzinfo=UTC), 50),
    "O2": (datetime(2026, 10, 20, 8, tzinfo=UTC), 50),
    "O3": (datetime(2026, 11, 10, 8, tzinfo=UTC), 60),
    "O4": (datetime(2027, 3, 10, 8, tzinfo=UTC), 60),
    "O5": (datetime(2026, 10, 1, 13, tzinfo=UTC), 30),
}
EVENTS = {  # event: (organizer, title, target groups, occurrences)
    "Sagan": ("org1", [TargetGroup.GRADE_1, TargetGroup.GRADE_2], ["O1", "O2"]),
    "Fossiler": ("org2", [TargetGroup.GRADE_4, TargetGroup.GRADE_7], ["O3", "O4"]),
    "Konsert": ("org1", [TargetGroup.ELDERLY_CARE], ["O5"]),
}
BOOKINGS = {  # booking: (group, event, first choice, pupils, adults, bus)
    "b1": ("g1", "Sagan", "O1", 20, 2, True),
    "b2": ("g2", "Sagan", "O1", 20, 2, False),
    "b3": ("g3", "Sagan", "O1", 25, 3, False),
    "b4": ("g4", "Fossiler", "O3", 30, 3, True),
    "b5": ("g5", "Fossiler", "O3", 10, 1, False),
    "b6": ("g6", "Fossiler", "O4", 15, 2, False),
    "b7": ("g5", "Fossiler", "O4", 10, 1, False),
    "b8": ("g7", "Konsert", "O5", 12, 4, False),
}
ALLOCATED = {"b1": "O1", "b2": "O1", "b3": "O2", "b4": "O3", "b5": "O3", "b6": "O4", "b8": "O5"}
ATTENDANCE = [  # booking, came, pupils present, recorded
    ("b2", True, 19, NOW),
    ("b3", False, None, NOW),
    ("b3", True, 25, NOW - timedelta(days=1)),  # an earlier record arriving late changes nothing
]
EVALUATIONS = {  # booking: (came, pupils present, scores, comment)
    "b1": (True, 18, (5, 4, 5, 4, 3), "Fint"),
    "b2": (True, None, (4, 4, 3, 5), ""),
    "b3": (False, None, (), ""),
    "b4": (True, 30, (3, 3, 4, 2, 4), "Bussen var sen"),
    "b8": (True, 12, (5,), ""),
}


def _seats(booking: str) -> int:
    return BOOKINGS[booking][3] + BOOKINGS[booking][4]


def _event(
    title: str,
    organizer: str,
    targets: list[TargetGroup],
    occurrences: dict[str, tuple[datetime, int]],
) -> PublishedEvent:
    return PublishedEvent(
        event_id=id_of(title),
        organizer_id=id_of(organizer),
        title={Language.SV: title},
        description={Language.SV: title},
        category="theatre",
        target_groups=targets,
        duration_minutes=60,
        venue=Venue(name="Salen"),
        max_group_size=40,
        adults_per_group=1,
        booking_policy=BookingPolicy.INSTANT,
        occurrences=[
            Occurrence(
                occurrence_id=id_of(o),
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                capacity=capacity,
                language=Language.SV,
            )
            for o, (starts, capacity) in occurrences.items()
        ],
    )


def events() -> list[Event]:
    """The stream, in an order each topic could have told it."""
    m = MUNICIPALITY
    told: list[Event] = [
        MunicipalityRegistered(
            municipality_id=m,
            payload=Municipality(
                name="Lillby",
                languages=[Language.SV],
                time_zone="Europe/Stockholm",
                districts=["Norr", "Söder"],
                default_booking_policy=BookingPolicy.INSTANT,
            ),
        )
    ]
    for name, (district, kind) in SCHOOLS.items():
        school = School(unit_id=id_of(name), name=f"Skola {name}", kind=kind, district=district)
        told.append(SchoolRegistered(municipality_id=m, payload=school))
    for name, (school_name, target, pupils) in GROUPS.items():
        group = Group(
            group_id=id_of(name),
            unit_id=id_of(school_name),
            name=name,
            target_group=target,
            size=pupils,
        )
        told.append(GroupRegistered(municipality_id=m, payload=group))
    for name, title in ORGANIZERS.items():
        contact = OrganizerContact(
            organizer_id=id_of(name), name=title, contact_email=f"{name}@example.org"
        )
        told.append(OrganizerRegistered(municipality_id=m, payload=contact))
    for title, (organizer, targets, occurrences) in EVENTS.items():
        published = _event(title, organizer, targets, {o: OCCURRENCES[o] for o in occurrences})
        told.append(EventPublished(municipality_id=m, payload=published))
    for name, (group, title, first, pupils, adults, bus) in BOOKINGS.items():
        request = BookingRequest(
            booking_id=id_of(name),
            event_id=id_of(title),
            occurrence_ids=[id_of(first)],
            group_id=id_of(group),
            unit_id=id_of(GROUPS[group][0]),
            teacher_id=id_of("teacher"),
            pupils=pupils,
            adults=adults,
            wants_bus=bus,
        )
        told.append(BookingRequested(municipality_id=m, payload=request))
    told.append(
        BookingWaitlisted(
            municipality_id=m,
            payload=Waitlisting(
                booking_id=id_of("b3"), event_id=id_of("Sagan"), position=1, explanation=EXPLAINED
            ),
        )
    )
    for name, occurrence in ALLOCATED.items():
        group, title = BOOKINGS[name][0], BOOKINGS[name][1]
        allocation = Allocation(
            booking_id=id_of(name),
            event_id=id_of(title),
            occurrence_id=id_of(occurrence),
            group_id=id_of(group),
            unit_id=id_of(GROUPS[group][0]),
            seats=_seats(name),
            explanation=EXPLAINED,
        )
        told.append(SeatsAllocated(municipality_id=m, payload=allocation))
    told.append(
        BookingCancelled(
            municipality_id=m,
            payload=BookingCancellation(
                booking_id=id_of("b5"), event_id=id_of("Fossiler"), cancelled_by=id_of("teacher")
            ),
        )
    )
    told.append(
        SeatsReleased(
            municipality_id=m,
            payload=Release(
                booking_id=id_of("b5"),
                event_id=id_of("Fossiler"),
                occurrence_id=id_of("O3"),
                seats=_seats("b5"),
            ),
        )
    )
    for name in ("b1", "b4"):
        starts = OCCURRENCES[ALLOCATED[name]][0]
        trip = BusTrip(
            booking_id=id_of(name),
            event_id=id_of(BOOKINGS[name][1]),
            occurrence_id=id_of(ALLOCATED[name]),
            bus="Buss 1",
            pickup_at=starts - timedelta(minutes=30),
            pickup_place="Skolan",
            pickup_latitude=55.6,
            pickup_longitude=13.0,
            return_bus="Buss 1",
            return_at=starts + timedelta(hours=1),
            home_at=starts + timedelta(hours=1, minutes=30),
        )
        told.append(BusScheduled(municipality_id=m, payload=trip))
    unavailable = Unavailability(
        booking_id=id_of("b4"),
        event_id=id_of("Fossiler"),
        occurrence_id=id_of("O3"),
        reason=NoBusReason.TOO_NEAR,
        message="the venue is within walking distance",
    )
    told.append(BusUnavailable(municipality_id=m, payload=unavailable))
    for name, came, present, recorded in ATTENDANCE:
        group, title = BOOKINGS[name][0], BOOKINGS[name][1]
        attendance = Attendance(
            booking_id=id_of(name),
            event_id=id_of(title),
            occurrence_id=id_of(ALLOCATED[name]),
            group_id=id_of(group),
            unit_id=id_of(GROUPS[group][0]),
            came=came,
            pupils_present=present,
            recorded_at=recorded,
        )
        told.append(AttendanceRecorded(municipality_id=m, payload=attendance))
    for name, (came, present, scores, comment) in EVALUATIONS.items():
        group, title = BOOKINGS[name][0], BOOKINGS[name][1]
        evaluation = Evaluation(
            booking_id=id_of(name),
            event_id=id_of(title),
            occurrence_id=id_of(ALLOCATED[name]),
            group_id=id_of(group),
            unit_id=id_of(GROUPS[group][0]),
            came=came,
            pupils_present=present,
            scores=dict(zip(Question, scores, strict=False)),
            comment=comment,
            revision=1,
            submitted_at=NOW,
        )
        told.append(EvaluationSubmitted(municipality_id=m, payload=evaluation))
    return told


# Worked out by hand (see the module's docstring) for the whole school year 2026-27.
WHOLE_YEAR = {
    "groups_eligible": 7,
    "pupils_eligible": 132,
    "groups_reached": 5,  # g1 g2 g4 g6 g7: g3 did not come, g5 cancelled
    "pupils_reached": 97,  # 20 + 20 + 30 + 15 + 12
    "visits": 5,  # b1 b2 b4 b6 b8
    "pupil_visits": 94,  # 18 + 19 (recorded by the organizer) + 30 + 15 + 12
    "events": 3,
    "occurrences": 5,
    "seats_offered": 250,
    "seats_booked": 160,  # 22 + 22 + 28 + 33 + 11 + 17 + 11 + 16
    "seats_allocated": 138,  # 22 + 22 + 28 + 33 + 17 + 16
    "seats_used": 90,  # ended: b1 18+2, b2 19+2, b4 30+3, b8 12+4
    "capacity_used": 138 / 250,
    "cancellations": 1,
    "no_shows": 1,
    "waitlisted": 0,
    "rejected": 0,
    "visits_wanting_bus": 2,  # b1 b4
    "visits_with_bus": 1,  # b1: b4's was planned, then found too near
    "bus_share": 1 / 5,
    "evaluations": 5,
    "schools": 6,
    "schools_without_visit": 2,  # B (a no-show) and D (cancelled)
    # visits per pupil by school: A 37/40, B 0, C 1, D 0, E 1, F 1
    "gini": 2 * (3 * 0.925 + 4 + 5 + 6) / (6 * 3.925) - 7 / 6,
    # Norr 37/65, Söder 45/55; the care home has no district
    "district_gap": 45 / 55 - 37 / 65,
}
WHOLE_YEAR_SCORES = {
    Question.OVERALL: 17 / 4,
    Question.AGE_FIT: 11 / 3,
    Question.ENGAGEMENT: 12 / 3,
    Question.ARRANGEMENTS: 11 / 3,
    Question.BUS: 7 / 2,
}
# The open indicators: pupils only (the care home is not compared), 2 events, 4 occurrences.
OPEN = {
    "pupils": 120,
    "pupils_reached": 85,  # g1 g2 g4 g6
    "pupils_reached_share": round(85 / 120, 3),
    "visits_per_pupil": round(82 / 120, 2),  # 18 + 19 + 30 + 15
    "gini": round(2 * (3 * 0.925 + 4 + 5) / (5 * 2.925) - 6 / 5, 3),
    "events_per_1000_pupils": round(2 * 1000 / 120, 1),
    "occurrences_per_1000_pupils": round(4 * 1000 / 120, 1),
}
# Four visits and three scores of the visit as a whole: fewer than five, so withheld, and with
# Lillby the only municipality, the total with them.
OPEN_WITHHELD = {"visits", "capacity_used", "bus_share", "evaluation_score"}


# Reach: Lillby grows by a school G of two classes, a class at school A and a school H of one
# class, none of which asks; a dance event is offered to them and g8 of school G accepts a held
# seat for the spring (b9, from offer "o1").
#   Unreached this year: g10 at A; g9 at G (g8 was reached); g11 at H, the whole school.
#   School groups 10 (200 pupils) in schools A B C D E G H.
#   Autumn: g1 g2 g4 reached (A, C; 70 pupils), alike with and without outreach.
#   Spring: g6 by request (E; 15 pupils); with outreach g8 too (G; 33 pupils).
#   The year: 4 groups in 3 schools (85 pupils) by request; 5 in 4 (103) with outreach.
REACH_SCHOOLS = {"G": "Öster", "H": "Öster"}
REACH_GROUPS = {  # group: (school, target group, pupils)
    "g8": ("G", TargetGroup.GRADE_3, 18),
    "g9": ("G", TargetGroup.GRADE_5, 22),
    "g10": ("A", TargetGroup.GRADE_3, 24),
    "g11": ("H", TargetGroup.GRADE_5, 16),
}
DANCE_STARTS = datetime(2027, 2, 10, 9, tzinfo=UTC)


def reach_events() -> list[Event]:
    """Lillby's stream and the reach scenario's, the offer accepted at the end."""
    m = MUNICIPALITY
    told = events()
    for name, district in REACH_SCHOOLS.items():
        school = School(
            unit_id=id_of(name), name=f"Skola {name}", kind=UnitKind.SCHOOL, district=district
        )
        told.append(SchoolRegistered(municipality_id=m, payload=school))
    for name, (school_name, target, pupils) in REACH_GROUPS.items():
        group = Group(
            group_id=id_of(name),
            unit_id=id_of(school_name),
            name=name.upper(),
            target_group=target,
            size=pupils,
        )
        told.append(GroupRegistered(municipality_id=m, payload=group))
    dance = _event(
        "Dans", "org1", [TargetGroup.GRADE_3, TargetGroup.GRADE_5], {"O6": (DANCE_STARTS, 60)}
    )
    told.append(EventPublished(municipality_id=m, payload=dance))
    accepted = BookingRequest(
        booking_id=id_of("b9"),
        event_id=id_of("Dans"),
        occurrence_ids=[id_of("O6")],
        group_id=id_of("g8"),
        unit_id=id_of("G"),
        teacher_id=id_of("teacher"),
        pupils=18,
        adults=2,
        offer_id=id_of("o1"),
    )
    told.append(BookingRequested(municipality_id=m, payload=accepted))
    seated = Allocation(
        booking_id=id_of("b9"),
        event_id=id_of("Dans"),
        occurrence_id=id_of("O6"),
        group_id=id_of("g8"),
        unit_id=id_of("G"),
        seats=20,
        explanation=EXPLAINED,
    )
    told.append(SeatsAllocated(municipality_id=m, payload=seated))
    return told


# (term, requests alone, with outreach): each (schools, groups, pupils) reached of 7, 10, 200.
REACH_BY_TERM = [
    ("autumn", (2, 3, 70), (2, 3, 70)),
    ("spring", (1, 1, 15), (2, 2, 33)),
    (None, (3, 4, 85), (4, 5, 103)),
]
UNREACHED = [("Skola A", ["G10"], False), ("Skola G", ["G9"], False), ("Skola H", ["G11"], True)]
