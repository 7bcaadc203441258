"""Each service signs in as itself, with rights on its own schema only: booking's login cannot
read catalog's tables, whatever its search path."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from kulturbro_cli.database import ServiceLogin, grant_own_schemas, with_login
from kulturbro_cli.services import load_service
from kulturbro_devstack.testing import Servers, service_env, service_settings
from kulturbro_runtime.db import driver_url

pytestmark = pytest.mark.integration


def plain(url: str) -> str:
    return driver_url(url).replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture
def logins(servers: Servers) -> Iterator[dict[str, ServiceLogin]]:
    """Logins and schemas of this test's own (roles are the whole server's), removed after."""
    suffix = uuid.uuid4().hex[:10]
    made = {name: ServiceLogin(f"{name}_{suffix}", f"{name}_{suffix}", "pw") for name in
            ("catalog", "booking")}  # fmt: skip
    yield made
    with psycopg.connect(plain(servers.database_url), autocommit=True) as connection:
        for login in made.values():
            connection.execute(f'drop schema if exists "{login.schema}" cascade')
            if connection.execute(
                "select 1 from pg_roles where rolname = %s", [login.role]
            ).fetchone():
                connection.execute(f'drop owned by "{login.role}" cascade')
                connection.execute(f'drop role "{login.role}"')


def migrate_as(servers: Servers, service: str, login: ServiceLogin | None, schema: str) -> None:
    url = with_login(servers.database_url, login.role, login.password) if login else None
    env = service_env(servers, "unused", schema, **({"DATABASE_URL": url} if url else {}))
    load_service(service).migrate(service_settings(load_service(service), env))


def tables(servers: Servers, schema: str) -> dict[str, str]:
    with psycopg.connect(plain(servers.database_url)) as connection:
        rows = connection.execute(
            "select tablename, tableowner from pg_tables where schemaname = %s", [schema]
        ).fetchall()
    return dict(rows)


def test_bookings_login_cannot_read_catalogs_tables(
    servers: Servers, logins: dict[str, ServiceLogin]
) -> None:
    catalog, booking = logins["catalog"], logins["booking"]
    grant_own_schemas(servers.database_url, logins.values())
    migrate_as(servers, "catalog", catalog, catalog.schema)  # as itself: it owns its schema
    migrate_as(servers, "booking", booking, booking.schema)
    catalog_tables = tables(servers, catalog.schema)
    assert len(catalog_tables) > 3 and set(catalog_tables.values()) == {catalog.role}

    as_booking = plain(with_login(servers.database_url, booking.role, booking.password))
    with psycopg.connect(as_booking, options=f"-csearch_path={catalog.schema}") as connection:
        assert connection.execute(f'select count(*) from "{booking.schema}".alembic_version')
        for table in catalog_tables:
            assert "permission denied" in refusal(
                connection, f'select * from "{catalog.schema}"."{table}"'
            )
            # Its search path names catalog's schema: skipped, as it may not use it.
            assert "does not exist" in refusal(connection, f'select * from "{table}"')
        assert "permission denied" in refusal(connection, "create schema booking_elsewhere")


def refusal(connection: psycopg.Connection, statement: str) -> str:
    try:
        with connection.transaction():
            connection.execute(statement)
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable) as error:
        return str(error)
    return f"allowed: {statement}"


def test_a_schema_made_by_a_shared_login_passes_to_its_service_with_its_tables(
    servers: Servers, logins: dict[str, ServiceLogin]
) -> None:
    booking = logins["booking"]
    migrate_as(servers, "booking", None, booking.schema)  # before: the shared (owner's) login
    assert booking.role not in tables(servers, booking.schema).values()

    grant_own_schemas(servers.database_url, [booking])
    grant_own_schemas(servers.database_url, [booking])  # again: changes nothing

    assert set(tables(servers, booking.schema).values()) == {booking.role}
    migrate_as(servers, "booking", booking, booking.schema)
