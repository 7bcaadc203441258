"""The `kulturbro` command line."""

import asyncio
import os
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from aiokafka.errors import KafkaError

from kulturbro_cli.backup import BackupError, ServiceToBackUp, back_up, restore
from kulturbro_cli.database import grant_own_schemas, logins_from_environment
from kulturbro_cli.services import SERVICE_NAMES, add_service_commands, load_service
from kulturbro_runtime.consumer import consumed_topics
from kulturbro_runtime.db import checked_schema
from kulturbro_runtime.topics import PARTITIONS, all_topics, create_topics

app = typer.Typer(
    help="Kulturbro: culture for children, young people and the elderly.", no_args_is_help=True
)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
database_app = typer.Typer(help="The database's logins.", no_args_is_help=True)
app.add_typer(database_app, name="database")
retention_app = typer.Typer(
    help="Erasing personal data whose period has run out.", no_args_is_help=True
)
app.add_typer(retention_app, name="retention")
add_service_commands(app)


@app.command()
def service(name: str = typer.Argument(help="directory, catalog, booking, ... or gateway")) -> None:
    """Run one service (the production entry point); settings come from the environment."""
    load_service(name).run()


@app.command()
def migrate(name: str = typer.Argument(help="the service whose schema to upgrade")) -> None:
    """Upgrade one service's database schema to its newest version."""
    load_service(name).migrate()
    typer.echo(f"{name}: schema up to date")


@retention_app.command("run")
def retention_run(
    name: str = typer.Argument(help="the service whose retention jobs to run"),
) -> None:
    """Run a service's retention jobs now (they also run in the service every
    RETENTION_INTERVAL_SECONDS); settings come from the environment, as for `service`."""
    service = load_service(name)
    if not service.retention:
        typer.echo(f"{name}: keeps nothing with a retention period")
        return
    for job, erased in asyncio.run(service.erase_expired()).items():
        typer.echo(f"{name}: {job} erased {erased}")


@topics_app.command("create")
def topics_create(
    bootstrap_servers: str = typer.Option(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"), help="host:port of Kafka"
    ),
    prefix: str = typer.Option(os.environ.get("TOPIC_PREFIX", "kulturbro")),
    partitions: int = typer.Option(
        PARTITIONS,
        envvar="KAFKA_TOPIC_PARTITIONS",
        min=1,
        max=1000,
        help="partitions of each new topic: the most consumers of one group that can work",
    ),
) -> None:
    """Create every topic and its dead-letter topic (existing ones are left alone)."""
    asyncio.run(create_topics(bootstrap_servers, all_topics(prefix), partitions))
    typer.echo("topics ready")


@database_app.command("logins")
def database_logins(
    services: Annotated[
        list[str], typer.Argument(help="the services, e.g. gateway directory catalog")
    ],
) -> None:
    """Give each service a login of its own, with rights on its own schema only.

    DATABASE_URL is a login that may create roles (e.g. the database's superuser). Each
    service's own login is NAME_DATABASE_URL, the DATABASE_URL it then runs with:

        BOOKING_DATABASE_URL=postgresql://booking:PASSWORD@db:5432/kulturbro

    Safe to run again: passwords are set again, and a schema made before its service had a
    login of its own passes to that login with all it holds."""
    try:
        logins = logins_from_environment(services, os.environ)
    except ValueError as error:
        typer.echo(f"kulturbro database logins: {error}", err=True)
        raise typer.Exit(2) from None
    grant_own_schemas(os.environ["DATABASE_URL"], logins)
    for login in logins:
        typer.echo(f"{login.schema}: signs in as {login.role}, owns schema {login.schema}")


def _bootstrap_option() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")


def _database_url(command: str) -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    typer.echo(f"kulturbro {command}: set DATABASE_URL to the owner's login", err=True)
    raise typer.Exit(2)


def _schemas(given: list[str]) -> dict[str, str]:
    schemas = {}
    for pair in given:
        service, equals, schema = pair.partition("=")
        try:
            schemas[service] = checked_schema(schema)
        except ValueError as error:
            problem = error if equals else "write it SERVICE=SCHEMA"
            typer.echo(f"kulturbro backup: --schema {pair!r}: {problem}", err=True)
            raise typer.Exit(2) from None
    return schemas


@app.command()
def backup(
    folder: Annotated[Path, typer.Argument(help="a new (or empty) folder for the backup")],
    services: Annotated[
        list[str] | None, typer.Argument(help="the services to back up (default: all)")
    ] = None,
    schema: Annotated[
        list[str], typer.Option(help="SERVICE=SCHEMA, for a schema not named after its service")
    ] = [],  # noqa: B006 (typer reads the default; it is never changed)
    bootstrap_servers: str = typer.Option(_bootstrap_option(), help="host:port of Kafka"),
    prefix: str = typer.Option(os.environ.get("TOPIC_PREFIX", "kulturbro")),
) -> None:
    """Back up each service's schema (pg_dump, custom format), all in one snapshot, with a
    manifest of checksums, migrations and where each consumer stood on the bus.

    DATABASE_URL is the owner's login; pg_dump comes from PG_BIN_DIR, the PATH or the dev
    stack's embedded PostgreSQL."""
    schemas = _schemas(schema)
    to_back_up = [
        ServiceToBackUp(
            name, schemas.get(name, name), consumed_topics(load_service(name).handlers, prefix)
        )
        for name in services or SERVICE_NAMES
    ]
    try:
        manifest = asyncio.run(
            back_up(_database_url("backup"), bootstrap_servers, folder, to_back_up)
        )
    except (BackupError, LookupError, OSError, psycopg.Error, KafkaError) as error:
        typer.echo(f"kulturbro backup: {_one_line(error)}", err=True)
        raise typer.Exit(2) from None
    for name, taken in manifest.services.items():
        typer.echo(f"{name}: schema {taken.schema} at {taken.alembic_revision} in {taken.file}")


@app.command("restore")
def restore_command(
    folder: Annotated[Path, typer.Argument(help="a folder `kulturbro backup` wrote")],
    services: Annotated[
        list[str] | None, typer.Argument(help="the services to restore (default: all it holds)")
    ] = None,
    replace: bool = typer.Option(False, help="overwrite a schema that holds tables"),
    bootstrap_servers: str = typer.Option(_bootstrap_option(), help="host:port of Kafka"),
) -> None:
    """Restore services from a backup, each into its schema, and set its consumer back to where
    it stood: on start it reads again what came on the bus since, and its inbox skips what the
    backup already holds. Stop the services first."""
    try:
        restored = asyncio.run(
            restore(_database_url("restore"), bootstrap_servers, folder, services or (), replace)
        )
    except (BackupError, LookupError, OSError, psycopg.Error, KafkaError) as error:
        typer.echo(f"kulturbro restore: {_one_line(error)}", err=True)
        raise typer.Exit(2) from None
    for taken in restored:
        typer.echo(f"{taken.service}: schema {taken.schema} restored at {taken.alembic_revision}")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


@app.command()
def faults(
    short: Annotated[
        bool, typer.Option("--short", help="a few faults, briefly: the run CI makes")
    ] = False,
    teachers: Annotated[
        int | None, typer.Option(min=4, max=5000, help="who book and are invited [200; 30 short]")
    ] = None,
    workdir: Annotated[
        Path | None, typer.Option(help="servers' data and logs (default: a new temporary one)")
    ] = None,
) -> None:
    """Kill, stop and refuse each piece of a whole stack of its own while bookings and an
    invitation fan-out are under way; print per fault how long it took to catch up and whether
    every invariant held (exit 1 if one broke)."""
    import tempfile

    from kulturbro_cli.faults.suite import run_faults

    teachers = teachers or (30 if short else 200)
    with tempfile.TemporaryDirectory(prefix="kulturbro-faults-") as temporary:
        raise typer.Exit(run_faults(short, teachers, workdir or Path(temporary)))


@app.command()
def dev(
    port_base: int = typer.Option(8000, help="the gateway's port; the services take the next ones"),
    state_dir: str = typer.Option(".kulturbro", help="where the embedded servers keep their data"),
    exit_when_ready: bool = typer.Option(
        False, help="stop again once everything is ready (a check)"
    ),
    observe: bool = typer.Option(
        False,
        help="also Prometheus (Debian's package) and a trace viewer, with deploy's dashboards",
    ),
) -> None:
    """Run all of Kulturbro locally with demo data; servers not named by URL run embedded."""
    from kulturbro_cli.dev_stack import run_dev_stack

    run_dev_stack(port_base, state_dir, exit_when_ready, observe)
