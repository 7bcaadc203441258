"""The delivery job's rules that need no servers: what counts as final, how long to wait."""

import asyncio
import time
from datetime import timedelta

import aiosmtplib
import pytest

from notify.delivery_job import RateLimit, _judge, backoff
from notify.rendering import plausible_address


def test_a_refused_recipient_fails_for_good_and_a_busy_server_is_tried_again() -> None:
    refused = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, "5.1.1 No such user", "nobody@skola.example")]
    )
    busy = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(451, "4.3.0 Try later", "anna@skola.example")]
    )
    assert _judge(refused) == ("failed", "550 5.1.1 No such user")
    assert _judge(busy)[0] == "retry"
    assert _judge(aiosmtplib.SMTPDataError(554, "5.6.0 Message refused"))[0] == "failed"
    assert _judge(aiosmtplib.SMTPDataError(452, "4.3.1 Out of space"))[0] == "retry"
    # A server refusing our own sender is not the teacher's fault: their mail waits.
    assert _judge(aiosmtplib.SMTPSenderRefused(550, "no relay", "no-reply@x.example"))[0] == "retry"


def test_backoff_doubles_from_half_a_minute_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert backoff(20) == timedelta(hours=1)


@pytest.mark.parametrize(
    ("address", "plausible"),
    [("anna@skola.example", True), ("anna@localhost", False), ("anna", False),
     ("Anna <anna@skola.example>", False), ("", False)],
)  # fmt: skip
def test_only_plain_addresses_with_a_domain_are_tried(address: str, plausible: bool) -> None:
    assert plausible_address(address) is plausible


async def test_the_rate_limit_spaces_mails_out() -> None:
    limit = RateLimit(per_second=50)
    started = time.monotonic()
    for _ in range(11):
        await limit.wait()
    assert time.monotonic() - started >= 0.19  # ten gaps of 20 ms after the first


async def test_no_rate_limit_means_no_waiting() -> None:
    limit = RateLimit(per_second=0)
    started = time.monotonic()
    await asyncio.gather(*(limit.wait() for _ in range(1000)))
    assert time.monotonic() - started < 0.5
