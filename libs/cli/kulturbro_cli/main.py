"""The `kulturbro` command line."""

import asyncio
import os
from typing import Annotated

import typer

from kulturbro_cli.database import grant_own_schemas, logins_from_environment
from kulturbro_cli.services import add_service_commands, load_service
from kulturbro_runtime.topics import all_topics, create_topics

app = typer.Typer(
    help="Kulturbro: culture for children, young people and the elderly.", no_args_is_help=True
)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
database_app = typer.Typer(help="The database's logins.", no_args_is_help=True)
app.add_typer(database_app, name="database")
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


@topics_app.command("create")
def topics_create(
    bootstrap_servers: str = typer.Option(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"), help="host:port of Kafka"
    ),
    prefix: str = typer.Option(os.environ.get("TOPIC_PREFIX", "kulturbro")),
) -> None:
    """Create every topic and its dead-letter topic (existing ones are left alone)."""
    asyncio.run(create_topics(bootstrap_servers, all_topics(prefix)))
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


@app.command()
def dev(
    port_base: int = typer.Option(8000, help="the gateway's port; the services take the next ones"),
    state_dir: str = typer.Option(".kulturbro", help="where the embedded servers keep their data"),
    exit_when_ready: bool = typer.Option(
        False, help="stop again once everything is ready (a check)"
    ),
) -> None:
    """Run all of Kulturbro locally with demo data; servers not named by URL run embedded."""
    from kulturbro_cli.dev_stack import run_dev_stack

    run_dev_stack(port_base, state_dir, exit_when_ready)
