"""Fixtures for the runtime's guarantees, proven on the probe service."""

import importlib.util
from pathlib import Path

import psycopg
import pytest

from kulturbro_contracts import SchoolRegistered
from kulturbro_contracts.directory import School
from kulturbro_contracts.vocabulary import UnitKind
from kulturbro_runtime import Service
from kulturbro_runtime.db import driver_url

PROBE_FILE = Path(__file__).with_name("probe") / "service.py"


def load_probe() -> Service:
    spec = importlib.util.spec_from_file_location("probe_service", PROBE_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    service: Service = module.service
    return service


@pytest.fixture
def probe() -> Service:
    return load_probe()


@pytest.fixture(params=["one by one", "batched"])
def either_probe(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Service:
    """The probe with a handler of each kind: one event at a time, or runs of them."""
    if request.param == "batched":
        monkeypatch.setenv("PROBE_BATCHED", "1")
    return load_probe()


def a_school(name: str, municipality: str = "malmo") -> SchoolRegistered:
    from uuid import uuid4

    return SchoolRegistered(
        municipality_id=municipality,
        payload=School(unit_id=uuid4(), name=name, kind=UnitKind.SCHOOL, district="Öster"),
    )


def query(database_url: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    """The rows of one statement; none for a statement that returns none."""
    url = driver_url(database_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


async def until_rows(database_url: str, schema: str, table: str, count: int) -> None:
    """Waits until a service's table holds `count` rows, e.g. its copy of the directory: in
    life those facts come long before the event that needs them, in a test at the same moment."""
    import asyncio

    for _ in range(600):  # a minute: a loaded machine's consumer may take that long to join
        if query(database_url, f'select count(*) from "{schema}".{table}')[0][0] >= count:  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{schema}.{table} never held {count} rows")
