"""Versioned migrations (Alembic) of one service's schema."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from kulturbro_runtime.db import checked_schema, sync_engine

_ENV_DIR = Path(__file__).with_name("alembic")


def migrate(database_url: str, schema: str, versions_dir: Path) -> None:
    """Create the schema if needed and upgrade it to the newest version; replicas may race."""
    engine = sync_engine(database_url, checked_schema(schema))
    try:
        with engine.begin() as connection:
            # Replicas starting together take turns instead of racing on the same DDL.
            connection.execute(text("select pg_advisory_xact_lock(hashtext(:s))"), {"s": schema})
            # Asked only when missing: a service's own login owns its schema but may not create
            # schemas, and `create schema if not exists` asks for that right even when it exists.
            exists = connection.execute(
                text("select 1 from pg_namespace where nspname = :s"), {"s": schema}
            ).first()
            if not exists:
                connection.execute(text(f'create schema "{schema}"'))
            config = Config()
            config.set_main_option("script_location", str(_ENV_DIR))
            config.set_main_option("path_separator", "os")
            config.set_main_option("version_locations", str(versions_dir))
            config.attributes.update(connection=connection, schema=schema)
            command.upgrade(config, "head")
    finally:
        engine.dispose()
