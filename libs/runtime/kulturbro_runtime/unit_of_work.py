"""One transaction holding a service's state change and the events it publishes (the outbox)."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from opentelemetry.trace import SpanKind
from sqlmodel.ext.asyncio.session import AsyncSession

from kulturbro_contracts import Event, serialize_event
from kulturbro_runtime import context
from kulturbro_runtime.db import Database
from kulturbro_runtime.messaging_tables import outbox
from kulturbro_runtime.settings import ServiceSettings
from kulturbro_runtime.telemetry import inject_headers, tracer


class UnitOfWork:
    def __init__(self, session: AsyncSession, settings: ServiceSettings) -> None:
        self.session = session
        self.settings = settings  # the service's own, for handlers that need configuration
        # What handlers may keep for the rest of the transaction (e.g. state loaded under a row
        # lock); emptied whenever a failing event's savepoint is rolled back.
        self.cache: dict[object, object] = {}

    async def publish(self, event: Event) -> Event:
        """Write the event to the outbox; it leaves only if the surrounding transaction commits."""
        event = event.model_copy(
            update={
                "correlation_id": context.correlation_id.get() or event.correlation_id,
                "causation_id": context.causation_id.get() or event.causation_id,
            }
        )
        with tracer().start_as_current_span(f"{event.event_type} publish", kind=SpanKind.PRODUCER):
            headers = inject_headers() | {"correlation_id": str(event.correlation_id)}
        await self.session.execute(
            outbox.insert().values(
                event_id=event.event_id,
                event_type=event.event_type,
                topic=event.topic(self.settings.topic_prefix),
                key=event.key(),
                body=serialize_event(event).decode(),
                headers=headers,
            )
        )
        return event


@asynccontextmanager
async def unit_of_work(
    database: Database, settings: ServiceSettings, after_commit: Callable[[], None]
) -> AsyncIterator[UnitOfWork]:
    async with database.sessions() as session, session.begin():
        yield UnitOfWork(session, settings)
    after_commit()
