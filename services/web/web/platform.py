"""The platform's public API as the pages use it: through the gateway, with the reader's own
token, like any mobile app. Its refusals become exceptions the pages know how to show."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel, ConfigDict

from kulturbro_contracts.catalog import Venue
from kulturbro_contracts.vocabulary import BookingPolicy, InvitationPreference, Language
from kulturbro_runtime.client_address import CLIENT_ADDRESS_HEADER
from kulturbro_runtime.telemetry import inject_headers

_Row = TypeVar("_Row", bound=BaseModel)


class PlatformError(Exception):
    """The platform did not do what a page asked."""


class SignInAgain(PlatformError):
    """401: no session, or one the platform no longer honours."""


class NotFound(PlatformError):
    """403 or 404: either way the reader is shown nothing of it."""


class Forbidden(NotFound):
    """403, for the few pages that tell it apart (a sign-in that found no account)."""


class TooMany(PlatformError):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class FieldProblem(BaseModel):
    field: str
    message: str


class Refused(PlatformError):
    """422: what was sent breaks a rule, field by field where the platform says which."""

    def __init__(
        self, detail: str, problems: list[FieldProblem], errors: list[Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.problems = problems
        # Every error as the platform gave it, also those not about one field (a file's line).
        self.errors = errors or []


class Conflict(PlatformError):
    """409: the thing's state forbids this now (a cancelled event cannot be published)."""

    def __init__(self, detail: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.body = body or {}  # what else the platform said: which rule, what would work


class Gone(PlatformError):
    """410: what was asked for is over (an offer past its deadline or withdrawn)."""


class ServiceDown(PlatformError):
    """5xx, or no answer in time: a service is away, so the page says so."""


class _Lenient(BaseModel):
    # The platform may add fields; a page keeps working with the ones it knows.
    model_config = ConfigDict(extra="ignore")


class TokenPair(_Lenient):
    access_token: str
    refresh_token: str
    expires_in: int


class Me(_Lenient):
    account_id: str
    email: str
    role: str
    municipality_id: str | None
    organizer_id: str | None


class OccurrenceListing(_Lenient):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    language: Language
    capacity: int
    free_seats: int


class EventListing(_Lenient):
    id: UUID
    municipality_id: str | None = None
    title: dict[Language, str]
    description: dict[Language, str]
    category: str
    target_groups: list[str]
    duration_minutes: int
    venue: Venue
    max_group_size: int
    adults_per_group: int
    organizer_name: str
    occurrences: list[OccurrenceListing]
    needed_occurrences: int = 1
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    cancellation_deadline_days: int = 7
    held_back_share: int = 0
    held_back_release_on: date | None = None
    quota_release_on: date | None = None


class EventPage(_Lenient):
    items: list[EventListing]
    page: int
    page_size: int
    total: int


class Municipality(_Lenient):
    id: str
    name: str
    languages: list[Language]
    time_zone: str
    districts: list[str] = []


class Group(_Lenient):
    id: UUID
    unit_id: UUID
    name: str
    target_group: str
    size: int


class EventForGroups(EventListing):
    for_groups: list[UUID]


class EventsForGroupsPage(_Lenient):
    items: list[EventForGroups]
    page: int
    page_size: int
    total: int


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class BookingRequest(BaseModel):
    """What a teacher asks for, as the booking service takes it."""

    group_id: UUID
    event_id: UUID
    occurrence_ids: list[UUID]
    pupils: int
    adults: int
    wheelchair_places: int
    wants_bus: bool
    note: str


class Booking(_Lenient):
    id: UUID
    event_id: UUID
    group_id: UUID
    occurrence_ids: list[UUID]
    pupils: int
    adults: int
    wheelchair_places: int
    wants_bus: bool
    note: str
    status: BookingStatus
    occurrence_id: UUID | None
    waitlist_position: int | None
    explanation: dict[str, str]
    requested_at: datetime


class Preferences(_Lenient):
    language: Language
    invitations: InvitationPreference | None = None


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class OwnOccurrence(_Lenient):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int
    language: Language
    cancelled: bool = False
    booked_seats: int = 0


class OwnEvent(_Lenient):
    """One of the organizer's own events, in any status, as the catalog keeps it."""

    id: UUID
    status: EventStatus
    title: dict[Language, str]
    description: dict[Language, str]
    category: str
    target_groups: list[str]
    duration_minutes: int
    venue: Venue
    max_group_size: int
    adults_per_group: int
    needed_occurrences: int = 1
    booking_policy: BookingPolicy
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    cancellation_deadline_days: int = 7
    held_back_share: int = 15
    held_back_release_on: date | None = None
    quota_release_on: date | None = None
    occurrences: list[OwnOccurrence] = []


class Participant(_Lenient):
    """A confirmed group of one occurrence, as the organizer's participant list shows it."""

    booking_id: UUID
    group_name: str
    unit_name: str | None = None
    pupils: int
    adults: int
    wheelchair_places: int
    wants_bus: bool
    note: str = ""
    came: bool | None = None
    pupils_present: int | None = None


class EventSearch(BaseModel):
    """A public listing's filters, as the catalog takes them."""

    target_group: str | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    district: str | None = None
    category: str | None = None
    q: str | None = None
    page: int = 1

    def params(self) -> dict[str, str]:
        named = {"from": self.starts_from, "to": self.starts_before}
        values: dict[str, Any] = self.model_dump(exclude={"starts_from", "starts_before"}) | named
        return {
            key: value.isoformat() if isinstance(value, datetime) else str(value)
            for key, value in values.items()
            if value not in (None, "")
        }


class ImportKindReport(_Lenient):
    added: list[str] = []
    changed: list[str] = []
    removed: list[str] = []


class ImportReport(_Lenient):
    """The directory's report of an import: what it added, changed and removed."""

    source: str
    dry_run: bool
    units: ImportKindReport
    groups: ImportKindReport
    teachers: ImportKindReport
    assignments: ImportKindReport
    notes: list[str] = []


MOST = {"limit": "500"}


class DirectoryUnit(_Lenient):
    """A school, preschool or care home as the culture office browses them."""

    id: UUID
    name: str
    kind: str
    district: str | None = None


class DirectoryGroup(_Lenient):
    id: UUID
    unit_id: UUID
    name: str
    target_group: str
    size: int


class DirectoryTeacher(_Lenient):
    id: UUID
    name: str
    email: str
    language: Language
    invitations: str
    group_ids: list[UUID] = []


class FleetBus(_Lenient):
    name: str
    seats: int
    wheelchair_places: int = 0


class MunicipalitySettings(Municipality):
    """What the culture office keeps of its municipality (the first language is the default)."""

    default_booking_policy: BookingPolicy = BookingPolicy.FAIR_DRAW
    bus_fleet: list[FleetBus] = []
    area: "Area | None" = None


class Area(_Lenient):
    """A box around the municipality: an import refuses a unit outside it."""

    south: float
    north: float
    west: float
    east: float


class AuditEntry(_Lenient):
    """One request through the gateway, as its audit log keeps it."""

    at: datetime
    account_id: UUID | None = None
    role: str | None = None
    method: str
    path: str
    status: int


class FairnessFigures(_Lenient):
    """How evenly this term's seats fall on the municipality's schools (allocation's figures)."""

    events: int
    schools: int
    gini: float
    lowest_seats_per_pupil: float
    schools_reached: float
    groups_reached: float
    capacity_used: float
    seats_per_pupil: dict[UUID, float]


class DrawState(StrEnum):
    OPEN = "open"
    DUE = "due"
    DRAWN = "drawn"


class DrawSummary(_Lenient):
    """One of the municipality's events that a draw decides, and where its draw stands."""

    event_id: UUID
    title: dict[Language, str]
    policy: BookingPolicy
    booking_closes_at: datetime | None = None
    drawn_at: datetime | None = None
    requests: int
    state: DrawState


class DrawnOccurrence(_Lenient):
    id: UUID
    starts_at: datetime
    capacity: int
    cancelled: bool = False


class DrawOutcome(StrEnum):
    ALLOCATED = "allocated"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"


class DrawnRequest(_Lenient):
    booking_id: UUID
    school: str
    group: str
    district: str | None = None
    pupils: int
    adults: int
    choices: list[UUID]
    requested_at: datetime
    outcome: DrawOutcome
    occurrence_id: UUID | None = None
    choice: int | None = None
    rank: int | None = None
    position: int | None = None
    reason: str | None = None


class DrawAudit(_Lenient):
    """A draw as the allocation recorded it: its seed and inputs, its requests in its order."""

    event_id: UUID
    title: dict[Language, str]
    policy: BookingPolicy
    seed: int
    drawn_at: datetime
    occurrences: list[DrawnOccurrence]
    requests: list[DrawnRequest]


class OfferedOrganizer(_Lenient):
    """An organizer in the municipality's offering, with where its bookings are mailed."""

    id: UUID
    name: str
    kind: str
    contact_email: str


class RegisteredOrganizer(_Lenient):
    """An organizer some municipality registered, as another one finds it to add."""

    id: UUID
    name: str
    kind: str
    in_your_offering: bool


class StaffAccount(_Lenient):
    id: UUID
    email: str
    role: str
    organizer_id: str | None = None
    active: bool = True


class Question(StrEnum):
    OVERALL = "overall"
    AGE_FIT = "age_fit"
    ENGAGEMENT = "engagement"
    ARRANGEMENTS = "arrangements"
    BUS = "bus"


class EvaluationAnswers(_Lenient):
    came: bool
    pupils_present: int | None = None
    scores: dict[Question, int] = {}
    comment: str = ""


class EvaluationState(_Lenient):
    """A visit's evaluation as the booking service keeps it: what is asked, from when, what
    was answered and until when it can be corrected."""

    booking_id: UUID
    event_id: UUID
    questions: list[Question]
    opens_at: datetime | None = None
    correctable_until: datetime | None = None
    given: EvaluationAnswers | None = None


OWN_PAGE_SIZE = 20


class DeletionRequest(_Lenient):
    """A teacher's request that her data be deleted, for her municipality's culture office."""

    id: UUID
    subject: str | None = None
    requested_at: datetime
    reason: str = ""
    handled_at: datetime | None = None
    handled_by: str | None = None
    handled_note: str = ""


class BusTrip(_Lenient):
    bus: str
    pickup_at: datetime
    pickup_place: str
    return_bus: str = ""
    return_at: datetime
    home_at: datetime


class BookingBus(_Lenient):
    """A booking's culture bus: the trip, or why there is none, or neither while it is planned."""

    trip: BusTrip | None = None
    reason: str | None = None


class BusStop(_Lenient):
    at: datetime
    kind: str  # pick_up, drop_off
    leg: str  # there, back
    booking_id: UUID
    place: str
    travellers: int
    wheelchair_places: int
    on_board: int


class BusRun(_Lenient):
    bus: str
    seats: int
    wheelchair_places: int
    leaves_depot: datetime
    back_at_depot: datetime
    km: float
    most_on_board: int
    stops: list[BusStop]


class Fix(_Lenient):
    """One thing to change so that a class gets a bus: transport's code and its values."""

    code: str
    params: dict[str, str] = {}


class Unserved(_Lenient):
    booking_id: UUID
    reason: str
    what_to_fix: str | None = None  # the transport service's words, in English
    fixes: list[Fix] = []  # the same as codes, for the page to say in the reader's language


class Placement(_Lenient):
    booking_id: UUID
    bus: str
    moved_by: str
    moved_at: datetime


class RunSheet(_Lenient):
    """The operator's run sheet of a day: when it goes out, the latest sent, or why none does."""

    sends_at: datetime
    revision: int | None = None
    issued_at: datetime | None = None
    not_sent_because: str | None = None


class DayPlan(_Lenient):
    day: date
    frozen: bool
    run_sheet: RunSheet | None = None
    buses: list[BusRun]
    unserved: list[Unserved]
    km: float
    placed_by_hand: list[Placement] = []


class OwnEventPage(_Lenient):
    """A page of an organizer's events of one status."""

    status: EventStatus
    page: int
    page_size: int
    total: int
    items: list[OwnEvent]


class Figures(_Lenient):
    """One slice of a school year's figures, as the stats service computes them."""

    groups_eligible: int = 0
    pupils_eligible: int = 0
    groups_reached: int = 0
    pupils_reached: int = 0
    reached_share: float | None = None
    visits: int = 0
    visits_per_pupil: float | None = None
    events: int = 0
    occurrences: int = 0
    seats_offered: int = 0
    seats_allocated: int = 0
    seats_used: int = 0
    capacity_used: float | None = None
    cancellations: int = 0
    no_shows: int = 0
    waitlisted: int = 0
    visits_with_bus: int = 0
    bus_share: float | None = None
    evaluations: int = 0
    scores: dict[Question, float] = {}
    schools: int = 0
    schools_without_visit: int = 0
    gini: float | None = None
    district_gap: float | None = None


class FiguresRow(Figures):
    key: str
    label: str


class StatisticsIndex(_Lenient):
    school_years: list[str]
    fresh_as_of: datetime | None = None


class Statistics(_Lenient):
    school_year: str
    term: str | None = None
    fresh_as_of: datetime | None = None
    total: Figures
    by: str
    rows: list[FiguresRow]
    schools_without_visit: list[str] = []


class QuestionResult(_Lenient):
    question: Question
    answers: int
    mean: float
    counts: dict[int, int]


class EventResults(_Lenient):
    """An event's evaluations: the figures only where enough groups answered."""

    event_id: UUID
    title: dict[str, str]
    organizer: str | None = None
    groups_answered: int
    shown: bool
    more_needed: int
    came: int | None = None
    did_not_come: int | None = None
    questions: list[QuestionResult] = []
    comments: list[str] = []


class EvaluationResults(_Lenient):
    fresh_as_of: datetime | None = None
    minimum_groups: int
    events: list[EventResults]


class ReachGoal(_Lenient):
    visits_per_group: int
    groups_percent: int


class UnreachedGroup(_Lenient):
    group_id: UUID
    name: str | None = None
    target_group: str
    pupils: int


class SchoolNotReached(_Lenient):
    unit_id: UUID
    name: str
    district: str | None = None
    whole_school: bool
    groups: list[UnreachedGroup]


class Unreached(_Lenient):
    school_year: str
    fresh_as_of: datetime | None = None
    goal: ReachGoal
    groups_unreached: int
    schools_unreached: int
    schools: list[SchoolNotReached]


class ReachFigures(_Lenient):
    schools: int
    groups: int
    pupils: int
    schools_reached: int
    groups_reached: int
    pupils_reached: int
    schools_share: float | None = None
    groups_share: float | None = None


class ReachInTerm(_Lenient):
    term: str | None = None
    requests_alone: ReachFigures
    with_outreach: ReachFigures
    groups_meeting_goal: int
    groups_needed: int
    goal_met: bool


class ReachByTerm(_Lenient):
    school_year: str
    fresh_as_of: datetime | None = None
    goal: ReachGoal
    terms: list[ReachInTerm]


class OfferState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class Offer(_Lenient):
    """A place held for a teacher's class: what, when, for how many, until when."""

    offer_id: UUID
    event_id: UUID
    title: dict[Language, str]
    venue: str
    occurrence_id: UUID
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    group_id: UUID
    group_name: str
    pupils: int
    adults: int
    seats: int
    deadline: datetime
    state: OfferState
    booking_id: UUID | None = None
    explanation: dict[Language, str] = {}


@dataclass(frozen=True)
class Download:
    body: bytes
    content_type: str
    disposition: str


class Platform:
    """One shared HTTP client for every page's calls to the gateway."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def _call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        address: str | None = None,
        language: Language | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = {"Accept": "application/json"} | inject_headers()  # the page's trace goes on
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if address:
            headers[CLIENT_ADDRESS_HEADER] = address
        if language:
            headers["Accept-Language"] = language.value
        try:
            answer = await self._send(method, path, headers, json, params)
        except httpx.TransportError as error:
            raise ServiceDown(f"{path}: {error!r}") from error
        if answer.status_code < 300:
            return answer.json() if answer.content else None
        detail = _detail(answer)
        if answer.status_code == 401:
            raise SignInAgain(detail)
        if answer.status_code == 403:
            raise Forbidden(detail)
        if answer.status_code == 404:
            raise NotFound(detail)
        if answer.status_code == 422:
            body = _json(answer)
            errors = body.get("errors", []) if isinstance(body, dict) else []
            errors = errors if isinstance(errors, list) else []
            problems = [
                FieldProblem.model_validate(p)
                for p in errors
                if isinstance(p, dict) and "field" in p
            ]
            raise Refused(detail, problems, errors)
        if answer.status_code == 409:
            body = _json(answer)
            raise Conflict(detail, body if isinstance(body, dict) else None)
        if answer.status_code == 410:
            raise Gone(detail)
        if answer.status_code == 429:
            retry = answer.headers.get("Retry-After", "60")
            raise TooMany(detail, int(retry) if retry.isdigit() else 60)
        if answer.status_code >= 500:
            raise ServiceDown(f"{path}: {answer.status_code} {detail}")
        raise PlatformError(f"{path}: {answer.status_code} {detail}")

    async def _send(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        json: Any,
        params: dict[str, str] | None,
    ) -> httpx.Response:
        try:
            return await self.client.request(
                method, path, headers=headers, json=json, params=params
            )
        except (httpx.RemoteProtocolError, httpx.ReadError):
            # A kept-alive connection the gateway closed just as it was reused. A reading call
            # is asked again, once, on a fresh one; a write may have been done, so it is not.
            if method != "GET":
                raise
            return await self.client.request(
                method, path, headers=headers, json=json, params=params
            )

    async def sign_in_with_password(self, email: str, password: str, address: str) -> TokenPair:
        body = {"email": email, "password": password}
        found = await self._call("POST", "/auth/password", json=body, address=address)
        return TokenPair.model_validate(found)

    async def sign_in_with_identity_provider(self, id_token: str, address: str) -> TokenPair:
        body = {"id_token": id_token}
        found = await self._call("POST", "/auth/oidc", json=body, address=address)
        return TokenPair.model_validate(found)

    async def send_sign_in_link(self, email: str, address: str) -> None:
        await self._call("POST", "/auth/magic-link", json={"email": email}, address=address)

    async def redeem_sign_in_link(self, token: str, address: str) -> TokenPair:
        body = {"token": token}
        found = await self._call("POST", "/auth/magic-link/redeem", json=body, address=address)
        return TokenPair.model_validate(found)

    async def refresh(self, refresh_token: str, address: str | None) -> TokenPair:
        body = {"refresh_token": refresh_token}
        found = await self._call("POST", "/auth/refresh", json=body, address=address)
        return TokenPair.model_validate(found)

    async def sign_out(self, refresh_token: str, address: str | None) -> None:
        body = {"refresh_token": refresh_token}
        await self._call("POST", "/auth/sign-out", json=body, address=address)

    async def me(self, token: str) -> Me:
        return Me.model_validate(await self._call("GET", "/auth/me", token=token))

    async def my_preferences(self, token: str) -> Preferences:
        found = await self._call("GET", "/api/directory/me/preferences", token=token)
        return Preferences.model_validate(found)

    async def change_my_preferences(
        self, token: str, language: Language, invitations: InvitationPreference
    ) -> Preferences:
        body = {"language": language.value, "invitations": invitations.value}
        found = await self._call("PATCH", "/api/directory/me/preferences", token=token, json=body)
        return Preferences.model_validate(found)

    async def my_groups(self, token: str) -> list[Group]:
        # A teacher's own groups are few: one page of the most the directory gives is all of them.
        found = await self._call("GET", "/api/directory/groups", token=token, params=MOST)
        return [Group.model_validate(group) for group in found]

    async def events_for_my_groups(self, token: str, search: EventSearch) -> EventsForGroupsPage:
        found = await self._call(
            "GET", "/api/catalog/events/for-my-groups", token=token, params=search.params()
        )
        return EventsForGroupsPage.model_validate(found)

    async def book(self, token: str, request: BookingRequest, language: Language) -> Booking:
        # A second post of the same form is refused by the group's booking limit, not doubled.
        body = request.model_dump(mode="json")
        found = await self._call(
            "POST", "/api/booking/bookings", token=token, language=language, json=body
        )
        return Booking.model_validate(found)

    async def my_bookings(self, token: str) -> list[Booking]:
        found = await self._call("GET", "/api/booking/bookings/mine", token=token)
        return [Booking.model_validate(booking) for booking in found]

    async def cancel_booking(self, token: str, booking_id: UUID, language: Language) -> Booking:
        path = f"/api/booking/bookings/{booking_id}"
        found = await self._call("DELETE", path, token=token, language=language)
        return Booking.model_validate(found)

    async def public_municipality(self, municipality_id: str, address: str | None) -> Municipality:
        path = f"/api/directory/public/municipalities/{municipality_id}"
        return Municipality.model_validate(await self._call("GET", path, address=address))

    async def public_events(
        self, municipality_id: str, search: EventSearch, address: str | None
    ) -> EventPage:
        path = f"/api/catalog/public/{municipality_id}/events"
        found = await self._call("GET", path, params=search.params(), address=address)
        return EventPage.model_validate(found)

    async def public_event(self, event_id: UUID, address: str | None) -> EventListing:
        found = await self._call("GET", f"/api/catalog/public/events/{event_id}", address=address)
        return EventListing.model_validate(found)

    async def import_csv(
        self, token: str, files: dict[str, str], dry_run: bool, address: str | None
    ) -> ImportReport:
        body = {"units": files["units"], "groups": files["groups"], "teachers": files["teachers"]}
        found = await self._call(
            "POST",
            "/api/directory/imports/csv",
            token=token,
            address=address,
            json=body | {"dry_run": dry_run},
        )
        return ImportReport.model_validate(found)

    async def import_ss12000(
        self, token: str, url: str, ss12000_token: str, dry_run: bool, address: str | None
    ) -> ImportReport:
        body = {"url": url, "token": ss12000_token, "dry_run": dry_run}
        found = await self._call(
            "POST", "/api/directory/imports/ss12000", token=token, address=address, json=body
        )
        return ImportReport.model_validate(found)

    async def my_events(self, token: str, status: EventStatus, page: int) -> OwnEventPage:
        params = {"status": status.value, "page": str(page), "page_size": str(OWN_PAGE_SIZE)}
        found = await self._call("GET", "/api/catalog/events/mine/page", token=token, params=params)
        return OwnEventPage.model_validate(found)

    async def my_event(self, token: str, event_id: UUID) -> OwnEvent:
        found = await self._call("GET", f"/api/catalog/events/{event_id}", token=token)
        return OwnEvent.model_validate(found)

    async def draft_event(self, token: str, body: dict[str, Any]) -> OwnEvent:
        found = await self._call("POST", "/api/catalog/events", token=token, json=body)
        return OwnEvent.model_validate(found)

    async def revise_event(self, token: str, event_id: UUID, body: dict[str, Any]) -> OwnEvent:
        path = f"/api/catalog/events/{event_id}"
        return OwnEvent.model_validate(await self._call("PUT", path, token=token, json=body))

    async def publish_event(self, token: str, event_id: UUID) -> OwnEvent:
        path = f"/api/catalog/events/{event_id}/publish"
        return OwnEvent.model_validate(await self._call("POST", path, token=token))

    async def cancel_event(self, token: str, event_id: UUID, reason: str) -> OwnEvent:
        path = f"/api/catalog/events/{event_id}/cancel"
        found = await self._call("POST", path, token=token, json={"reason": reason})
        return OwnEvent.model_validate(found)

    async def record_attendance(
        self, token: str, booking_id: UUID, came: bool, pupils_present: int | None
    ) -> None:
        body = {"came": came, "pupils_present": pupils_present}
        await self._call(
            "PUT", f"/api/booking/bookings/{booking_id}/attendance", token=token, json=body
        )

    async def delete_draft(self, token: str, event_id: UUID) -> None:
        await self._call("DELETE", f"/api/catalog/events/{event_id}", token=token)

    async def add_occurrence(self, token: str, event_id: UUID, body: dict[str, Any]) -> OwnEvent:
        path = f"/api/catalog/events/{event_id}/occurrences"
        return OwnEvent.model_validate(await self._call("POST", path, token=token, json=body))

    async def change_occurrence(
        self, token: str, event_id: UUID, occurrence_id: UUID, body: dict[str, Any]
    ) -> OwnEvent:
        path = f"/api/catalog/events/{event_id}/occurrences/{occurrence_id}"
        return OwnEvent.model_validate(await self._call("PUT", path, token=token, json=body))

    async def remove_occurrence(
        self, token: str, event_id: UUID, occurrence_id: UUID, reason: str
    ) -> OwnEvent:
        path = f"/api/catalog/events/{event_id}/occurrences/{occurrence_id}"
        found = await self._call("DELETE", path, token=token, params={"reason": reason})
        return OwnEvent.model_validate(found)

    async def schools(
        self, token: str, params: dict[str, str], address: str | None
    ) -> list[DirectoryUnit]:
        """One page of the municipality's units; params: q, limit, offset."""
        return await self._directory_page(DirectoryUnit, "schools", token, params, address)

    async def groups(
        self, token: str, params: dict[str, str], address: str | None
    ) -> list[DirectoryGroup]:
        """One page of the municipality's groups; params: q, unit_id, limit, offset."""
        return await self._directory_page(DirectoryGroup, "groups", token, params, address)

    async def teachers(
        self, token: str, params: dict[str, str], address: str | None
    ) -> list[DirectoryTeacher]:
        """One page of the municipality's teachers; params: q, limit, offset."""
        return await self._directory_page(DirectoryTeacher, "teachers", token, params, address)

    async def _directory_page(
        self,
        model: type[_Row],
        kind: str,
        token: str,
        params: dict[str, str],
        address: str | None,
    ) -> list[_Row]:
        found = await self._call(
            "GET", f"/api/directory/{kind}", token=token, params=params, address=address
        )
        return [model.model_validate(item) for item in found]

    async def own_municipality(self, token: str, address: str | None) -> MunicipalitySettings:
        found = await self._call("GET", "/api/directory/municipality", token=token, address=address)
        return MunicipalitySettings.model_validate(found)

    async def change_municipality(
        self, token: str, change: dict[str, Any], address: str | None
    ) -> MunicipalitySettings:
        found = await self._call(
            "PATCH", "/api/directory/municipality", token=token, address=address, json=change
        )
        return MunicipalitySettings.model_validate(found)

    async def audit_log(
        self, token: str, limit: int, offset: int, address: str | None
    ) -> list[AuditEntry]:
        """The municipality's requests through the gateway, newest first."""
        params = {"limit": str(limit), "offset": str(offset)}
        found = await self._call("GET", "/audit", token=token, params=params, address=address)
        return [AuditEntry.model_validate(entry) for entry in found]

    async def participants(self, token: str, event_id: UUID) -> dict[UUID, list[Participant]]:
        """The confirmed groups of each occurrence of the organizer's event."""
        found = await self._call("GET", f"/api/booking/events/{event_id}/participants", token=token)
        return {
            UUID(occurrence): [Participant.model_validate(p) for p in groups]
            for occurrence, groups in found.items()
        }

    async def fairness(self, token: str, address: str | None) -> FairnessFigures:
        found = await self._call("GET", "/api/allocation/fairness", token=token, address=address)
        return FairnessFigures.model_validate(found)

    async def statistics_index(self, token: str) -> StatisticsIndex:
        return StatisticsIndex.model_validate(
            await self._call("GET", "/api/stats/statistics", token=token)
        )

    async def statistics(self, token: str, school_year: str, params: dict[str, str]) -> Statistics:
        path = f"/api/stats/statistics/{school_year}"
        return Statistics.model_validate(await self._call("GET", path, token=token, params=params))

    async def evaluation_results(self, token: str) -> EvaluationResults:
        found = await self._call("GET", "/api/stats/evaluations/results", token=token)
        return EvaluationResults.model_validate(found)

    async def ask_for_deletion(self, token: str, reason: str) -> None:
        await self._call("POST", "/me/deletion-request", token=token, json={"reason": reason})

    async def deletion_requests(self, token: str) -> list[DeletionRequest]:
        found = await self._call("GET", "/deletion-requests", token=token, params=MOST)
        return [DeletionRequest.model_validate(asked) for asked in found]

    async def mark_deletion_request_handled(self, token: str, request_id: UUID, note: str) -> None:
        path = f"/deletion-requests/{request_id}/handled"
        await self._call("POST", path, token=token, json={"note": note})

    async def publishes_open_data(self, token: str) -> bool:
        found = await self._call("GET", "/api/stats/open-data/publication", token=token)
        return bool(found["publishes"])

    async def choose_open_data(self, token: str, publishes: bool) -> None:
        body = {"publishes": publishes}
        await self._call("PUT", "/api/stats/open-data/publication", token=token, json=body)

    async def open_indicators_index(self, address: str | None) -> dict[str, Any]:
        found: dict[str, Any] = await self._call(
            "GET", "/api/stats/open/v1/indicators", address=address
        )
        return found

    async def open_indicators(self, school_year: str, address: str | None) -> dict[str, Any]:
        """Every publishing municipality's indicators for the year, as JSON-stat 2.0."""
        path = f"/api/stats/open/v1/indicators/{school_year}"
        found: dict[str, Any] = await self._call("GET", path, address=address)
        return found

    async def open_definitions(self, address: str | None) -> dict[str, Any]:
        path = "/api/stats/open/v1/definitions"
        found: dict[str, Any] = await self._call("GET", path, address=address)
        return found

    async def booking_bus(self, token: str, booking_id: UUID) -> BookingBus | None:
        """None where the booking asked for no bus."""
        try:
            found = await self._call(
                "GET", f"/api/transport/bookings/{booking_id}/bus", token=token
            )
        except NotFound:
            return None
        return BookingBus.model_validate(found)

    async def day_plan(self, token: str, day: date) -> DayPlan | None:
        """None where no bus is planned that day."""
        try:
            found = await self._call("GET", f"/api/transport/plans/{day.isoformat()}", token=token)
        except NotFound:
            return None
        return DayPlan.model_validate(found)

    async def change_outreach(self, token: str, event_id: UUID, body: dict[str, Any]) -> None:
        await self._call("PUT", f"/api/catalog/events/{event_id}/outreach", token=token, json=body)

    async def my_offers(self, token: str) -> list[Offer]:
        found = await self._call("GET", "/api/booking/offers/mine", token=token)
        return [Offer.model_validate(offer) for offer in found]

    async def offer(self, token: str, offer_id: UUID) -> Offer:
        found = await self._call("GET", f"/api/booking/offers/{offer_id}", token=token)
        return Offer.model_validate(found)

    async def accept_offer(self, token: str, offer_id: UUID, language: Language) -> Booking:
        path = f"/api/booking/offers/{offer_id}/accept"
        return Booking.model_validate(
            await self._call("POST", path, token=token, language=language)
        )

    async def reach_goal(self, token: str) -> ReachGoal:
        return ReachGoal.model_validate(
            await self._call("GET", "/api/stats/reach/goal", token=token)
        )

    async def change_reach_goal(self, token: str, goal: ReachGoal) -> None:
        await self._call("PUT", "/api/stats/reach/goal", token=token, json=goal.model_dump())

    async def unreached(self, token: str, school_year: str | None) -> Unreached:
        """The groups with no visit and no request in the school year (the current one if None)."""
        params = {"school_year": school_year} if school_year else None
        found = await self._call("GET", "/api/stats/reach/unreached", token=token, params=params)
        return Unreached.model_validate(found)

    async def reach_by_term(self, token: str, school_year: str | None) -> ReachByTerm:
        params = {"school_year": school_year} if school_year else None
        found = await self._call("GET", "/api/stats/reach/terms", token=token, params=params)
        return ReachByTerm.model_validate(found)

    async def bus_rules(self, token: str) -> dict[str, Any]:
        """The municipality's bus rules as the transport service keeps them, field by field."""
        found = await self._call("GET", "/api/transport/rules", token=token)
        return dict(found)

    async def change_bus_rules(self, token: str, rules: dict[str, Any]) -> None:
        await self._call("PUT", "/api/transport/rules", token=token, json=rules)

    async def move_to_bus(self, token: str, day: date, booking_id: UUID, bus: str) -> None:
        """Conflict where the move would break a rule: its body names the rules and the buses
        that could take the class."""
        path = f"/api/transport/plans/{day.isoformat()}/bookings/{booking_id}/bus"
        await self._call("PUT", path, token=token, json={"bus": bus})

    async def download(self, token: str, path: str, params: dict[str, str]) -> Download:
        """A file the platform makes (CSV, XLSX), passed on as it came."""
        try:
            answer = await self._send(
                "GET", path, {"Authorization": f"Bearer {token}"}, None, params
            )
        except httpx.TransportError as error:
            raise ServiceDown(f"{path}: {error!r}") from error
        if answer.status_code == 404:
            raise NotFound(_detail(answer))
        if answer.status_code == 401:
            raise SignInAgain(_detail(answer))
        if answer.status_code >= 300:
            raise ServiceDown(f"{path}: {answer.status_code} {_detail(answer)}")
        return Download(
            answer.content,
            answer.headers.get("content-type", "application/octet-stream"),
            answer.headers.get("content-disposition", "attachment"),
        )

    async def draws(self, token: str, address: str | None) -> list[DrawSummary]:
        found = await self._call("GET", "/api/allocation/draws", token=token, address=address)
        return [DrawSummary.model_validate(d) for d in found]

    async def draw_record(self, token: str, event_id: UUID, address: str | None) -> dict[str, Any]:
        """The draw as recorded, every input included: to read, or to draw again elsewhere."""
        found: dict[str, Any] = await self._call(
            "GET", f"/api/allocation/events/{event_id}/draw", token=token, address=address
        )
        return found

    async def draw_now(self, token: str, event_id: UUID) -> None:
        await self._call("POST", f"/api/allocation/events/{event_id}/draw", token=token)

    async def offered_organizers(self, token: str, address: str | None) -> list[OfferedOrganizer]:
        found = await self._call("GET", "/api/catalog/organizers", token=token, address=address)
        return [OfferedOrganizer.model_validate(o) for o in found]

    async def registered_organizers(
        self, token: str, words: str, address: str | None
    ) -> list[RegisteredOrganizer]:
        found = await self._call(
            "GET", "/api/catalog/organizers/registered", token=token, address=address,
            params={"q": words},
        )  # fmt: skip
        return [RegisteredOrganizer.model_validate(o) for o in found]

    async def register_organizer(
        self, token: str, name: str, kind: str, contact_email: str
    ) -> OfferedOrganizer:
        """Kind: one of the catalog's, as words.ORGANIZER_KINDS names them."""
        body = {"name": name, "kind": kind, "contact_email": contact_email}
        found = await self._call("POST", "/api/catalog/organizers", token=token, json=body)
        return OfferedOrganizer.model_validate(found)

    async def add_organizer(self, token: str, organizer_id: UUID) -> None:
        await self._call("PUT", f"/api/catalog/organizers/{organizer_id}/municipality", token=token)

    async def staff_accounts(
        self, token: str, role: str, address: str | None
    ) -> list[StaffAccount]:
        params = {"role": role} | MOST
        found = await self._call("GET", "/accounts", token=token, address=address, params=params)
        return [StaffAccount.model_validate(a) for a in found]

    async def add_staff_account(
        self, token: str, email: str, role: str, organizer_id: UUID | None, language: Language
    ) -> StaffAccount:
        body = {
            "email": email, "role": role, "language": language.value,
            "organizer_id": str(organizer_id) if organizer_id else None,
        }  # fmt: skip
        found = await self._call("POST", "/accounts", token=token, json=body)
        return StaffAccount.model_validate(found)

    async def evaluation(self, token: str, booking_id: UUID) -> EvaluationState:
        found = await self._call(
            "GET", f"/api/booking/bookings/{booking_id}/evaluation", token=token
        )
        return EvaluationState.model_validate(found)

    async def evaluate(
        self, token: str, booking_id: UUID, answers: EvaluationAnswers
    ) -> EvaluationState:
        path = f"/api/booking/bookings/{booking_id}/evaluation"
        found = await self._call("PUT", path, token=token, json=answers.model_dump(mode="json"))
        return EvaluationState.model_validate(found)


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _detail(answer: httpx.Response) -> str:
    body = _json(answer)
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return answer.text[:200]
