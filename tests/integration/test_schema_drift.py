"""Every service's migrations build exactly the schema its code expects: a model changed without a
migration, or a migration without its model, fails here, before an old database and a new one can
differ.

Both sides are built in PostgreSQL (migrated to head; created from the models) and compared as
PostgreSQL describes them, so partial indexes, CHECK constraints and defaults are compared too,
which Alembic's autogenerate leaves out or cannot read."""

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, text

from kulturbro_devstack.testing import Servers
from kulturbro_replicas import catalog as catalog_replica
from kulturbro_replicas import directory as directory_replica
from kulturbro_replicas import municipalities as municipality_replica
from kulturbro_replicas import teachers as teacher_replica
from kulturbro_runtime import messaging_tables
from kulturbro_runtime.db import sync_engine
from kulturbro_runtime.migrations import migrate

pytestmark = pytest.mark.integration

SERVICES = Path(__file__).parents[2] / "services"

MESSAGING = [messaging_tables.outbox, messaging_tables.inbox]
DIRECTORY_REPLICA = [
    directory_replica.unit,
    directory_replica.group,
    directory_replica.teacher_group,
]
CATALOG_REPLICA = [catalog_replica.event, catalog_replica.occurrence]
TEACHER_REPLICA = [teacher_replica.teacher]
MUNICIPALITY_REPLICA = [municipality_replica.municipality]


def _tables(module: str) -> list[Table]:
    """A service's own tables, from its Core metadata or its SQLModel table classes."""
    db = importlib.import_module(module)
    if hasattr(db, "metadata"):
        return list(db.metadata.tables.values())
    from sqlmodel import SQLModel

    return [
        table
        for value in vars(db).values()
        if isinstance(value, type)
        and issubclass(value, SQLModel)
        and value.__module__ == module
        and isinstance(table := getattr(value, "__table__", None), Table)
    ]


# What each service's schema holds: its own tables, the replicas it keeps and the messaging tables.
SCHEMAS: dict[str, Callable[[], list[Table]]] = {
    "allocation": lambda: [
        *MESSAGING,
        *DIRECTORY_REPLICA,
        *CATALOG_REPLICA,
        *MUNICIPALITY_REPLICA,
        *_tables("allocation.db"),
    ],
    "booking": lambda: [
        *MESSAGING,
        *DIRECTORY_REPLICA,
        *CATALOG_REPLICA,
        *MUNICIPALITY_REPLICA,
        *_tables("booking.db"),
    ],
    "catalog": lambda: [*MESSAGING, *DIRECTORY_REPLICA, *_tables("catalog.db")],
    "directory": lambda: [*MESSAGING, *_tables("directory.db")],
    "gateway": lambda: [*MESSAGING, *MUNICIPALITY_REPLICA, *_tables("gateway.db")],
    "notify": lambda: [
        *MESSAGING,
        *DIRECTORY_REPLICA,
        *TEACHER_REPLICA,
        *CATALOG_REPLICA,
        *_tables("notify.db"),
    ],
    "stats": lambda: [*MESSAGING, *_tables("stats.db")],
    "transport": lambda: [
        *MESSAGING,
        *CATALOG_REPLICA,
        *MUNICIPALITY_REPLICA,
        *_tables("transport.db"),
    ],
    # The pages keep no data: the messaging tables are only what the runtime expects.
    "web": lambda: list(MESSAGING),
}


def _models(name: str) -> MetaData:
    metadata = MetaData()
    for table in SCHEMAS[name]():
        table.to_metadata(metadata)
    return metadata


_COLUMNS = """
    select c.relname, 'column ' || c.relname || '.' || a.attname || ' ' ||
           format_type(a.atttypid, a.atttypmod) ||
           case when a.attnotnull then ' not null' else '' end ||
           coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') ||
           case a.attidentity when 'a' then ' always identity'
                              when 'd' then ' identity' else '' end
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relnamespace = cast(:schema as regnamespace) and c.relkind = 'r'
      and a.attnum > 0 and not a.attisdropped
"""
_CONSTRAINTS = """
    select c.relname, 'constraint ' || c.relname || '.' || k.conname || ' ' ||
           pg_get_constraintdef(k.oid)
    from pg_constraint k join pg_class c on c.oid = k.conrelid
    where k.connamespace = cast(:schema as regnamespace)
"""
_INDEXES = """
    select tablename, replace(indexdef, :schema || '.', '') from pg_indexes
    where schemaname = :schema
"""


def described(database_url: str, schema: str) -> set[str]:
    """Every table's columns, constraints and indexes, as PostgreSQL spells them."""
    engine = sync_engine(database_url, schema)
    try:
        with engine.connect() as connection:
            rows = [
                row
                for query in (_COLUMNS, _CONSTRAINTS, _INDEXES)
                for row in connection.execute(text(query), {"schema": schema})
            ]
    finally:
        engine.dispose()
    return {description for table, description in rows if table != "alembic_version"}


def created_from(models: MetaData, database_url: str, schema: str) -> None:
    engine = sync_engine(database_url, schema)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'create schema "{schema}"'))
            models.create_all(connection)
    finally:
        engine.dispose()


def test_every_service_with_migrations_is_compared() -> None:
    migrated = {path.parents[2].name for path in SERVICES.glob("*/*/migrations/versions")}
    assert migrated == set(SCHEMAS)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_the_migrated_schema_is_what_the_models_describe(
    name: str, servers: Servers, new_schema: Callable[[str], str]
) -> None:
    migrated, modelled = new_schema(name), new_schema(f"{name}_models")
    migrate(servers.database_url, migrated, SERVICES / name / name / "migrations" / "versions")
    created_from(_models(name), servers.database_url, modelled)

    by_migrations = described(servers.database_url, migrated)
    by_models = described(servers.database_url, modelled)

    assert by_migrations == by_models, (
        f"{name}'s migrations and its models differ; add a migration with explicit Alembic "
        f"operations to services/{name}/{name}/migrations/versions (or correct the model).\n"
        "Only after migrating:\n  "
        + "\n  ".join(sorted(by_migrations - by_models))
        + "\nOnly in the models:\n  "
        + "\n  ".join(sorted(by_models - by_migrations))
    )
