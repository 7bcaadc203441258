"""`kulturbro accounts add`: the first operator, or any account, straight into the gateway."""

import asyncio
import time
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from gateway import tenants
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
    wait: Annotated[
        float,
        typer.Option(
            min=0,
            max=600,
            help="seconds to wait for a municipality or organizer registered just now to reach "
            "the gateway",
        ),
    ] = 0,
) -> None:
    """Add an account that signs in with a password."""
    from gateway.app import service

    if len(password) < MIN_LENGTH:
        _refuse(f"the password needs at least {MIN_LENGTH} characters")
    if role not in (Role.OPERATOR, Role.ANALYST) and not municipality:
        _refuse(f"a {role.value} needs --municipality")
    if role == Role.ORGANIZER and not organizer:
        _refuse("an organizer needs --organizer, the id of the organizer it acts for")
    settings = service.settings()
    service.migrate(settings)
    account = Account(
        email=email.lower(), role=role, municipality_id=municipality, organizer_id=organizer,
        password_hash=hash_password(password),
    )  # fmt: skip
    try:
        asyncio.run(_insert(settings.database_url, settings.db_schema or "gateway", account, wait))
    except (AccountExists, IntegrityError):
        _refuse(f"{email} has an account already")
    except UnknownTenant as error:
        _refuse(str(error))
    typer.echo(f"added {role.value} {email}")


def _refuse(problem: str) -> NoReturn:
    typer.echo(f"kulturbro accounts: {problem}", err=True)
    raise typer.Exit(2)


class AccountExists(Exception):
    pass


class UnknownTenant(Exception):
    """The municipality or organizer is not one the gateway has heard of."""


async def _insert(database_url: str, schema: str, account: Account, wait: float) -> None:
    database = Database(database_url, schema, pool_size=1)
    deadline = time.monotonic() + wait
    try:
        # An existing account first: adding it again is refused the same way, known or not.
        while (problem := await _problem(database, account)) is not None:
            if time.monotonic() >= deadline:
                raise UnknownTenant(problem)
            await asyncio.sleep(0.5)
        async with database.sessions() as session, session.begin():
            session.add(account)
    finally:
        await database.dispose()


async def _problem(database: Database, account: Account) -> str | None:
    """What keeps the account from being added, or None."""
    async with database.sessions() as session:
        taken = await session.exec(select(Account.id).where(Account.email == account.email))
        if taken.first() is not None:
            raise AccountExists(account.email)
        if account.municipality_id is not None:
            problem = await tenants.unknown_municipality(session, account.municipality_id)
            if problem is not None:
                return problem
        if account.organizer_id is not None:
            return await tenants.unknown_organizer(
                session, account.organizer_id, account.municipality_id
            )
    return None
