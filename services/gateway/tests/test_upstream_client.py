"""The gateway's client to the services and pages keeps no browser's cookie for the next."""

import httpx
import pytest

from gateway.edge import upstream_client


@pytest.mark.asyncio
async def test_a_cookie_given_to_one_browser_is_never_sent_for_another() -> None:
    sent: list[str | None] = []

    def pages(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"set-cookie": "kulturbro_session=hers; Path=/"})

    async with upstream_client(5, httpx.MockTransport(pages)) as client:
        await client.get("http://web.internal/sign-in/redeem")
        await client.get("http://web.internal/teacher/groups")
        await client.get("http://web.internal/teacher", headers={"cookie": "kulturbro_session=his"})
        assert not client.cookies
    assert sent == [None, None, "kulturbro_session=his"]
