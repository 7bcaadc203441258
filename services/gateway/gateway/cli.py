"""`kulturbro accounts add`: the first operator, or any account, straight into the gateway."""

import asyncio
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from gateway.db import Account
from gateway.passwords import MIN_LENGTH, hash_password
from kulturbro_runtime import Role
from kulturbro_runtime.db import Database

app = typer.Typer(help="Sign-in accounts.", no_args_is_help=True)


@app.command("add")
def add(
    email: str,
    role: Annotated[
        Role, typer.Option(help="operator, administrator, organizer, teacher, analyst")
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, envvar="KULTURBRO_NEW_PASSWORD"
        ),
    ],
    municipality: Annotated[str | None, typer.Option(help="the municipality it serves")] = None,
    organizer: Annotated[str | None, typer.Option(help="the organizer it acts for")] = None,
) -> None:
    """Add an account that signs in with a password."""
    from gateway.app import service

    if len(password) < MIN_LENGTH:
        typer.echo(
            f"kulturbro accounts: the password needs at least {MIN_LENGTH} characters", err=True
        )
        raise typer.Exit(2)
    if role not in (Role.OPERATOR, Role.ANALYST) and not municipality:
        typer.echo(f"kulturbro accounts: a {role.value} needs --municipality", err=True)
        raise typer.Exit(2)
    settings = service.settings()
    service.migrate(settings)
    account = Account(
        email=email.lower(), role=role, municipality_id=municipality, organizer_id=organizer,
        password_hash=hash_password(password),
    )  # fmt: skip
    try:
        asyncio.run(_insert(settings.database_url, settings.db_schema or "gateway", account))
    except IntegrityError:
        typer.echo(f"kulturbro accounts: {email} has an account already", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"added {role.value} {email}")


async def _insert(database_url: str, schema: str, account: Account) -> None:
    database = Database(database_url, schema, pool_size=1)
    try:
        async with database.sessions() as session, session.begin():
            session.add(account)
    finally:
        await database.dispose()
