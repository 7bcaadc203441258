"""One PostgreSQL schema per service: the engine that sees only that schema."""

import re
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def driver_url(url: str) -> str:
    """Any postgres URL, spelled for the psycopg 3 driver (sync and async alike)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)


def checked_schema(schema: str) -> str:
    if not _SCHEMA_NAME.match(schema):
        raise ValueError(f"schema name {schema!r} must be lowercase letters, digits and _")
    return schema


def application_name(schema: str) -> str:
    """How a service's sessions are named in pg_stat_activity: `kulturbro restore` looks for
    them to tell whether the service is still running."""
    return f"kulturbro {checked_schema(schema)}"[:63]  # PostgreSQL keeps 63 bytes


def _connect_args(schema: str) -> dict[str, str]:
    # Unqualified table names resolve to the service's own schema and nowhere else.
    return {
        "options": f"-csearch_path={checked_schema(schema)}",
        "application_name": application_name(schema),
    }


def sync_engine(url: str, schema: str) -> Engine:
    return create_engine(driver_url(url), connect_args=_connect_args(schema))


class Database:
    def __init__(self, url: str, schema: str, pool_size: int = 10) -> None:
        self.schema = checked_schema(schema)
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            driver_url(url),
            connect_args=_connect_args(schema),
            # As many again as pool_size at a peak, as before, but kept once opened: SQLAlchemy's
            # overflow closes a connection as it comes back, so under a burst nearly every
            # request opened one (a server process and its handshake) and closed it again.
            pool_size=2 * pool_size,
            max_overflow=0,
            pool_pre_ping=True,
        )
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("select 1"))

    async def raw_connection(
        self, autocommit: bool = False, **settings: str
    ) -> psycopg.AsyncConnection[Any]:
        """A plain psycopg connection in this schema, for the few hot paths where the ORM's
        cost per statement matters; `settings` are Postgres settings for its whole life."""
        options = " ".join(
            f"-c{name}={value}" for name, value in ({"search_path": self.schema} | settings).items()
        )
        url = driver_url(self.url).replace("postgresql+psycopg://", "postgresql://")
        return await psycopg.AsyncConnection.connect(
            url,
            options=options,
            autocommit=autocommit,
            application_name=application_name(self.schema),
        )

    async def dispose(self) -> None:
        await self.engine.dispose()
