"""Each embedded server really starts, really serves, and leaves no process behind."""

import asyncio
import os
import signal
import smtplib
import socket
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import psycopg
import pytest
import redis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from kulturbro_devstack.kafka import start_kafka
from kulturbro_devstack.ports import free_port
from kulturbro_devstack.postgres import start_postgres
from kulturbro_devstack.redis import start_redis
from kulturbro_devstack.smtp import start_smtp
from kulturbro_runtime.topics import create_topics

# Every test here starts a real server, so `make unit` leaves them out.
pytestmark = pytest.mark.integration

TOPIC = "devstack.test"


def assert_gone(pid: int) -> None:
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_postgres_answers_over_tcp_and_starts_again_on_its_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    for _ in range(2):
        with start_postgres(data_dir) as postgres:
            assert postgres.url.startswith("postgresql://postgres@127.0.0.1:")
            conn = psycopg.connect(postgres.url)  # still open at stop: its backend must go too
            assert conn.execute("select 1").fetchone() == (1,)
            backend_pid = conn.info.backend_pid
        conn.close()
        assert_gone(postgres.pid)
        assert_gone(backend_pid)


def test_redis_sets_and_gets() -> None:
    with start_redis() as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url)
        client.set("greeting", "hej")
        assert client.get("greeting") == b"hej"
        client.close()
    assert_gone(server.pid)


def test_redis_stopped_for_a_while_answers_again_on_its_port() -> None:
    with start_redis() as server:
        first = server.pid
        server.restart(down_seconds=0.5)
        assert server.pid != first
        assert_gone(first)
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        client.close()


def test_kafka_round_trips_a_message_before_and_after_a_restart() -> None:
    with start_kafka() as kafka:
        asyncio.run(round_trip(kafka.bootstrap_servers, b"before"))
        first_pid, port = kafka.pid, kafka.port

        kafka.restart()

        assert_gone(first_pid)
        assert kafka.bootstrap_servers == f"127.0.0.1:{port}"
        asyncio.run(round_trip(kafka.bootstrap_servers, b"after"))
    assert_gone(kafka.pid)


async def round_trip(bootstrap_servers: str, value: bytes) -> None:
    await create_topics(bootstrap_servers, [TOPIC])
    await create_topics(bootstrap_servers, [TOPIC])  # already exists: no error
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC, value)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        TOPIC, bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        message = await asyncio.wait_for(consumer.getone(), timeout=10)
    finally:
        await consumer.stop()
    assert message.value == value


def test_a_server_that_cannot_start_raises_with_its_log() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        with pytest.raises(RuntimeError, match="kafka failed to start") as failure:
            start_kafka(squatter.getsockname()[1])
    assert "Address in use" in str(failure.value)


def test_smtp_keeps_utf8_mail_in_memory_and_in_the_maildir(tmp_path: Path) -> None:
    with start_smtp(tmp_path / "mail") as server:
        with smtplib.SMTP(server.host, server.port) as client:
            client.ehlo()
            assert client.has_extn("smtputf8")
            assert client.has_extn("8bitmime")
            client.send_message(mail("zoë@example.org", "Grüße"))
            client.send_message(mail("bo@example.org", "second"))

        assert server.url == f"smtp://127.0.0.1:{server.port}"
        assert [m["Subject"] for m in server.messages()] == ["Grüße", "second"]
        assert server.messages()[0]["To"] == "zoë@example.org"
        assert len(list((tmp_path / "mail").glob("*.eml"))) == 2


def test_smtp_refuses_every_mail_for_now_when_told_and_keeps_none(tmp_path: Path) -> None:
    with start_smtp() as server, smtplib.SMTP(server.host, server.port) as client:
        server.refuse()
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(mail("bo@example.org", "refused"))
        assert refused.value.smtp_code == 451
        server.refuse(False)
        client.send_message(mail("bo@example.org", "taken"))
        assert [m["Subject"] for m in server.messages()] == ["taken"]


def test_smtp_runs_standalone_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    maildir = tmp_path / "mail"
    command = [sys.executable, "-m", "kulturbro_devstack.smtp", "--port", str(port)]
    server = subprocess.Popen([*command, "--maildir", str(maildir)], stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        assert f"smtp://127.0.0.1:{port}" in server.stdout.readline().decode()
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(mail("bo@example.org", "standalone"))
        eml = next(maildir.glob("*.eml"))
        assert "Subject: standalone" in eml.read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0


def mail(to: str, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "devstack@example.org"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Hej då ✓")
    return message
