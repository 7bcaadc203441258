"""The statistics: how fast events flow through the stats consumer into its projections, beside the
bare inbox consumer of bench/event_bus.py (the same events, the same broker, a handler that only
counts) in the same run; and how long the national open indicators take to answer for every
municipality (290, as in Sweden).
"""

import asyncio
import contextlib
import math
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from aiokafka import AIOKafkaProducer
from psycopg.types.json import Jsonb

from bench.event_bus import BENCH, Progress
from bench.harness import plain_url
from kulturbro_cli.services import load_service
from kulturbro_contracts import (
    BookingRequested,
    EventPublished,
    GroupRegistered,
    SchoolRegistered,
    SeatsAllocated,
    serialize_event,
)
from kulturbro_contracts.allocation import Allocation
from kulturbro_contracts.booking import BookingRequest, Evaluation, EvaluationSubmitted, Question
from kulturbro_contracts.catalog import Occurrence, PublishedEvent, Venue
from kulturbro_contracts.directory import Group, Municipality, MunicipalityRegistered, School
from kulturbro_contracts.envelope import Event
from kulturbro_contracts.vocabulary import BookingPolicy, Language, TargetGroup, UnitKind
from kulturbro_devstack.testing import Servers, service_env
from kulturbro_runtime import UnitOfWork, merge_handlers
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.settings import settings_from
from kulturbro_runtime.topics import all_topics, create_topics

MUNICIPALITIES = 290
YEAR_STARTS = datetime(2026, 8, 20, 8, tzinfo=UTC)
SCHOOL_YEAR = "2026-27"
TARGETS = [TargetGroup.GRADE_1, TargetGroup.GRADE_4, TargetGroup.GRADE_7]
SAID = {Language.SV: "beslutat"}


@dataclass(frozen=True)
class Size:
    """One municipality's: schools, groups per school, events (3 occurrences each), bookings."""

    schools: int
    groups: int
    events: int
    bookings: int


@dataclass(frozen=True)
class Scale:
    municipality: Size  # each of the 290 the open indicators compare
    rate: int  # events published per second while the lag is measured
    seconds: int  # for how long


# A municipality of about 4,000 pupils, 1,000 events/s for a minute (the aim); the smoke
# run's, a tenth of that municipality and 50 events/s for two seconds.
FULL = Scale(Size(30, 7, 25, 300), rate=1000, seconds=60)
SMOKE = Scale(Size(3, 7, 3, 30), rate=50, seconds=2)


def a_municipality(m: str, size: Size) -> list[Event]:
    """Its directory, offering and bookings, each booking allocated and half of them evaluated."""
    told: list[Event] = [
        MunicipalityRegistered(
            municipality_id=m,
            payload=Municipality(
                name=m,
                languages=[Language.SV],
                time_zone="Europe/Stockholm",
                default_booking_policy=BookingPolicy.INSTANT,
            ),
        )
    ]
    groups = []
    for s in range(size.schools):
        school = School(
            unit_id=uuid.uuid4(), name=f"{m} {s}", kind=UnitKind.SCHOOL, district=f"d{s % 4}"
        )
        told.append(SchoolRegistered(municipality_id=m, payload=school))
        for g in range(size.groups):
            group = Group(
                group_id=uuid.uuid4(),
                unit_id=school.unit_id,
                name=f"{g}",
                target_group=TARGETS[g % len(TARGETS)],
                size=20,
            )
            groups.append(group)
            told.append(GroupRegistered(municipality_id=m, payload=group))
    offered = []
    for e in range(size.events):
        starts = YEAR_STARTS + timedelta(days=e)
        published = PublishedEvent(
            event_id=uuid.uuid4(),
            organizer_id=uuid.uuid4(),
            title={Language.SV: f"Evenemang {e}"},
            description={Language.SV: "-"},
            category="theatre",
            target_groups=TARGETS,
            duration_minutes=60,
            venue=Venue(name="Salen"),
            max_group_size=30,
            adults_per_group=1,
            booking_policy=BookingPolicy.INSTANT,
            occurrences=[
                Occurrence(
                    occurrence_id=uuid.uuid4(),
                    starts_at=starts + timedelta(hours=h),
                    ends_at=starts + timedelta(hours=h + 1),
                    capacity=100,
                    language=Language.SV,
                )
                for h in range(3)
            ],
        )
        offered.append(published)
        told.append(EventPublished(municipality_id=m, payload=published))
    for b in range(size.bookings):
        group, event = groups[b % len(groups)], offered[b % len(offered)]
        occurrence = event.occurrences[b % 3]
        request = BookingRequest(
            booking_id=uuid.uuid4(),
            event_id=event.event_id,
            occurrence_ids=[occurrence.occurrence_id],
            group_id=group.group_id,
            unit_id=group.unit_id,
            teacher_id=uuid.uuid4(),
            pupils=20,
            adults=2,
            wants_bus=b % 3 == 0,
        )
        told.append(BookingRequested(municipality_id=m, payload=request))
        allocation = Allocation(
            booking_id=request.booking_id,
            event_id=event.event_id,
            occurrence_id=occurrence.occurrence_id,
            group_id=group.group_id,
            unit_id=group.unit_id,
            seats=22,
            explanation=SAID,
        )
        told.append(SeatsAllocated(municipality_id=m, payload=allocation))
        if b % 2 == 0:
            evaluation = Evaluation(
                booking_id=request.booking_id,
                event_id=event.event_id,
                occurrence_id=occurrence.occurrence_id,
                group_id=group.group_id,
                unit_id=group.unit_id,
                came=True,
                pupils_present=19,
                scores={q: 1 + (b + n) % 5 for n, q in enumerate(Question)},
                revision=1,
                submitted_at=occurrence.ends_at,
            )
            told.append(EvaluationSubmitted(municipality_id=m, payload=evaluation))
    return told


def a_stream(count: int) -> list[Event]:
    """`count` events of every kind stats projects, municipality after municipality."""
    told: list[Event] = []
    while len(told) < count:
        told += a_municipality(f"streamed{len(told)}", SMOKE.municipality)
    return told[:count]


async def produce(servers: Servers, prefix: str, told: list[Event]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=servers.kafka_bootstrap_servers, acks="all", linger_ms=2
    )
    await producer.start()
    try:
        sends = [
            await producer.send(e.topic(prefix), serialize_event(e), key=e.key().encode())
            for e in told
        ]
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def consume(name: str, settings: Any, handlers: Any, count: int) -> float:
    """Events per second from the first handled to the last."""
    progress = Progress(count)

    async def counted(event: Event, uow: UnitOfWork) -> None:
        progress.record()

    counting = {event_type: [counted] for event_type in handlers}
    consumer = Runtime(name, settings, handlers=merge_handlers(handlers, counting))
    await consumer.start()
    try:
        await progress.first.wait()
        started = time.perf_counter()
        await progress.last.wait()
        return count / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def lags_under_load(
    servers: Servers, name: str, service: Any, schema: str, handlers: Any, scale: Scale
) -> list[float]:
    """Each event's lag, from when it was sent to when its handlers ran, while `scale.rate`
    events a second are published for `scale.seconds`, on topics of their own; after a first
    event has come through, so that joining the consumer group is not counted."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    settings = settings_from(service.settings_class, service_env(servers, prefix, schema))
    first, *told = a_stream(scale.rate * scale.seconds + 1)
    sent: dict[uuid.UUID, float] = {}
    lags: list[float] = []
    joined, done = asyncio.Event(), asyncio.Event()  # the lag of one still waiting: inf

    async def measured(event: Event, uow: UnitOfWork) -> None:
        if event.event_id == first.event_id:
            joined.set()
            return
        lags.append(time.perf_counter() - sent[event.event_id])
        if len(lags) == len(told):
            done.set()

    measuring = {event_type: [measured] for event_type in handlers}
    consumer = Runtime(name, settings, handlers=merge_handlers(handlers, measuring))
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap_servers, acks="all")
    wire = [(e.topic(prefix), serialize_event(e), e.key().encode()) for e in told]
    await consumer.start()
    await producer.start()
    try:
        await producer.send(first.topic(prefix), serialize_event(first), key=first.key().encode())
        await asyncio.wait_for(joined.wait(), timeout=120)
        started = time.perf_counter()
        for number, (event, (topic, body, key)) in enumerate(zip(told, wire, strict=True)):
            await asyncio.sleep(max(started + number / scale.rate - time.perf_counter(), 0))
            sent[event.event_id] = time.perf_counter()
            await producer.send(topic, body, key=key)
        # A consumer that cannot keep up is not waited for forever: what it left is reported.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), timeout=2 * scale.seconds + 60)
    finally:
        await producer.stop()
        await consumer.stop()
    return sorted(lags) + [math.inf] * (len(told) - len(lags))


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


async def run(servers: Servers, count_events: int, scale: Scale) -> None:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    await create_topics(servers.kafka_bootstrap_servers, all_topics(prefix))
    stats = load_service("stats")
    schemas = {"bare": f"bench_{uuid.uuid4().hex[:8]}", "stats": f"stats_{uuid.uuid4().hex[:8]}"}
    env = {name: service_env(servers, prefix, schema) for name, schema in schemas.items()}
    bare_settings = settings_from(BENCH.settings_class, env["bare"])
    stats_settings = settings_from(stats.settings_class, env["stats"])
    BENCH.migrate(bare_settings)
    stats.migrate(stats_settings)
    url = plain_url(servers.database_url)
    try:
        told = a_stream(count_events)
        await produce(servers, prefix, told)
        kinds = {type(e): [] for e in told}
        bare = await consume("bench-bare", bare_settings, kinds, len(told))
        projected = await consume("stats", stats_settings, stats.handlers, len(told))
        print(f"\nStats projection, {len(told)} events of {len(kinds)} kinds\n")
        print(f"| {'measure':<44} | {'events/s':>9} | {'bare inbox':>10} | {'ratio':>5} |")
        print(f"|{'-' * 46}|{'-' * 11}|{'-' * 12}|{'-' * 7}|")
        name = "consume: inbox + stats projections"
        print(f"| {name:<44} | {projected:>9.0f} | {bare:>10.0f} | {projected / bare:>5.2f} |")

        lags = {
            "bench-bare": await lags_under_load(
                servers, "bench-bare", BENCH, schemas["bare"], kinds, scale
            ),
            "stats": await lags_under_load(
                servers, "stats", stats, schemas["stats"], stats.handlers, scale
            ),
        }
        print(f"\nProjection lag while {scale.rate} events/s are published for {scale.seconds} s\n")
        print(f"| {'lag, seconds':<34} | {'p50':>6} | {'p99':>6} | {'max':>6} |")
        print(f"|{'-' * 36}|{'-' * 8}|{'-' * 8}|{'-' * 8}|")
        for name, label in (
            ("stats", "stats projections"),
            ("bench-bare", "bare inbox (same load)"),
        ):
            ordered = lags[name]
            p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
            print(f"| {label:<34} | {p50:>6.2f} | {p99:>6.2f} | {ordered[-1]:>6.2f} |")

        await national_indicators(url, schemas["stats"], stats, stats_settings, scale.municipality)
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            for schema in schemas.values():
                connection.execute(f'drop schema "{schema}" cascade')


async def national_indicators(url: str, schema: str, stats: Any, settings: Any, size: Size) -> None:
    """Every municipality's projections written at once, then the open table asked for once the
    service's background job has computed it (the time it took is the first row)."""
    from stats.api.common import now
    from stats.open_counts import kept_for

    load_projections(url, schema, size)
    app = stats.create_app(settings)
    app.dependency_overrides[now] = lambda: YEAR_STARTS + timedelta(days=120)
    started = time.perf_counter()
    async with app.router.lifespan_context(app):
        kept = kept_for(app.state.runtime)
        for _ in range(6000):  # ten minutes at most
            # At least: the municipalities streamed into the same schema before are kept too.
            if sum(1 for _, year in kept if year == SCHOOL_YEAR) >= MUNICIPALITIES:
                break
            await asyncio.sleep(0.1)
        ready = (time.perf_counter() - started) * 1000
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://stats") as client:
            national = f"/open/v1/indicators/{SCHOOL_YEAR}"
            warm = await timed(client, national, 10)
            xlsx = await timed(client, f"{national}?format=xlsx", 5)
            one = await timed(client, f"{national}/m7", 10)
            bare = await timed(client, "/open/v1/definitions", 10)
    pupils = size.schools * size.groups * 20
    print(
        f"\nOpen indicators, {MUNICIPALITIES} municipalities of {size.schools} schools,"
        f" {pupils:,} pupils and {size.bookings} visits each\n"
    )
    print(f"| {'answer':<46} | {'ms':>7} | {'bare (definitions)':>18} | {'ratio':>6} |")
    print(f"|{'-' * 48}|{'-' * 9}|{'-' * 20}|{'-' * 8}|")
    for name, took in (
        ("all computed in the background, from the start", ready),
        ("national, JSON-stat", warm),
        ("national, XLSX", xlsx),
        ("one municipality, JSON-stat", one),
    ):
        print(f"| {name:<46} | {took:>7.1f} | {bare:>18.1f} | {took / bare:>6.1f} |")


async def timed(client: httpx.AsyncClient, path: str, times: int) -> float:
    """The median of `times` answers, in milliseconds."""
    took = []
    for _ in range(times):
        started = time.perf_counter()
        answer = await client.get(path)
        took.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text[:300]
    return statistics.median(took)


def load_projections(url: str, schema: str, size: Size) -> None:
    """The projections of MUNICIPALITIES municipalities, as the handlers would have written them,
    copied in at once (projecting them event by event is the first table's measure)."""
    rows: dict[str, list[tuple[Any, ...]]] = {
        "municipality": [],
        "school": [],
        "pupil_group": [],
        "offered_event": [],
        "offered_occurrence": [],
        "booking": [],
        "evaluation": [],
        "freshness": [],
    }
    for n in range(MUNICIPALITIES):
        m = f"m{n}"
        for event in a_municipality(m, size):
            for table, row in _rows(m, event):
                rows[table].append(row)
        rows["freshness"].append((m, datetime.now(UTC)))
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        for table, found in rows.items():
            columns = COLUMNS[table]
            with cursor.copy(f'copy "{schema}".{table} ({columns}) from stdin') as copy:
                for row in found:
                    copy.write_row(row)


COLUMNS = {
    "municipality": "municipality_id, name, time_zone",
    "school": "unit_id, municipality_id, name, kind, district",
    "pupil_group": "group_id, municipality_id, unit_id, target_group, pupils",
    "offered_event": "event_id, municipality_id, organizer_id, title, target_groups",
    "offered_occurrence": "occurrence_id, municipality_id, event_id, starts_at, ends_at, capacity",
    "booking": "booking_id, municipality_id, event_id, group_id, unit_id, first_choice, pupils,"
    " adults, wants_bus, occurrence_id, seats, allocated",
    "evaluation": "booking_id, municipality_id, event_id, occurrence_id, group_id, unit_id, came,"
    " pupils_present, scores, comment, revision",
    "freshness": "municipality_id, fresh_as_of",
}


def _rows(m: str, event: Event) -> list[tuple[str, tuple[Any, ...]]]:
    p: Any = event.payload
    if isinstance(event, MunicipalityRegistered):
        return [("municipality", (m, p.name, p.time_zone))]
    if isinstance(event, SchoolRegistered):
        return [("school", (p.unit_id, m, p.name, p.kind.value, p.district))]
    if isinstance(event, GroupRegistered):
        return [("pupil_group", (p.group_id, m, p.unit_id, p.target_group.value, p.size))]
    if isinstance(event, EventPublished):
        title = Jsonb({k.value: v for k, v in p.title.items()})
        targets = [t.value for t in p.target_groups]
        return [("offered_event", (p.event_id, m, p.organizer_id, title, targets))] + [
            ("offered_occurrence", (o.occurrence_id, m, p.event_id, o.starts_at, o.ends_at, 100))
            for o in p.occurrences
        ]
    if isinstance(event, BookingRequested):
        first, seats = p.occurrence_ids[0], p.pupils + p.adults
        booked = (p.booking_id, m, p.event_id, p.group_id, p.unit_id, first, p.pupils, p.adults)
        return [("booking", (*booked, p.wants_bus, first, seats, True))]
    if isinstance(event, EvaluationSubmitted):
        scores = Jsonb({q.value: s for q, s in p.scores.items()})
        of = (p.booking_id, m, p.event_id, p.occurrence_id, p.group_id, p.unit_id)
        return [("evaluation", (*of, p.came, p.pupils_present, scores, p.comment, p.revision))]
    return []  # the allocation: already in the booking's row
