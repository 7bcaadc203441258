"""An SMTP server for benchmarks that counts what it receives and keeps nothing, in its own process.

`python -m bench.smtp_sink --port P --stats-port S`: mail on P; on S, a line `stats` answers one
line of JSON (mails, bytes, distinct recipients, duplicates, first and last arrival as Unix time
or 0), and `reset` zeroes the counts and answers the same.
"""

import argparse
import asyncio
import json
import time
from collections import Counter

from aiosmtpd.smtp import SMTP, Envelope, Session

_HOST = "127.0.0.1"


class CountingSink:
    """aiosmtpd handler: counts deliveries per recipient and bytes; stores no bodies."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.per_recipient: Counter[str] = Counter()
        self.bytes = 0
        self.first = 0.0
        self.last = 0.0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        now = time.time()
        if not self.first:
            self.first = now
        self.last = now
        self.per_recipient.update(address.lower() for address in envelope.rcpt_tos)
        self.bytes += len(envelope.original_content or b"")
        return "250 Message accepted for delivery"

    def stats(self) -> dict[str, float]:
        mails = self.per_recipient.total()
        recipients = len(self.per_recipient)
        return {
            "mails": mails,
            "bytes": self.bytes,
            "recipients": recipients,
            "duplicates": mails - recipients,
            "first": self.first,
            "last": self.last,
        }


async def serve(port: int, stats_port: int) -> None:
    sink = CountingSink()

    def smtp() -> SMTP:
        # server_hostname: the default asks DNS for this machine's name, which can hang offline.
        return SMTP(sink, hostname="localhost", decode_data=False, enable_SMTPUTF8=True)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := (await reader.readline()).strip():
            if line == b"reset":
                sink.reset()
            writer.write(json.dumps(sink.stats()).encode() + b"\n")
            await writer.drain()
        writer.close()

    loop = asyncio.get_running_loop()
    mail = await loop.create_server(smtp, _HOST, port)
    stats = await asyncio.start_server(answer, _HOST, stats_port)
    print(f"counting mail on smtp://{_HOST}:{port}, stats on {_HOST}:{stats_port}", flush=True)
    async with mail, stats:
        await asyncio.gather(mail.serve_forever(), stats.serve_forever())


async def read_stats(stats_port: int, command: str = "stats") -> dict[str, float]:
    """The sink's counts, asked over its stats port (`reset` zeroes them first)."""
    reader, writer = await asyncio.open_connection(_HOST, stats_port)
    try:
        writer.write(command.encode() + b"\n")
        await writer.drain()
        answer: dict[str, float] = json.loads(await reader.readline())
        return answer
    finally:
        writer.close()
        await writer.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run an SMTP server that only counts mail.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats-port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.stats_port))


if __name__ == "__main__":
    main()
