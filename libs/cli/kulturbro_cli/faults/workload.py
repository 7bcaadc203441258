"""The load the faults land in: a municipality's teachers imported through the directory, an
event published through the catalog (its invitations fan out to every teacher), and every
teacher booking it through the gateway, retrying as a client does until answered."""

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import jwt
import psycopg

from kulturbro_cli.demo import DEMO
from kulturbro_cli.faults.stack import Stack
from kulturbro_devstack.testing import until
from kulturbro_runtime.identity import IDENTITY_HEADER, Caller, Role, sign_identity

MUNICIPALITY = "felstad"
GROUP_SIZE = 20
ADULTS = 2
SEATS = GROUP_SIZE + ADULTS
OCCURRENCES = 2
IN_FLIGHT = 16
# What a teacher's client does when the platform does not answer: wait a little, send again
# with the same Idempotency-Key, so a request that did get through is not made twice.
RETRY_SECONDS = 0.5
ANSWER_SECONDS = 30.0
REPLICA_SECONDS = 180.0


@dataclass(frozen=True)
class Teacher:
    teacher_id: UUID
    group_id: UUID
    email: str


@dataclass(frozen=True)
class Town:
    teachers: list[Teacher]
    organizer_id: str


@dataclass(frozen=True)
class PublishedEvent:
    event_id: UUID
    capacities: dict[UUID, int]


@dataclass
class Bookings:
    accepted: set[UUID] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    retries: int = 0
    under_way_at: int = 1  # accepted requests after which the load counts as under way
    under_way: asyncio.Event = field(default_factory=asyncio.Event)

    def accept(self, booking_id: UUID) -> None:
        self.accepted.add(booking_id)
        if len(self.accepted) >= self.under_way_at:
            self.under_way.set()


def count(stack: Stack, sql: str, *params: object) -> int:
    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        row = connection.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def _signed(stack: Stack, role: Role, organizer_id: str | None = None) -> dict[str, str]:
    caller = Caller(
        subject="fault-suite", role=role, municipality_id=MUNICIPALITY, organizer_id=organizer_id
    )
    return {IDENTITY_HEADER: sign_identity(caller, stack.secret)}


def _checked(response: httpx.Response) -> Any:
    if response.is_error:
        raise RuntimeError(
            f"{response.request.url} answered {response.status_code}: {response.text}"
        )
    return response.json()


def _csv(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


async def seed(stack: Stack, teachers: int) -> Town:
    """The municipality, its schools, one grade 4 group per teacher, and an organizer, through
    the services' own APIs; returns once booking and notify know every teacher."""
    schools = max(1, teachers // 20)
    units = [f"S{n},Skola {n},school,GR,Centrum,,," for n in range(schools)]
    groups = [f"G{n},S{n % schools},Klass 4-{n},grade_4,{GROUP_SIZE}" for n in range(teachers)]
    people = [
        f"T{n},Lärare {n},larare{n}@felstad.example,{('sv', 'fi', 'en')[n % 3]},immediate,G{n}"
        for n in range(teachers)
    ]
    files = {
        "units": _csv("id,name,kind,school_forms,district,address,latitude,longitude", units),
        "groups": _csv("id,unit_id,name,target_group,size", groups),
        "teachers": _csv("id,name,email,language,invitations,groups", people),
    }
    municipality = DEMO | {
        "id": MUNICIPALITY,
        "name": "Felstad",
        "default_booking_policy": "instant",
    }
    async with httpx.AsyncClient(base_url=stack.url("directory"), timeout=120) as directory:
        _checked(
            await directory.post(
                "/municipalities", json=municipality, headers=_signed(stack, Role.OPERATOR)
            )
        )
        _checked(
            await directory.post(
                "/imports/csv", json=files, headers=_signed(stack, Role.ADMINISTRATOR)
            )
        )
    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        found = connection.execute(
            "select t.id, tg.group_id, t.email from directory.teacher t"
            " join directory.teacher_group tg on tg.teacher_id = t.id"
            " where t.municipality_id = %s",
            (MUNICIPALITY,),
        ).fetchall()
    town_teachers = [Teacher(row[0], row[1], row[2]) for row in found]
    await until(
        lambda: (
            count(stack, "select count(*) from booking.replica_teacher_group") >= teachers
            and count(stack, "select count(*) from notify.replica_teacher") >= teachers
        ),
        "every teacher known to booking and notify",
        REPLICA_SECONDS,
    )
    organizer = {
        "name": "Felstads teater",
        "kind": "theatre",
        "contact_email": "teater@felstad.example",
    }
    async with httpx.AsyncClient(base_url=stack.url("catalog"), timeout=60) as catalog:
        deadline = time.monotonic() + REPLICA_SECONDS
        while True:  # the catalog hears of the municipality by an event
            made = await catalog.post(
                "/organizers", json=organizer, headers=_signed(stack, Role.ADMINISTRATOR)
            )
            if not made.is_error or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        organizer_id = _checked(made)["id"]
    return Town(town_teachers, organizer_id)


async def publish_event(stack: Stack, town: Town, title: str) -> PublishedEvent:
    """An instant-booking event for grade 4 with seats for about half the teachers' groups."""
    start = (datetime.now(UTC) + timedelta(days=40)).replace(microsecond=0)
    capacity = max(SEATS, len(town.teachers) * SEATS // 2 // OCCURRENCES)
    body = {
        "title": {"sv": title, "fi": title, "en": title},
        "description": {"sv": "Teater för årskurs 4."},
        "category": "theatre",
        "target_groups": ["grade_4"],
        "duration_minutes": 50,
        "venue": {"name": "Felstads teater", "district": "Centrum"},
        "max_group_size": 30,
        "adults_per_group": ADULTS,
        "booking_policy": "instant",
        "booking_opens_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
        "booking_closes_at": (start - timedelta(days=10)).isoformat(),
        "occurrences": [
            {
                "starts_at": (start + timedelta(days=d)).isoformat(),
                "ends_at": (start + timedelta(days=d, minutes=50)).isoformat(),
                "capacity": capacity,
                "language": "sv",
            }
            for d in range(OCCURRENCES)
        ],
    }
    headers = _signed(stack, Role.ORGANIZER, town.organizer_id)
    async with httpx.AsyncClient(base_url=stack.url("catalog"), timeout=60) as catalog:
        draft = _checked(await catalog.post("/events", json=body, headers=headers))
        event = _checked(await catalog.post(f"/events/{draft['id']}/publish", headers=headers))
    capacities = {UUID(o["id"]): o["capacity"] for o in event["occurrences"]}
    return PublishedEvent(UUID(event["id"]), capacities)


def access_token(stack: Stack, teacher: Teacher) -> str:
    """A teacher's access token as the gateway issues them at sign-in (gateway.tokens)."""
    now = datetime.now(UTC)
    claims = {
        "iss": "kulturbro-gateway",
        "aud": "kulturbro",
        "sub": str(uuid.uuid5(teacher.teacher_id, "account")),
        "iat": now,
        "exp": now + timedelta(minutes=30),
        "role": Role.TEACHER.value,
        "mun": MUNICIPALITY,
        "org": None,
        "subj": str(teacher.teacher_id),
    }
    return jwt.encode(claims, stack.secret, algorithm="HS256")


async def book_all(stack: Stack, town: Town, event: PublishedEvent, bookings: Bookings) -> None:
    """Every teacher books her group onto the event through the gateway, IN_FLIGHT at a time."""
    slots = asyncio.Semaphore(IN_FLIGHT)
    occurrences = list(event.capacities)
    limits = httpx.Limits(max_connections=IN_FLIGHT)
    async with httpx.AsyncClient(
        base_url=stack.url("gateway"), limits=limits, timeout=ANSWER_SECONDS
    ) as client:

        async def book(number: int, teacher: Teacher) -> None:
            body = {
                "group_id": str(teacher.group_id),
                "event_id": str(event.event_id),
                "occurrence_ids": [str(occurrences[number % len(occurrences)])],
                "pupils": GROUP_SIZE,
                "adults": ADULTS,
            }
            headers = {
                "Authorization": f"Bearer {access_token(stack, teacher)}",
                "Idempotency-Key": f"{event.event_id}:{teacher.teacher_id}",
            }
            async with slots:
                while True:
                    try:
                        answer = await client.post(
                            "/api/booking/bookings", json=body, headers=headers
                        )
                    except httpx.TransportError:
                        answer = None
                    if answer is not None and answer.status_code == 202:
                        bookings.accept(UUID(answer.json()["id"]))
                        return
                    if (
                        answer is not None
                        and answer.status_code < 500
                        and answer.status_code != 429
                    ):
                        bookings.refused.append(f"{answer.status_code}: {answer.text[:200]}")
                        return
                    bookings.retries += 1
                    await asyncio.sleep(RETRY_SECONDS)

        await asyncio.gather(*(book(n, t) for n, t in enumerate(town.teachers)))


def poison(round_number: int) -> bytes:
    """A message no consumer can read, put on the bus on purpose: it must be dead-lettered."""
    return json.dumps({"poison": round_number}).encode()
