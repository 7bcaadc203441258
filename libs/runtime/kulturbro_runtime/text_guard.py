"""Refuses NUL characters at the door: PostgreSQL text cannot hold them, so they are never data."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kulturbro_runtime.errors import problem

REFUSAL = "text may not contain NUL characters (U+0000); remove them and send again"


class RefuseNulCharacters:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").lower()
        if b"%00" in query or "\x00" in scope.get("path", ""):
            await problem(422, REFUSAL)(scope, receive, send)
            return

        # The whole body is read first (the gateway bounds its size), looked at, then replayed.
        messages = [await receive()]
        while messages[-1].get("more_body", False):
            messages.append(await receive())
        body = b"".join(message.get("body", b"") for message in messages)
        if b"\\u0000" in body or b"\x00" in body:
            await problem(422, REFUSAL)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
