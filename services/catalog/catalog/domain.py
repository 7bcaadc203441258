"""Events and their occurrences: the rules every change follows, and what it tells others."""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, NamedTuple
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, PrivateAttr, computed_field

from kulturbro_contracts import catalog as contract
from kulturbro_contracts import limits
from kulturbro_contracts.vocabulary import BookingPolicy, Language, LocalizedText, TargetGroup


def _in_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


UtcDateTime = Annotated[AwareDatetime, AfterValidator(_in_utc)]

# Requests gathered in these windows are decided together when the window closes.
REQUEST_WINDOW_POLICIES = frozenset({BookingPolicy.FAIR_DRAW, BookingPolicy.DISTRICT_QUOTAS})


class Category(StrEnum):
    THEATRE = "theatre"
    MUSIC = "music"
    DANCE = "dance"
    ART = "art"
    LITERATURE = "literature"
    FILM = "film"
    HERITAGE = "heritage"
    SCIENCE = "science"
    CIRCUS = "circus"
    MEDIA = "media"
    OTHER = "other"


class OrganizerKind(StrEnum):
    THEATRE = "theatre"
    MUSEUM = "museum"
    ARTIST = "artist"
    LIBRARY = "library"
    OTHER = "other"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Problem(NamedTuple):
    field: str
    message: str


class InvalidEvent(ValueError):
    """What was asked for breaks a rule; each problem names the field and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = list(problems)


class NotAllowed(Exception):
    """The event's status forbids this change."""


class UnknownOccurrence(LookupError):
    pass


def _unique(target_groups: list[TargetGroup]) -> list[TargetGroup]:
    return list(dict.fromkeys(target_groups))


class OccurrencePlan(BaseModel):
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    capacity: int = Field(
        ge=1, le=limits.MAX_SEATS, description="seats, pupils and adults together"
    )
    language: Language


class Occurrence(OccurrencePlan):
    id: UUID = Field(default_factory=uuid4)
    cancelled: bool = False
    booked_seats: int = Field(default=0, ge=0, description="seats allocated to groups so far")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def free_seats(self) -> int:
        return max(self.capacity - self.booked_seats, 0)

    def takes_place_after(self, now: datetime) -> bool:
        return not self.cancelled and self.starts_at > now

    def as_contract(self) -> contract.Occurrence:
        return contract.Occurrence(
            occurrence_id=self.id,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            capacity=self.capacity,
            language=self.language,
        )


class ReleaseDates(BaseModel):
    """When held-back seats, and district quotas, give way: set with the event, and changed by the
    culture office."""

    held_back_release_on: date | None = Field(
        default=None,
        description="the day the held-back seats not taken go to the waiting list; none: "
        "7 days after the booking window closes",
    )
    quota_release_on: date | None = Field(
        default=None,
        description="the day the seats districts have not used become free for all; none: "
        "3 days after the booking window closes",
    )


class EventDetails(ReleaseDates):
    title: LocalizedText
    description: LocalizedText
    category: Category
    target_groups: Annotated[list[TargetGroup], AfterValidator(_unique)] = Field(min_length=1)
    duration_minutes: int = Field(ge=1, le=limits.MAX_DURATION_MINUTES)
    venue: contract.Venue
    max_group_size: int = Field(
        ge=1, le=limits.MAX_GROUP_SEATS, description="seats one group may take, adults included"
    )
    adults_per_group: int = Field(
        ge=0, le=limits.MAX_ADULTS_PER_GROUP, description="adults who must come with each group"
    )
    needed_occurrences: int = Field(
        default=1,
        ge=1,
        le=limits.MAX_NEEDED_OCCURRENCES,
        description="occurrences each group attends",
    )
    booking_policy: BookingPolicy
    booking_opens_at: UtcDateTime | None = None
    booking_closes_at: UtcDateTime | None = None
    cancellation_deadline_days: int = Field(
        default=7, ge=0, le=limits.MAX_CANCELLATION_DEADLINE_DAYS
    )
    held_back_share: int = Field(
        default=15,
        ge=0,
        le=100,
        description="percent of each occurrence's seats held out of the draw and offered to "
        "groups with no visit this school year (0: none held)",
    )


def effective_release_dates(closes: datetime | None, dates: ReleaseDates) -> ReleaseDates:
    """The days that apply: the office's, or the defaults counted from the window's close."""
    if closes is None:
        return dates
    held_back = closes + contract.HELD_BACK_RELEASE_AFTER
    quotas = closes + contract.QUOTA_RELEASE_AFTER
    return ReleaseDates(
        held_back_release_on=dates.held_back_release_on or held_back.date(),
        quota_release_on=dates.quota_release_on or quotas.date(),
    )


class OutreachSettings(ReleaseDates):
    held_back_share: int = Field(ge=0, le=100, description="percent; 0 holds no seats back")


def _release_problems(closes: datetime | None, dates: ReleaseDates) -> Iterator[Problem]:
    for field in ReleaseDates.model_fields:
        day: date | None = getattr(dates, field)
        if day is None:
            continue
        if closes is None:
            yield Problem(
                field,
                "the event has no booking window to release after; give the booking window "
                "first, or leave the date empty",
            )
        elif day <= closes.date():
            yield Problem(
                field,
                f"{day.isoformat()} is not after the booking window closes "
                f"({_when(closes)}); give a later day, or leave it empty for the default",
            )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _details_problems(details: EventDetails) -> Iterator[Problem]:
    yield from _release_problems(details.booking_closes_at, details)
    if details.adults_per_group >= details.max_group_size:
        yield Problem(
            "adults_per_group",
            f"{details.adults_per_group} adults leave no seat for anyone else in a group of at "
            f"most {details.max_group_size}",
        )
    if details.booking_policy in REQUEST_WINDOW_POLICIES:
        window = f"the {details.booking_policy.value} policy gathers requests in a window"
        if details.booking_opens_at is None:
            yield Problem("booking_opens_at", f"{window}: say when it opens")
        if details.booking_closes_at is None:
            yield Problem("booking_closes_at", f"{window}: say when it closes")
    opens, closes = details.booking_opens_at, details.booking_closes_at
    if opens is not None and closes is not None and closes <= opens:
        yield Problem("booking_closes_at", "the booking window must close after it opens")


def _own_problems(plan: OccurrencePlan, now: datetime) -> Iterator[Problem]:
    if plan.ends_at <= plan.starts_at:
        yield Problem("ends_at", "an occurrence must end after it starts")
    if plan.starts_at <= now:
        yield Problem("starts_at", f"{_when(plan.starts_at)} has passed; give a time to come")


class _Conflict(NamedTuple):
    details_field: str
    occurrence_field: str
    message: str


def _conflicts(details: EventDetails, plan: OccurrencePlan) -> Iterator[_Conflict]:
    """Where an occurrence and the event's details contradict each other; either may be at fault."""
    starts = f"the occurrence starting {_when(plan.starts_at)}"
    if plan.capacity < details.max_group_size:
        yield _Conflict(
            "max_group_size",
            "capacity",
            f"{starts} has {plan.capacity} seats, fewer than the maximum group size "
            f"({details.max_group_size}), so a whole group would not fit",
        )
    opens, closes = details.booking_opens_at, details.booking_closes_at
    if opens is not None and plan.starts_at <= opens:
        yield _Conflict(
            "booking_opens_at",
            "starts_at",
            f"{starts} begins before booking opens ({_when(opens)}), so no one could book it",
        )
    if (
        details.booking_policy in REQUEST_WINDOW_POLICIES
        and closes is not None
        and plan.starts_at <= closes
    ):
        yield _Conflict(
            "booking_closes_at",
            "starts_at",
            f"{starts} begins before the request window closes ({_when(closes)}); requests are "
            "decided when it closes",
        )


def _window_problems(
    details: EventDetails, occurrences: Sequence[OccurrencePlan], now: datetime
) -> Iterator[Problem]:
    """Whether the teachers a publication invites could book: a window that has closed, or that
    outlasts every occurrence, would invite them to book what they cannot."""
    closes = details.booking_closes_at
    if closes is None:
        return
    if closes <= now:
        yield Problem(
            "booking_closes_at",
            f"booking closed {_when(closes)}, so no teacher invited now could book; give a "
            "closing time to come, or none to take bookings until the occurrences start",
        )
        return
    last = max((o.starts_at for o in occurrences), default=None)
    if last is not None and closes > last:
        yield Problem(
            "booking_closes_at",
            f"booking closes {_when(closes)}, after the last occurrence starts ({_when(last)}); "
            "close it by then",
        )


def _occurrence_problems(
    details: EventDetails, plan: OccurrencePlan, now: datetime, prefix: str = ""
) -> list[Problem]:
    problems = [*_own_problems(plan, now)]
    problems += [Problem(c.occurrence_field, c.message) for c in _conflicts(details, plan)]
    return [Problem(prefix + p.field, p.message) for p in problems]


def _refuse_any(problems: Sequence[Problem]) -> None:
    if problems:
        raise InvalidEvent(problems)


class Event(EventDetails):
    """An organizer's offering to a municipality's target groups; the aggregate of its occurrences.

    Every change is checked whole, and a change others must hear of leaves a fact in `facts`.
    """

    id: UUID = Field(default_factory=uuid4)
    municipality_id: str
    organizer_id: UUID
    status: EventStatus = EventStatus.DRAFT
    version: int = Field(default=1, description="grows by one with every change")
    occurrences: list[Occurrence] = []
    _facts: list[contract.CatalogEvent] = PrivateAttr(default_factory=list)

    @classmethod
    def draft(
        cls,
        municipality_id: str,
        organizer_id: UUID,
        details: EventDetails,
        plans: Sequence[OccurrencePlan],
        now: datetime,
    ) -> "Event":
        problems = [*_details_problems(details)]
        for index, plan in enumerate(plans):
            problems += _occurrence_problems(details, plan, now, prefix=f"occurrences.{index}.")
        _refuse_any(problems)
        event = cls(
            municipality_id=municipality_id,
            organizer_id=organizer_id,
            occurrences=[Occurrence(**plan.model_dump()) for plan in plans],
            **details.model_dump(include=set(EventDetails.model_fields)),
        )
        event._keep_in_order()
        return event

    @property
    def facts(self) -> list[contract.CatalogEvent]:
        return self._facts

    @property
    def details(self) -> EventDetails:
        return EventDetails.model_validate(self.model_dump(include=set(EventDetails.model_fields)))

    def upcoming(self, now: datetime) -> list[Occurrence]:
        return [o for o in self.occurrences if o.takes_place_after(now)]

    def set_outreach(self, settings: OutreachSettings) -> None:
        """The culture office's word on held-back seats and when they, and quotas, give way."""
        self._still_open()
        _refuse_any([*_release_problems(self.booking_closes_at, settings)])
        details = self.details.model_copy(update=settings.model_dump())
        if details == self.details:
            return
        for field in OutreachSettings.model_fields:
            setattr(self, field, getattr(settings, field))
        self._changed()
        self._tell_changed()

    def revise(self, details: EventDetails, now: datetime) -> None:
        self._still_open()
        problems = [*_details_problems(details)]
        for occurrence in self.upcoming(now):
            problems += [
                Problem(c.details_field, c.message) for c in _conflicts(details, occurrence)
            ]
        _refuse_any(list(dict.fromkeys(problems)))
        if details == self.details:
            return
        for field in EventDetails.model_fields:
            setattr(self, field, getattr(details, field))
        self._changed()
        self._tell_changed()

    def add_occurrence(self, plan: OccurrencePlan, now: datetime) -> Occurrence:
        self._still_open()
        _refuse_any(_occurrence_problems(self, plan, now))
        occurrence = Occurrence(**plan.model_dump())
        self.occurrences.append(occurrence)
        self._keep_in_order()
        self._changed()
        if self.status is EventStatus.PUBLISHED:
            self._tell(
                contract.OccurrenceScheduled(
                    municipality_id=self.municipality_id, payload=self._of_event(occurrence)
                )
            )
        return occurrence

    def change_occurrence(self, occurrence_id: UUID, plan: OccurrencePlan, now: datetime) -> None:
        self._still_open()
        occurrence = self._occurrence(occurrence_id)
        if occurrence.cancelled:
            raise NotAllowed("this occurrence is cancelled; add a new one instead")
        problems = _occurrence_problems(self, plan, now)
        if plan.capacity < occurrence.booked_seats:
            problems.append(
                Problem(
                    "capacity",
                    f"{occurrence.booked_seats} seats are booked already; the capacity cannot "
                    "go below that",
                )
            )
        _refuse_any(problems)
        if plan == OccurrencePlan.model_validate(occurrence.model_dump()):
            return
        for field in OccurrencePlan.model_fields:
            setattr(occurrence, field, getattr(plan, field))
        self._keep_in_order()
        self._changed()
        if self.status is EventStatus.PUBLISHED:
            self._tell(
                contract.OccurrenceChanged(
                    municipality_id=self.municipality_id, payload=self._of_event(occurrence)
                )
            )

    def remove_occurrence(self, occurrence_id: UUID, reason: str = "") -> None:
        """A draft's occurrence goes; a published one is cancelled instead, since groups may
        have asked for it, and whoever holds bookings is told."""
        self._still_open()
        occurrence = self._occurrence(occurrence_id)
        if self.status is EventStatus.DRAFT:
            self.occurrences.remove(occurrence)
            self._changed()
            return
        if occurrence.cancelled:
            return
        occurrence.cancelled = True
        self._changed()
        self._tell(
            contract.OccurrenceCancelled(
                municipality_id=self.municipality_id,
                payload=contract.OccurrenceCancellation(
                    event_id=self.id, occurrence_id=occurrence.id, reason=reason
                ),
            )
        )

    def publish(self, now: datetime) -> None:
        if self.status is not EventStatus.DRAFT:
            raise NotAllowed(f"the event is {self.status.value}; only a draft can be published")
        problems = [*_details_problems(self), *_window_problems(self, self.occurrences, now)]
        for index, occurrence in enumerate(self.occurrences):
            problems += _occurrence_problems(self, occurrence, now, f"occurrences.{index}.")
        if not self.occurrences:
            problems.append(Problem("occurrences", "add at least one occurrence to publish"))
        elif self.needed_occurrences > len(self.occurrences):
            problems.append(
                Problem(
                    "needed_occurrences",
                    f"each group needs {self.needed_occurrences} occurrences but the event has "
                    f"{len(self.occurrences)}",
                )
            )
        _refuse_any(problems)
        self.status = EventStatus.PUBLISHED
        self._changed()
        self._tell(
            contract.EventPublished(
                municipality_id=self.municipality_id, payload=self._as_published()
            )
        )

    def cancel(self, reason: str = "") -> None:
        if self.status is not EventStatus.PUBLISHED:
            raise NotAllowed(
                "a draft is deleted, not cancelled"
                if self.status is EventStatus.DRAFT
                else "the event is cancelled already"
            )
        self.status = EventStatus.CANCELLED
        self._changed()
        self._tell(
            contract.EventCancelled(
                municipality_id=self.municipality_id,
                payload=contract.EventCancellation(event_id=self.id, reason=reason),
            )
        )

    def ensure_deletable(self) -> None:
        if self.status is not EventStatus.DRAFT:
            raise NotAllowed(
                f"the event is {self.status.value}; only a draft can be deleted, a published "
                "event is cancelled instead"
            )

    def _still_open(self) -> None:
        if self.status is EventStatus.CANCELLED:
            raise NotAllowed("the event is cancelled; it cannot change any more")

    def _occurrence(self, occurrence_id: UUID) -> Occurrence:
        for occurrence in self.occurrences:
            if occurrence.id == occurrence_id:
                return occurrence
        raise UnknownOccurrence(f"the event has no occurrence {occurrence_id}")

    def _keep_in_order(self) -> None:
        self.occurrences.sort(key=lambda o: (o.starts_at, str(o.id)))

    def _changed(self) -> None:
        self.version += 1

    def _tell(self, fact: contract.CatalogEvent) -> None:
        self._facts.append(fact)

    def _tell_changed(self) -> None:
        if self.status is EventStatus.PUBLISHED:
            self._tell(
                contract.EventChanged(
                    municipality_id=self.municipality_id, payload=self._as_published()
                )
            )

    def _of_event(self, occurrence: Occurrence) -> contract.OccurrenceOfEvent:
        return contract.OccurrenceOfEvent(event_id=self.id, occurrence=occurrence.as_contract())

    def _as_published(self) -> contract.PublishedEvent:
        return contract.PublishedEvent(
            event_id=self.id,
            organizer_id=self.organizer_id,
            occurrences=[o.as_contract() for o in self.occurrences if not o.cancelled],
            **self.details.model_dump(),
        )
