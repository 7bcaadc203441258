"""The servers the dev stack needs: the URLs given in the environment, else embedded ones."""

import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class Progress(Protocol):
    def __call__(self, message: str) -> None: ...


@dataclass
class Infrastructure:
    database_url: str
    redis_url: str
    kafka_bootstrap_servers: str
    smtp_url: str
    maildir: Path | None


def provide(state_dir: Path, stack: ExitStack, progress: Progress) -> Infrastructure:
    """Start what the environment does not name; `stack` stops it again."""
    from kulturbro_devstack import kafka, postgres, redis, smtp

    env = os.environ
    database_url = env.get("DATABASE_URL")
    if not database_url:
        progress("starting PostgreSQL (embedded)")
        database_url = stack.enter_context(postgres.start_postgres(state_dir / "postgres")).url
    redis_url = env.get("REDIS_URL")
    if not redis_url:
        progress("starting Redis (embedded)")
        redis_url = stack.enter_context(redis.start_redis()).url
    bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        progress("starting the Kafka-protocol broker (Tansu, embedded)")
        bootstrap = stack.enter_context(kafka.start_kafka()).bootstrap_servers
    smtp_url, maildir = env.get("SMTP_URL"), None
    if not smtp_url:
        progress("starting the local SMTP server")
        maildir = state_dir / "mail"
        smtp_url = stack.enter_context(smtp.start_smtp(maildir)).url
    return Infrastructure(database_url, redis_url, bootstrap, smtp_url, maildir)
