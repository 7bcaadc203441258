"""A real SMTP server that accepts and keeps every mail, so tests and developers can read them."""

import argparse
import email
import email.policy
import os
import signal
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from types import FrameType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from kulturbro_devstack._process import StoppedOnExit
from kulturbro_devstack.ports import free_port

_HOST = "127.0.0.1"
_DATA_SIZE_LIMIT = 256 * 1024 * 1024


class _MailKeeper:
    """aiosmtpd handler: keeps each mail's raw bytes in memory and, if asked, in a directory."""

    def __init__(self, maildir: Path | None) -> None:
        self._maildir = maildir
        self._lock = threading.Lock()
        self._raw: list[bytes] = []
        self.refusing = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusing:
            return "451 4.3.2 Not accepting mail now; try again later"
        raw = envelope.original_content or b""
        with self._lock:
            self._raw.append(raw)
            sequence = len(self._raw)
        if self._maildir is not None:
            name = f"{time.time_ns()}-{sequence:06d}"
            partial = self._maildir / f".{name}.tmp"
            partial.write_bytes(raw)
            # Renamed into place so whoever watches the directory never reads half a mail.
            os.replace(partial, self._maildir / f"{name}.eml")
        return "250 Message accepted for delivery"

    def raw(self) -> list[bytes]:
        with self._lock:
            return list(self._raw)


class EmbeddedSmtp(StoppedOnExit):
    def __init__(
        self, controller: Controller, keeper: _MailKeeper, port: int, maildir: Path | None
    ) -> None:
        self.host = _HOST
        self.port = port
        self.url = f"smtp://{_HOST}:{port}"
        self.maildir = maildir
        self._controller = controller
        self._keeper = keeper
        self._running = True

    def messages(self) -> list[EmailMessage]:
        """Every mail received so far, parsed, in arrival order."""
        return [
            email.message_from_bytes(raw, policy=email.policy.default) for raw in self._keeper.raw()
        ]

    def refuse(self, refusing: bool = True) -> None:
        """Answer every mail with a temporary failure (451) until called with False."""
        self._keeper.refusing = refusing

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._controller.stop()


def start_smtp(maildir: Path | None = None, *, port: int | None = None) -> EmbeddedSmtp:
    if port is None:
        port = free_port()
    if maildir is not None:
        maildir.mkdir(parents=True, exist_ok=True)
    keeper = _MailKeeper(maildir)
    controller = Controller(
        keeper,
        hostname=_HOST,
        port=port,
        # The default asks DNS for this machine's FQDN, which can hang without a network.
        server_hostname="localhost",
        enable_SMTPUTF8=True,
        # Undecoded data is what makes aiosmtpd advertise 8BITMIME.
        decode_data=False,
        data_size_limit=_DATA_SIZE_LIMIT,
    )
    controller.start()
    return EmbeddedSmtp(controller, keeper, port, maildir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run an SMTP server that keeps every mail.")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, help="write each mail here as an .eml file")
    args = parser.parse_args(argv)

    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with start_smtp(args.maildir, port=args.port) as smtp:
        print(f"SMTP server listening on {smtp.url}", flush=True)
        stop_requested.wait()


if __name__ == "__main__":
    main()
