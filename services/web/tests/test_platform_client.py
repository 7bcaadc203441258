"""The web's one client to the platform speaks for every reader at once: it keeps no cookie a
response sets, or one reader's session would go out with the next reader's calls."""

import httpx

from kulturbro_runtime.settings import settings_from
from web.app import service
from web.settings import WebSettings


def test_the_platform_client_keeps_no_cookie() -> None:
    settings = settings_from(
        WebSettings,
        {
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
            "KULTURBRO_ENV": "test",
        },
    )
    client: httpx.AsyncClient = service.create_app(settings).state.platform.client
    request = httpx.Request("POST", f"{settings.gateway_url}auth/password")
    answer = httpx.Response(
        200, headers={"set-cookie": "kulturbro_session=hers; Path=/"}, request=request
    )
    client.cookies.extract_cookies(answer)
    assert list(client.cookies.jar) == []
