"""One transaction holding a service's state change and the events it publishes (the outbox)."""

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from opentelemetry.trace import SpanKind
from sqlmodel.ext.asyncio.session import AsyncSession

from kulturbro_contracts import Event, serialize_event
from kulturbro_runtime import context
from kulturbro_runtime.db import Database
from kulturbro_runtime.settings import ServiceSettings
from kulturbro_runtime.telemetry import inject_headers, tracer


class UnitOfWork:
    def __init__(self, session: AsyncSession, settings: ServiceSettings) -> None:
        self.session = session
        self.settings = settings  # the service's own, for handlers that need configuration
        # What handlers may keep for the rest of the transaction (e.g. state loaded under a row
        # lock); emptied whenever a failing event's savepoint is rolled back.
        self.cache: dict[object, object] = {}
        self.published = False  # whether the relay has anything to send after the commit

    async def publish(self, event: Event) -> Event:
        """Write the event to the outbox; it leaves only if the surrounding transaction commits."""
        return (await self.publish_all([event]))[0]

    async def publish_all(self, events: Sequence[Event]) -> list[Event]:
        """Many events in one statement, for handlers that tell thousands of facts at once."""
        published, columns = outbox_columns(events, self.settings.topic_prefix)
        if published:
            connection = await self.session.connection()
            await connection.exec_driver_sql(INSERT_OUTBOX, columns)
            self.published = True
        return published


def outbox_columns(
    events: Sequence[Event], topic_prefix: str
) -> tuple[list[Event], dict[str, list[object]]]:
    """The events as sent (with this context's correlation), and the outbox columns to insert
    with INSERT_OUTBOX."""
    correlation, causation = context.correlation_id.get(), context.causation_id.get()
    published = [
        event.model_copy(
            update={
                "correlation_id": correlation or event.correlation_id,
                "causation_id": causation or event.causation_id,
            }
        )
        for event in events
    ]
    columns: dict[str, list[object]] = {
        name: [] for name in ("event_id", "event_type", "topic", "key", "body", "headers")
    }
    for event in published:
        with tracer().start_as_current_span(f"{event.event_type} publish", kind=SpanKind.PRODUCER):
            headers = inject_headers() | {"correlation_id": str(event.correlation_id)}
        columns["event_id"].append(event.event_id)
        columns["event_type"].append(event.event_type)
        columns["topic"].append(event.topic(topic_prefix))
        columns["key"].append(event.key())
        columns["body"].append(serialize_event(event).decode())
        columns["headers"].append(json.dumps(headers))
    return published, columns


# One statement however many events: unnest turns the columns back into rows. In the driver's
# own parameter style, so code that talks to psycopg directly writes the outbox the same way.
INSERT_OUTBOX = (
    "insert into outbox (event_id, event_type, topic, key, body, headers)"
    " select * from unnest(%(event_id)s::uuid[], %(event_type)s::text[], %(topic)s::text[],"
    " %(key)s::text[], %(body)s::text[], %(headers)s::jsonb[])"
)


@asynccontextmanager
async def unit_of_work(
    database: Database, settings: ServiceSettings, after_commit: Callable[[], None]
) -> AsyncIterator[UnitOfWork]:
    async with database.sessions() as session, session.begin():
        uow = UnitOfWork(session, settings)
        yield uow
    if uow.published:  # a commit with no events (an audit entry, a copy kept) wakes no relay
        after_commit()
