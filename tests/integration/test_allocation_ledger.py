"""The allocation takes up the ledger it kept from its own last opening of an event only while
that opening committed and nobody has opened the event since; otherwise it reads it again."""

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from allocation.domain import Allocated, SeatRequest
from allocation.ledger import Ledger, open_ledger
from kulturbro_cli.services import load_service
from kulturbro_devstack.testing import Servers, service_env, service_settings
from kulturbro_runtime.runtime import Runtime

from .conftest import query

pytestmark = pytest.mark.integration
CAPACITY = 10


def a_request(event_id: UUID, occurrence_id: UUID, pupils: int) -> SeatRequest:
    return SeatRequest(
        booking_id=uuid4(),
        event_id=event_id,
        group_id=uuid4(),
        unit_id=uuid4(),
        district=None,
        pupils=pupils,
        adults=0,
        occurrence_ids=(occurrence_id,),
        requested_at=datetime.now(UTC),
    )


async def test_a_kept_ledger_is_taken_up_only_while_it_is_current(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    allocation = load_service("allocation")
    schema = new_schema("allocation")
    settings = service_settings(allocation, service_env(servers, topic_prefix, schema))
    allocation.migrate(settings)
    event_id, occurrence_id = uuid4(), uuid4()
    starts = datetime.now(UTC) + timedelta(days=30)
    query(
        servers.database_url,
        f'insert into "{schema}".allocation_event (event_id, municipality_id, policy, seed)'
        " values (%s, 'malmo', 'instant', 1)",
        event_id,
    )
    query(
        servers.database_url,
        f'insert into "{schema}".replica_occurrence'
        " (occurrence_id, event_id, starts_at, ends_at, capacity, language, cancelled)"
        " values (%s, %s, %s, %s, %s, 'sv', false)",
        occurrence_id,
        event_id,
        starts,
        starts + timedelta(hours=1),
        CAPACITY,
    )
    runtime = Runtime("allocation", settings, handlers={})
    await runtime.start()

    async def opened() -> Ledger:
        async with runtime.unit_of_work() as uow:
            ledger = await open_ledger(uow, event_id)
            assert ledger is not None
            return ledger

    try:
        first = await opened()
        assert await opened() is first, "nothing changed: the kept ledger is taken up"

        # Another process decides a request: it writes the decision and a token of its own.
        taken = a_request(event_id, occurrence_id, 4)
        query(
            servers.database_url,
            f'insert into "{schema}".seat_request (booking_id, municipality_id, event_id,'
            " group_id, unit_id, teacher_id, pupils, adults, occurrence_ids, requested_at,"
            " status, occurrence_id, basis) values"
            " (%s, 'malmo', %s, %s, %s, %s, 4, 0, %s, now(), 'confirmed', %s, 'arrival')",
            taken.booking_id,
            event_id,
            taken.group_id,
            taken.unit_id,
            uuid4(),
            json.dumps([str(occurrence_id)]),
            occurrence_id,
        )
        query(
            servers.database_url,
            f'update "{schema}".allocation_event set ledger_token = 7 where event_id = %s',
            event_id,
        )
        after_other = await opened()
        assert after_other is not first
        assert after_other.seating.free_seats(occurrence_id) == CAPACITY - 4

        # A transaction that decides in memory and rolls back leaves nothing to take up.
        with pytest.raises(RuntimeError):
            async with runtime.unit_of_work() as uow:
                ledger = await open_ledger(uow, event_id)
                assert ledger is not None
                assert isinstance(
                    ledger.seating.request(a_request(event_id, occurrence_id, 3)), Allocated
                )
                raise RuntimeError("rolled back")
        again = await opened()
        assert again.seating.free_seats(occurrence_id) == CAPACITY - 4

        # Nor does one whose failed message's savepoint was rolled back (its cache emptied).
        async with runtime.unit_of_work() as uow:
            ledger = await open_ledger(uow, event_id)
            assert ledger is not None
            ledger.seating.request(a_request(event_id, occurrence_id, 3))
            uow.cache.clear()
        assert (await opened()).seating.free_seats(occurrence_id) == CAPACITY - 4
    finally:
        await runtime.stop()
