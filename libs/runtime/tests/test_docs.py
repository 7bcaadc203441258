"""Every service's API docs work offline: their pages load scripts from the service alone."""

import re
from pathlib import Path

import httpx

from kulturbro_runtime import Service
from kulturbro_runtime.settings import ServiceSettings


def a_service_app() -> httpx.AsyncClient:
    service = Service(name="docs", description="A service", migrations=Path("versions"))
    settings = ServiceSettings(
        kulturbro_env="test",
        database_url="postgresql://nobody@127.0.0.1:1/none",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    transport = httpx.ASGITransport(app=service.create_app(settings))
    return httpx.AsyncClient(transport=transport, base_url="http://service")


async def test_the_docs_page_loads_nothing_from_elsewhere() -> None:
    async with a_service_app() as client:
        html = (await client.get("/docs")).text
        referenced = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
        referenced += re.findall(r"""url:\s*["']([^"']+)""", html)
        assert referenced, html
        assert not re.search(r"https?://", html), "an absolute URL in the docs page"
        scripts = re.findall(r"""<script[^>]*\bsrc\s*=\s*["']([^"']+)""", html)
        assert scripts
        for path in referenced:
            answer = await client.get(path)
            assert answer.status_code == 200, path
        for path in scripts:
            answer = await client.get(path)
            assert "javascript" in answer.headers["content-type"], path
            assert len(answer.content) > 100_000, path  # the bundle, not an error page


async def test_swagger_ui_reads_the_service_document() -> None:
    async with a_service_app() as client:
        html = (await client.get("/docs")).text
        assert "url: '/openapi.json'" in html
        assert '"validatorUrl": null' in html
        policy = (await client.get("/docs")).headers["content-security-policy"]
        assert "default-src 'self'" in policy and "http" not in policy
        css = await client.get("/docs/assets/swagger-ui.css")
        assert css.headers["content-type"].startswith("text/css")
        assert (await client.get("/docs/oauth2-redirect")).status_code == 200
        # ReDoc would load its logo from its CDN: there is none.
        assert (await client.get("/redoc")).status_code == 404
