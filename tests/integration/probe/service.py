"""A probe service for testing the runtime: every handled SchoolRegistered leaves one row.

The effect table has no unique key, so a duplicate effect would show as a second row. Names that
start with "poison" make the handler fail every time. With PROBE_BATCHED set, the handler takes
runs of events at once (`Batched`).
"""

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import text

from kulturbro_contracts import SchoolRegistered
from kulturbro_runtime import Batched, Handler, Service, UnitOfWork


async def record_effect(event: SchoolRegistered, uow: UnitOfWork) -> None:
    if event.payload.name.startswith("poison"):
        raise ValueError("this school is poisoned on purpose")
    await uow.session.execute(
        text("insert into effect (event_id, name) values (:id, :name)"),
        {"id": event.event_id, "name": event.payload.name},
    )
    await asyncio.sleep(float(os.environ.get("PROBE_DELAY_SECONDS", "0")))


async def record_effects(events: Sequence[SchoolRegistered], uow: UnitOfWork) -> None:
    if any(event.payload.name.startswith("poison") for event in events):
        raise ValueError("this school is poisoned on purpose")
    await uow.session.execute(
        text("insert into effect (event_id, name) values (:id, :name)"),
        [{"id": event.event_id, "name": event.payload.name} for event in events],
    )
    await asyncio.sleep(float(os.environ.get("PROBE_DELAY_SECONDS", "0")) * len(events))


handler: Handler = Batched(record_effects) if os.environ.get("PROBE_BATCHED") else record_effect
service = Service(
    name="probe",
    description="Tests the runtime's delivery guarantees.",
    migrations=Path(__file__).with_name("versions"),
    handlers={SchoolRegistered: [handler]},
)

if __name__ == "__main__":
    service.run()
