"""A page that fails in a way nobody expected shows the error page in the reader's language,
and counts as a 500 in the request metrics like any other."""

import httpx
from fastapi.routing import APIRoute

from kulturbro_runtime import metrics
from kulturbro_runtime.settings import settings_from
from web.app import service
from web.settings import WebSettings


async def a_bug() -> None:
    raise RuntimeError("a bug on the page")


def server_errors() -> float:
    counted = metrics.http_request_seconds.labels("web", "GET", "/a-bug", "500")
    return sum(s.value for s in counted.collect()[0].samples if s.name.endswith("_count"))


async def test_an_unexpected_error_shows_the_error_page_and_counts_as_a_500() -> None:
    settings = settings_from(
        WebSettings,
        {
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9",
            "KULTURBRO_ENV": "test",
        },
    )
    app = service.create_app(settings)
    app.router.routes.insert(0, APIRoute("/a-bug", a_bug))
    before = server_errors()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
        answer = await client.get("/a-bug", headers={"Accept-Language": "sv"})
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="sv"' in answer.text
    assert "a bug on the page" not in answer.text
    assert server_errors() == before + 1
