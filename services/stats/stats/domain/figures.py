"""Reach, use and equity for one period and one slice of a municipality (a school, a district, a
target group, an event, an organizer, or all of it).

A visit is a group's seats allocated at an occurrence that was not cancelled, unless the group was
reported not to have come (a no-show). Its pupils are those reported present, else those booked.
What the organizer recorded counts before what the teacher said in the evaluation.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from kulturbro_contracts.booking import Question
from kulturbro_contracts.vocabulary import TargetGroup
from stats.domain.facts import (
    Booking,
    BookingStatus,
    Evaluation,
    Facts,
    Group,
    Occurrence,
    OfferedEvent,
)
from stats.domain.periods import Term, local_day, school_year_of, term_of


class Dimension(StrEnum):
    SCHOOL = "school"
    DISTRICT = "district"
    TARGET_GROUP = "target_group"
    EVENT = "event"
    ORGANIZER = "organizer"


@dataclass(frozen=True)
class Period:
    school_year: str
    term: Term | None = None

    def holds(self, occurrence: Occurrence, time_zone: str) -> bool:
        day = local_day(occurrence.starts_at, time_zone)
        return school_year_of(day) == self.school_year and self.term in (None, term_of(day))


@dataclass(frozen=True)
class Figures:
    groups_eligible: int
    pupils_eligible: int
    groups_reached: int
    pupils_reached: int
    reached_share: float | None
    visits: int
    pupil_visits: int
    visits_per_pupil: float | None
    events: int
    occurrences: int
    seats_offered: int
    seats_booked: int
    seats_allocated: int
    seats_used: int
    capacity_used: float | None
    cancellations: int
    no_shows: int
    waitlisted: int
    rejected: int
    visits_wanting_bus: int  # the teacher asked for the culture bus
    visits_with_bus: int  # transport planned one
    bus_share: float | None
    evaluations: int
    scores: dict[Question, float]
    schools: int
    schools_without_visit: int
    gini: float | None
    district_gap: float | None


@dataclass(frozen=True)
class Row:
    """One slice's figures, named: a school, a district, an event..."""

    key: str
    label: str
    figures: Figures


def share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def gini(values: Sequence[float]) -> float | None:
    """0 when every school has as many visits per pupil, towards 1 when one has them all."""
    ordered = sorted(values)
    total, n = sum(ordered), len(ordered)
    if n == 0 or total == 0:
        return None
    weighted = sum(rank * value for rank, value in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n


def mean_scores(evaluations: Iterable[Evaluation]) -> dict[Question, float]:
    given: dict[Question, list[int]] = defaultdict(list)
    for evaluation in evaluations:
        for question, score in evaluation.scores.items():
            given[question].append(score)
    return {q: sum(given[q]) / len(given[q]) for q in Question if given[q]}


class Municipality:
    """One municipality's facts for one period, ready to be sliced."""

    def __init__(self, facts: Facts, period: Period, now: datetime) -> None:
        self.facts, self.now = facts, now
        self.occurrences = {
            o.occurrence_id: o for o in facts.occurrences if period.holds(o, facts.time_zone)
        }
        self.by_event: dict[UUID, list[Booking]] = defaultdict(list)
        self.by_group: dict[UUID | None, list[Booking]] = defaultdict(list)
        for booking in facts.bookings:
            if booking.occurrence in self.occurrences:
                self.by_event[booking.event_id].append(booking)
                self.by_group[booking.group_id].append(booking)
        self.evaluations = {e.booking_id: e for e in facts.evaluations}
        self.groups = {g.group_id: g for g in facts.groups}
        self.schools = {s.unit_id: s for s in facts.schools}

    def whole(self, *, pupils_only: bool = False) -> Figures:
        """All of it; with pupils_only, without elderly care (for comparisons between schools)."""
        if not pupils_only:
            return self.figures(self.facts.groups, self.facts.events, by_group=False)
        groups = self.pupil_groups()
        return self.figures(groups, self._targeting(groups))

    def rows(self, dimension: Dimension) -> list[Row]:
        if dimension in (Dimension.EVENT, Dimension.ORGANIZER):
            return self._offering_rows(dimension)
        slices: dict[str, list[Group]] = defaultdict(list)
        for group in self.facts.groups:
            slices[self._key(group, dimension)].append(group)
        return [
            Row(key, self._label(key, dimension), self.figures(groups, self._targeting(groups)))
            for key, groups in sorted(slices.items())
        ]

    def figures(
        self, groups: Collection[Group], events: Collection[OfferedEvent], *, by_group: bool = True
    ) -> Figures:
        event_ids = {e.event_id for e in events}
        occurrences = [o for o in self.occurrences.values() if o.event_id in event_ids]
        bookings = self._bookings(groups, events, by_group=by_group)
        allocated = [b for b in bookings if b.status is BookingStatus.ALLOCATED]
        no_shows = [b for b in allocated if self._no_show(b)]
        visits = self._visits(allocated)
        reached = {b.group_id for b in visits}
        pupils = sum(g.pupils for g in groups)
        pupil_visits = sum(self._pupils(b) for b in visits)
        pupils_reached = sum(g.pupils for g in groups if g.group_id in reached)
        seats_offered = sum(o.capacity for o in occurrences)
        seats_allocated = sum(b.seats for b in allocated)
        evaluations = [self.evaluations[b.booking_id] for b in allocated if self._evaluated(b)]
        by_school = self._visits_per_pupil(groups, visits, lambda g: str(g.unit_id))
        by_district = self._visits_per_pupil(groups, visits, self._district)
        by_district.pop("", None)
        with_bus = sum(1 for b in visits if b.bus_scheduled)
        return Figures(
            groups_eligible=len(groups),
            pupils_eligible=pupils,
            groups_reached=sum(1 for g in groups if g.group_id in reached),
            pupils_reached=pupils_reached,
            reached_share=share(pupils_reached, pupils),
            visits=len(visits),
            pupil_visits=pupil_visits,
            visits_per_pupil=share(pupil_visits, pupils),
            events=len({o.event_id for o in occurrences}),
            occurrences=len(occurrences),
            seats_offered=seats_offered,
            seats_booked=sum(b.pupils + b.adults for b in bookings),
            seats_allocated=seats_allocated,
            seats_used=sum(self._pupils(b) + b.adults for b in visits if self._ended(b)),
            capacity_used=share(seats_allocated, seats_offered),
            cancellations=sum(1 for b in bookings if b.status is BookingStatus.CANCELLED),
            no_shows=len(no_shows),
            waitlisted=sum(1 for b in bookings if b.status is BookingStatus.WAITLISTED),
            rejected=sum(1 for b in bookings if b.status is BookingStatus.REJECTED),
            visits_wanting_bus=sum(1 for b in visits if b.wants_bus),
            visits_with_bus=with_bus,
            bus_share=share(with_bus, len(visits)),
            evaluations=len(evaluations),
            scores=mean_scores(evaluations),
            schools=len(by_school),
            schools_without_visit=sum(1 for v in by_school.values() if v == 0),
            gini=gini(list(by_school.values())),
            district_gap=max(by_district.values()) - min(by_district.values())
            if by_district
            else None,
        )

    def schools_without_visit(self) -> list[str]:
        """The schools none of whose pupils had a visit: whom to reach next."""
        return sorted(
            self._label(school, Dimension.SCHOOL)
            for school, visits in self._per_school().items()
            if visits == 0
        )

    def school_visits_per_pupil(self) -> list[float]:
        return list(self._per_school().values())

    def evaluated(self) -> list[Evaluation]:
        """The evaluations of the pupils' visits (elderly care left out)."""
        return [
            self.evaluations[b.booking_id]
            for b in self.pupil_bookings()
            if b.status is BookingStatus.ALLOCATED and self._evaluated(b)
        ]

    def pupil_bookings(self) -> list[Booking]:
        """The school groups' bookings in the period (elderly care left out)."""
        groups = self.pupil_groups()
        return self._bookings(groups, self._targeting(groups), by_group=True)

    def is_visit(self, booking: Booking) -> bool:
        return booking.status is BookingStatus.ALLOCATED and not self._no_show(booking)

    def _per_school(self) -> dict[str, float]:
        visits = self._visits(self.pupil_bookings())
        return self._visits_per_pupil(self.pupil_groups(), visits, lambda g: str(g.unit_id))

    def _visits(self, bookings: Iterable[Booking]) -> list[Booking]:
        return [b for b in bookings if self.is_visit(b)]

    def _offering_rows(self, dimension: Dimension) -> list[Row]:
        slices: dict[UUID, list[OfferedEvent]] = defaultdict(list)
        for event in self.facts.events:
            key = event.event_id if dimension is Dimension.EVENT else event.organizer_id
            slices[key].append(event)
        rows = []
        for key, events in slices.items():
            targets = {t for e in events for t in e.target_groups}
            groups = [g for g in self.facts.groups if g.target_group in targets]
            figures = self.figures(groups, events, by_group=False)
            if figures.occurrences:
                label = (
                    events[0].label
                    if dimension is Dimension.EVENT
                    else self.facts.organizers.get(key, str(key))
                )
                rows.append(Row(str(key), label, figures))
        return sorted(rows, key=lambda row: (row.label, row.key))

    def pupil_groups(self) -> list[Group]:
        return [g for g in self.facts.groups if g.target_group is not TargetGroup.ELDERLY_CARE]

    def _bookings(
        self, groups: Collection[Group], events: Collection[OfferedEvent], *, by_group: bool
    ) -> list[Booking]:
        event_ids = {e.event_id for e in events}
        if not by_group:
            return [b for e in event_ids for b in self.by_event.get(e, ())]
        # A school's or a district's few groups: their own bookings, not every one there is.
        return [
            b for g in groups for b in self.by_group.get(g.group_id, ()) if b.event_id in event_ids
        ]

    def _targeting(self, groups: Iterable[Group]) -> list[OfferedEvent]:
        targets = {g.target_group for g in groups}
        return [e for e in self.facts.events if e.target_groups & targets]

    def _key(self, group: Group, dimension: Dimension) -> str:
        if dimension is Dimension.SCHOOL:
            return str(group.unit_id)
        if dimension is Dimension.DISTRICT:
            return self._district(group)
        return group.target_group.value

    def _label(self, key: str, dimension: Dimension) -> str:
        if dimension is Dimension.SCHOOL:
            school = self.schools.get(UUID(key))
            return school.name if school else key
        return key

    def _district(self, group: Group) -> str:
        school = self.schools.get(group.unit_id)
        return (school.district or "") if school else ""

    def _visits_per_pupil(
        self, groups: Iterable[Group], visits: Iterable[Booking], place: Callable[[Group], str]
    ) -> dict[str, float]:
        pupils: dict[str, int] = defaultdict(int)
        for group in groups:
            if group.pupils:
                pupils[place(group)] += group.pupils
        encounters: dict[str, int] = defaultdict(int)
        for booking in visits:
            visitor = self.groups.get(booking.group_id) if booking.group_id else None
            if visitor is not None:
                encounters[place(visitor)] += self._pupils(booking)
        return {where: encounters[where] / count for where, count in pupils.items()}

    def _evaluated(self, booking: Booking) -> bool:
        return booking.booking_id in self.evaluations

    def _no_show(self, booking: Booking) -> bool:
        """The organizer's record counts where there is one, else the teacher's evaluation."""
        if booking.attended is not None:
            return not booking.attended
        evaluation = self.evaluations.get(booking.booking_id)
        return evaluation is not None and not evaluation.came

    def _pupils(self, booking: Booking) -> int:
        if booking.attended and booking.pupils_attended is not None:
            return booking.pupils_attended
        evaluation = self.evaluations.get(booking.booking_id)
        if evaluation is not None and evaluation.pupils_present is not None:
            return evaluation.pupils_present
        return booking.pupils

    def _ended(self, booking: Booking) -> bool:
        occurrence = self.occurrences.get(booking.occurrence) if booking.occurrence else None
        return occurrence is not None and occurrence.ends_at <= self.now
