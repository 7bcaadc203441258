"""Backups of the services' schemas: one pg_dump file (custom format) per service, all taken in
one database snapshot, with a manifest naming each file's checksum, its schema's migration and
where the service's consumer stood on the bus, so a restored service catches up from there."""

import asyncio
import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from kulturbro_cli.consumer_offsets import Offsets, commit_offsets, committed_offsets
from kulturbro_runtime.db import application_name, checked_schema, driver_url

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1


class BackupError(Exception):
    """What stops a backup or restore, in one line the operator can act on."""


@dataclass(frozen=True)
class ServiceToBackUp:
    service: str
    schema: str
    topics: list[str]  # those its consumer reads; none for a service that consumes nothing


@dataclass(frozen=True)
class ServiceBackup:
    service: str
    schema: str
    alembic_revision: str | None
    file: str
    sha256: str
    offsets: Offsets


@dataclass(frozen=True)
class Manifest:
    taken_at: datetime
    services: dict[str, ServiceBackup]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "taken_at": self.taken_at.isoformat(),
                "services": {name: asdict(backup) for name, backup in self.services.items()},
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        try:
            data = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT:
                raise BackupError(f"{MANIFEST}: format {data.get('format')!r} is not 1")
            services = {
                name: ServiceBackup(
                    **(entry | {"offsets": _offsets_from_json(entry.get("offsets", {}))})
                )
                for name, entry in data["services"].items()
            }
            return cls(datetime.fromisoformat(data["taken_at"]), services)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BackupError(f"{MANIFEST} is not a Kulturbro backup's manifest: {error}") from None

    def chosen(self, services: Sequence[str]) -> list[ServiceBackup]:
        """The named services' backups (all when none is named), refusing one it does not hold."""
        if missing := [name for name in services if name not in self.services]:
            held = ", ".join(self.services)
            raise BackupError(f"the backup holds no {missing[0]}; it holds: {held}")
        return [self.services[name] for name in (services or self.services)]


def _offsets_from_json(data: Mapping[str, Mapping[str, int]]) -> Offsets:
    # JSON keys are strings; partitions are numbers.
    return {topic: {int(p): int(o) for p, o in parts.items()} for topic, parts in data.items()}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(folder: Path, backups: Sequence[ServiceBackup]) -> None:
    """Every file there and as it was written, checked before anything is changed."""
    for backup in backups:
        path = folder / backup.file
        if not path.is_file():
            raise BackupError(f"{path.name} is missing from the backup")
        if sha256_of(path) != backup.sha256:
            raise BackupError(f"{path.name} differs from its checksum in {MANIFEST}: it is damaged")


def pg_tool(name: str, env: Mapping[str, str] = os.environ) -> str:
    """pg_dump or pg_restore: from PG_BIN_DIR, else the PATH, else the PostgreSQL the dev stack
    embeds (the pgserver package). pg_dump must be as new as the server or newer."""
    if directory := env.get("PG_BIN_DIR"):
        found: str | None = str(Path(directory) / name)
    else:
        found = shutil.which(name)
    if not found:
        spec = importlib.util.find_spec("pgserver")
        if spec is not None and spec.origin is not None:
            found = str(Path(spec.origin).parent / "pginstall" / "bin" / name)
    if not found or not os.access(found, os.X_OK):
        raise BackupError(
            f"{name} not found: install Debian's postgresql-client (the server's major version "
            "or newer) or set PG_BIN_DIR to the folder holding it"
        )
    return found


@dataclass(frozen=True)
class Connection:
    """How a PostgreSQL tool signs in: the URL without its password, which goes in PGPASSWORD,
    where other users of the machine do not see it in the process list."""

    url: str
    password: str | None
    libpq_url: str  # with the password, for connections of this process's own

    @classmethod
    def from_url(cls, database_url: str) -> "Connection":
        url = driver_url(database_url).replace("postgresql+psycopg://", "postgresql://")
        parts = urlsplit(url)
        if parts.password is None:
            return cls(url, None, url)
        host = parts.netloc.rpartition("@")[2]
        login = parts.netloc.rpartition("@")[0].partition(":")[0]
        without = parts._replace(netloc=f"{login}@{host}").geturl()
        return cls(without, unquote(parts.password), url)

    def tool_env(self) -> dict[str, str]:
        return dict(os.environ) | ({"PGPASSWORD": self.password} if self.password else {})


async def _run(tool: str, args: list[str], connection: Connection) -> None:
    process = await asyncio.create_subprocess_exec(
        pg_tool(tool),
        *args,
        f"--dbname={connection.url}",
        env=connection.tool_env(),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        lines = stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        raise BackupError(f"{tool} failed: {lines[-1]}")


async def back_up(
    database_url: str, bootstrap_servers: str, folder: Path, services: Sequence[ServiceToBackUp]
) -> Manifest:
    """Write each service's schema to FOLDER/SERVICE.dump and the manifest beside them."""
    await asyncio.to_thread(_new_folder, folder)
    connection = Connection.from_url(database_url)
    # Before the snapshot: offsets read now never pass what the snapshot holds.
    offsets = {
        s.service: await committed_offsets(bootstrap_servers, s.service, s.topics)
        for s in services
        if s.topics
    }
    taken_at = datetime.now(UTC)
    backups: dict[str, ServiceBackup] = {}
    async with await psycopg.AsyncConnection.connect(connection.libpq_url) as snapshot_holder:
        # One snapshot for every file: a backup of booking and allocation together agrees with
        # itself. It lives as long as this transaction, so the dumps run inside it.
        await snapshot_holder.set_isolation_level(psycopg.IsolationLevel.REPEATABLE_READ)
        await snapshot_holder.set_read_only(True)
        snapshot = await _scalar(snapshot_holder, sql.SQL("select pg_export_snapshot()"))
        for s in services:
            revision = await _revision(snapshot_holder, s.service, s.schema)
            file = f"{s.service}.dump"
            await _run(
                "pg_dump",
                [
                    "--format=custom",
                    f"--schema={s.schema}",
                    f"--snapshot={snapshot}",
                    f"--file={folder / file}",
                ],
                connection,
            )
            backups[s.service] = ServiceBackup(
                s.service,
                s.schema,
                revision,
                file,
                sha256_of(folder / file),
                offsets.get(s.service, {}),
            )
    manifest = Manifest(taken_at, backups)
    await asyncio.to_thread((folder / MANIFEST).write_text, manifest.to_json() + "\n")
    return manifest


def _new_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: name a new folder for the backup")
    folder.mkdir(parents=True, exist_ok=True)


async def _scalar(connection: psycopg.AsyncConnection, query: sql.SQL | sql.Composed) -> str | None:  # type: ignore[type-arg]
    row = await (await connection.execute(query)).fetchone()
    return None if row is None else row[0]


async def _revision(
    connection: psycopg.AsyncConnection,  # type: ignore[type-arg]
    service: str,
    schema: str,
) -> str | None:
    exists = await (
        await connection.execute(
            "select to_regclass(%s) is not null,"
            " exists(select 1 from pg_namespace where nspname = %s)",
            [f'"{checked_schema(schema)}".alembic_version', schema],
        )
    ).fetchone()
    assert exists is not None
    has_versions, has_schema = exists
    if not has_schema:
        raise BackupError(f"{service}: there is no schema {schema} to back up")
    if not has_versions:
        return None
    return await _scalar(
        connection,
        sql.SQL("select version_num from {}.alembic_version").format(sql.Identifier(schema)),
    )


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: name a folder `kulturbro backup` wrote")
    return Manifest.from_json(path.read_text())


async def restore(
    database_url: str,
    bootstrap_servers: str,
    folder: Path,
    services: Sequence[str] = (),
    replace: bool = False,
) -> list[ServiceBackup]:
    """Put the named services (all in the backup when none is named) back as the backup holds
    them, each with its consumer's offsets, so it reads again what came on the bus since.
    A schema holding tables is only overwritten with `replace`. Its service must be stopped
    (its consumer would commit over the offsets, its caches outlive the schema): one still
    connected to its schema is refused."""
    manifest = read_manifest(folder)
    chosen = manifest.chosen(services)
    verify(folder, chosen)
    connection = Connection.from_url(database_url)
    async with await psycopg.AsyncConnection.connect(
        connection.libpq_url, autocommit=True
    ) as admin:
        for backup in chosen:
            if sessions := await _sessions_of(admin, backup.schema):
                raise BackupError(
                    f"{backup.service} is running ({sessions} connections to schema "
                    f"{backup.schema}): stop every {backup.service} process, then restore again"
                )
        occupied = [b for b in chosen if await _holds_tables(admin, b.schema)]
        if occupied and not replace:
            raise BackupError(
                f"schema {occupied[0].schema} already holds tables: stop {occupied[0].service} "
                "and restore with --replace to overwrite it"
            )
        # Offsets first: should a restore then fail, its service only reads again what its
        # inbox already holds. Each group is joined in turn by the broker's clock, so at once.
        await asyncio.gather(
            *(commit_offsets(bootstrap_servers, b.service, b.offsets) for b in chosen)
        )
        for backup in chosen:
            await _restore_schema(admin, connection, folder / backup.file, backup.schema)
    return chosen


async def _sessions_of(connection: psycopg.AsyncConnection, schema: str) -> int:  # type: ignore[type-arg]
    """The service's open connections to its schema (its processes name them so)."""
    row = await (
        await connection.execute(
            "select count(*) from pg_stat_activity"
            " where application_name = %s and datname = current_database()",
            [application_name(schema)],
        )
    ).fetchone()
    return int(row[0]) if row else 0


async def _holds_tables(connection: psycopg.AsyncConnection, schema: str) -> bool:  # type: ignore[type-arg]
    row = await (
        await connection.execute(
            "select exists(select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s)",
            [schema],
        )
    ).fetchone()
    return bool(row and row[0])


async def _restore_schema(
    admin: psycopg.AsyncConnection,  # type: ignore[type-arg]
    connection: Connection,
    file: Path,
    schema: str,
) -> None:
    """The schema as the file holds it, or as it was: the old one is set aside under another
    name while the file is restored in one transaction, and dropped only once that has worked."""
    name, aside = sql.Identifier(schema), sql.Identifier(f"{schema[:50]}_before_restore")
    await admin.execute(sql.SQL("drop schema if exists {} cascade").format(aside))
    row = await (
        await admin.execute(
            "select exists(select 1 from pg_namespace where nspname = %s)", [schema]
        )
    ).fetchone()
    exists = bool(row and row[0])
    if exists:
        await admin.execute(sql.SQL("alter schema {} rename to {}").format(name, aside))
    try:
        await _run("pg_restore", ["--single-transaction", "--exit-on-error", str(file)], connection)
    except BackupError:
        if exists:
            await admin.execute(sql.SQL("alter schema {} rename to {}").format(aside, name))
        raise
    await admin.execute(sql.SQL("drop schema if exists {} cascade").format(aside))
