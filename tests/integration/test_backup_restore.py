"""Booking and allocation restored from a backup catch up from the bus: what came after the backup
is read again and applied, what the backup already held is not applied twice."""

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from typer.testing import CliRunner, Result

from kulturbro_cli.backup import MANIFEST, ServiceToBackUp, back_up, restore
from kulturbro_cli.main import app
from kulturbro_cli.services import load_service
from kulturbro_contracts import OccurrenceChanged
from kulturbro_contracts.catalog import OccurrenceOfEvent
from kulturbro_devstack.facts import MUNICIPALITY, an_event, group_with_teacher, publish, school
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.consumer import consumed_topics
from kulturbro_runtime.runtime import Runtime
from kulturbro_runtime.service import Service

from .conftest import query, until_rows

pytestmark = pytest.mark.integration


async def decided(booking_api, teacher_id: UUID, booking_id: str) -> str:  # type: ignore[no-untyped-def]
    """The booking's status once the allocation has decided it."""
    headers = identity_headers("teacher", MUNICIPALITY, subject=str(teacher_id))
    for _ in range(200):
        mine = (await booking_api.get("/bookings/mine", headers=headers)).json()
        status = next(b["status"] for b in mine if b["id"] == booking_id)
        if status != "requested":
            return str(status)
        await asyncio.sleep(0.2)
    raise AssertionError(f"booking {booking_id} was never decided")


async def test_booking_and_allocation_restored_from_a_backup_catch_up_from_the_bus(
    servers: Servers,
    topic_prefix: str,
    new_schema: Callable[[str], str],
    probe: Service,
    tmp_path: Path,
) -> None:
    services = {name: load_service(name) for name in ("booking", "allocation")}
    schemas = {name: new_schema(name) for name in services}
    settings = {
        name: service_settings(s, service_env(servers, topic_prefix, schemas[name]))
        for name, s in services.items()
    }
    publisher_settings = service_settings(
        probe, service_env(servers, topic_prefix, new_schema("publisher"))
    )
    probe.migrate(publisher_settings)
    publisher = Runtime("publisher", publisher_settings, handlers={})
    await publisher.start()

    async def book(booking_api, teacher_id: UUID, group: UUID, pupils: int) -> str:  # type: ignore[no-untyped-def]
        """The teacher's request for her group and one adult; its booking's id."""
        body = {
            "group_id": str(group),
            "event_id": str(event.payload.event_id),
            "occurrence_ids": [str(occurrence.occurrence_id)],
            "pupils": pupils,
            "adults": 1,
        }
        headers = identity_headers("teacher", MUNICIPALITY, subject=str(teacher_id))
        requested = await booking_api.post("/bookings", json=body, headers=headers)
        assert requested.status_code == 202, requested.text
        return str(requested.json()["id"])

    unit = school("Norr")
    g1, t1, facts1 = group_with_teacher(unit.payload.unit_id, 20)
    g2, t2, facts2 = group_with_teacher(unit.payload.unit_id, 25)
    event = an_event([30])
    occurrence = event.payload.occurrences[0]
    backup = tmp_path / "backup"
    try:
        async with (
            running(services["booking"], settings["booking"]) as booking_api,
            running(services["allocation"], settings["allocation"]),
        ):
            await publish(publisher, [unit, *facts1, event])
            await until_rows(servers.database_url, schemas["booking"], "replica_teacher_group", 1)
            first = await book(booking_api, t1, g1, 20)
            assert await decided(booking_api, t1, first) == "confirmed"

            manifest = await back_up(
                servers.database_url,
                servers.kafka_bootstrap_servers,
                backup,
                [
                    ServiceToBackUp(name, schemas[name], consumed_topics(s.handlers, topic_prefix))
                    for name, s in services.items()
                ],
            )
            # After the backup: a second class, and the theatre opens more seats (30 to 50).
            bigger = occurrence.model_copy(update={"capacity": 50})
            changed = OccurrenceChanged(
                municipality_id=MUNICIPALITY,
                payload=OccurrenceOfEvent(event_id=event.payload.event_id, occurrence=bigger),
            )
            await publish(publisher, [*facts2, changed])
            await until_rows(servers.database_url, schemas["booking"], "replica_teacher_group", 2)

        assert set(manifest.services) == {"booking", "allocation"}
        assert all(b.alembic_revision for b in manifest.services.values())
        # As if the allocation's consumer had not yet committed what its snapshot holds (it
        # commits after its transaction): it reads everything again, and its inbox must skip
        # the first booking's request, or its seats would count twice.
        written = json.loads((backup / MANIFEST).read_text())
        allocation_offsets = written["services"]["allocation"]["offsets"]
        for partitions in allocation_offsets.values():
            for partition in partitions:
                partitions[partition] = 0
        (backup / MANIFEST).write_text(json.dumps(written))

        refused = None
        try:
            await restore(servers.database_url, servers.kafka_bootstrap_servers, backup)
        except Exception as error:
            refused = str(error)
        assert refused and "--replace" in refused, "a schema holding tables is not overwritten"
        restored = await restore(
            servers.database_url, servers.kafka_bootstrap_servers, backup, replace=True
        )
        assert [b.service for b in restored] == ["booking", "allocation"]
        assert query(
            servers.database_url,
            f'select count(*) from "{schemas["booking"]}".replica_teacher_group',
        ) == [(1,)], "the restore put back the backup's state"

        async with (
            running(services["booking"], settings["booking"]) as booking_api,
            running(services["allocation"], settings["allocation"]),
        ):
            # Read again from the bus: the second class and the larger occurrence are not lost.
            await until_rows(servers.database_url, schemas["booking"], "replica_teacher_group", 2)
            second = await book(booking_api, t2, g2, 25)
            # 21 + 26 seats fit 50 only if the first booking counts once and the change arrived.
            assert await decided(booking_api, t2, second) == "confirmed"
            assert await decided(booking_api, t1, first) == "confirmed"
        seats = query(
            servers.database_url,
            f'select capacity, confirmed from "{schemas["allocation"]}".seat_pool',
        )
        assert seats == [(50, 47)]
    finally:
        await publisher.stop()


def test_the_commands_back_up_and_restore_a_service_named_on_the_command_line(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str], tmp_path: Path
) -> None:
    schema = new_schema("catalog")
    env = service_env(servers, topic_prefix, schema)
    catalog = load_service("catalog")
    catalog.migrate(service_settings(catalog, env))
    runner = CliRunner()
    options = [f"--bootstrap-servers={servers.kafka_bootstrap_servers}"]

    named = ["catalog", f"--schema=catalog={schema}", f"--prefix={topic_prefix}"]
    backed_up = runner.invoke(app, ["backup", str(tmp_path / "b"), *named, *options], env=env)
    refused = runner.invoke(app, ["restore", str(tmp_path / "b"), *options], env=env)
    restored = runner.invoke(app, ["restore", str(tmp_path / "b"), "--replace", *options], env=env)

    assert backed_up.exit_code == 0, backed_up.output
    revision = json.loads((tmp_path / "b" / MANIFEST).read_text())["services"]["catalog"][
        "alembic_revision"
    ]
    assert backed_up.output == f"catalog: schema {schema} at {revision} in catalog.dump\n"
    assert refused.exit_code == 2
    assert refused.output == (
        f"kulturbro restore: schema {schema} already holds tables: stop catalog and restore "
        "with --replace to overwrite it\n"
    )
    assert restored.exit_code == 0, restored.output
    assert restored.output == f"catalog: schema {schema} restored at {revision}\n"


def test_a_service_still_running_is_not_restored_over(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str], tmp_path: Path
) -> None:
    schema = new_schema("catalog")
    env = service_env(servers, topic_prefix, schema)
    catalog = load_service("catalog")
    runner = CliRunner()
    options = [f"--bootstrap-servers={servers.kafka_bootstrap_servers}"]
    named = ["catalog", f"--schema=catalog={schema}", f"--prefix={topic_prefix}"]
    folder = str(tmp_path / "b")

    def command(*args: str) -> Result:
        return runner.invoke(app, [*args, *options], env=env)

    async def while_running() -> Result:
        async with running(catalog, service_settings(catalog, env)) as catalog_api:
            assert (await catalog_api.get("/readyz")).json()["checks"]["database"]
            # The commands run their own event loops, so beside the service's, in a thread.
            backed_up = await asyncio.to_thread(command, "backup", folder, *named)
            assert backed_up.exit_code == 0, backed_up.output
            return await asyncio.to_thread(command, "restore", folder, "--replace")

    refused = asyncio.run(while_running())
    assert refused.exit_code == 2
    assert re.fullmatch(
        f"kulturbro restore: catalog is running \\(\\d+ connections to schema {schema}\\): "
        "stop every catalog process, then restore again\n",
        refused.output,
    ), refused.output
    stopped = command("restore", folder, "--replace")
    assert stopped.exit_code == 0, stopped.output
