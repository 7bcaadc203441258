"""The `kulturbro` command line."""

import asyncio
import os

import typer

from kulturbro_cli.services import add_service_commands, load_service
from kulturbro_runtime.topics import all_topics, create_topics

app = typer.Typer(
    help="Kulturbro: culture for children, young people and the elderly.", no_args_is_help=True
)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(topics_app, name="topics")
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
