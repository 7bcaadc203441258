"""Each service's own database login, with rights on its own schema only, so that schema
isolation rests on PostgreSQL's privileges and not on the search path alone."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import psycopg
from psycopg import sql

from kulturbro_runtime.db import checked_schema, driver_url

# Relations a schema may hold, by the word ALTER uses for them; indexes and the sequences of
# serial and identity columns change owner with their tables.
_RELATION_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view"}
_OWNED_BY_OTHERS = """
    select c.relkind::text, c.relname from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = %(schema)s and pg_get_userbyid(c.relowner) <> %(role)s
      and (c.relkind in ('r', 'p', 'v', 'm') or (c.relkind = 'S' and not exists (
          select 1 from pg_depend d
          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))))
    union all
    select 'type', t.typname from pg_type t
    join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = %(schema)s and pg_get_userbyid(t.typowner) <> %(role)s
      and t.typtype in ('e', 'd')
"""


@dataclass(frozen=True)
class ServiceLogin:
    schema: str
    role: str
    password: str | None

    @classmethod
    def from_url(cls, schema: str, url: str) -> "ServiceLogin":
        parts = urlsplit(url)
        if not parts.username:
            raise ValueError(
                f"the login for {schema} names no user: postgresql://USER:PASSWORD@..."
            )
        password = unquote(parts.password) if parts.password is not None else None
        return cls(checked_schema(schema), unquote(parts.username), password)


def logins_from_environment(services: list[str], env: Mapping[str, str]) -> list[ServiceLogin]:
    """Each service's login from NAME_DATABASE_URL, checked against DATABASE_URL (the owner's):
    the same database, and a login of each service's own."""
    owner = env.get("DATABASE_URL")
    if not owner:
        raise ValueError("DATABASE_URL: set it to a login that may create roles (the owner's)")
    owner_parts = urlsplit(owner)
    logins: list[ServiceLogin] = []
    for service in services:
        variable = f"{service.upper()}_DATABASE_URL"
        url = env.get(variable)
        if not url:
            raise ValueError(
                f"{variable}: set it to the login {service} runs with, "
                f"e.g. postgresql://{service}:PASSWORD@{owner_parts.hostname or 'HOST'}/DATABASE"
            )
        parts = urlsplit(url)
        if (parts.hostname, parts.port, parts.path) != (
            owner_parts.hostname,
            owner_parts.port,
            owner_parts.path,
        ):
            raise ValueError(f"{variable}: names another database than DATABASE_URL")
        login = ServiceLogin.from_url(service, url)
        if login.role == unquote(owner_parts.username or ""):
            raise ValueError(f"{variable}: signs in as DATABASE_URL does; give {service} its own")
        if shared := [other.schema for other in logins if other.role == login.role]:
            raise ValueError(f"{variable}: signs in as {shared[0]} does; give {service} its own")
        logins.append(login)
    return logins


def with_login(url: str, role: str, password: str | None) -> str:
    """The same database, signed in as role."""
    parts = urlsplit(url)
    login = quote(role, safe="") + (f":{quote(password, safe='')}" if password else "")
    return parts._replace(netloc=f"{login}@{parts.netloc.rpartition('@')[2]}").geturl()


def grant_own_schemas(owner_url: str, logins: Iterable[ServiceLogin]) -> None:
    """Create each login (or set its password again) and its schema, owned by it; it gets no
    other right, so it cannot read another service's tables. Run with a login that may create
    roles and schemas, e.g. the superuser the database came with; safe to run again."""
    url = driver_url(owner_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:  # one transaction: all of it, or none
        connection.execute("select pg_advisory_xact_lock(hashtext('kulturbro logins'))")
        # PostgreSQL 15 and later do this already: no schema for anyone to create tables in.
        connection.execute("revoke create on schema public from public")
        for login in logins:
            _grant_own_schema(connection, login)


def _grant_own_schema(connection: psycopg.Connection[tuple[str, ...]], login: ServiceLogin) -> None:
    role, schema = sql.Identifier(login.role), sql.Identifier(login.schema)
    exists = connection.execute("select 1 from pg_roles where rolname = %s", [login.role])
    verb = "alter" if exists.fetchone() else "create"
    password = sql.SQL(" password {}").format(login.password) if login.password else sql.SQL("")
    connection.execute(sql.SQL(verb + " role {} login{}").format(role, password))
    connection.execute(
        sql.SQL("create schema if not exists {} authorization {}").format(schema, role)
    )
    # A schema made before its service had a login of its own passes to it, with what it holds.
    connection.execute(sql.SQL("alter schema {} owner to {}").format(schema, role))
    found = connection.execute(_OWNED_BY_OTHERS, {"schema": login.schema, "role": login.role})
    for kind, name in found.fetchall():
        word = "type" if kind == "type" else _RELATION_KINDS.get(kind, "sequence")
        connection.execute(
            sql.SQL("alter {} {}.{} owner to {}").format(
                sql.SQL(word), schema, sql.Identifier(name), role
            )
        )
