"""An exception no handler expected is answered as the runtime's 500 and counted as one."""

from pathlib import Path

import httpx
from fastapi import APIRouter

from kulturbro_runtime import Service, metrics
from kulturbro_runtime.identity import public
from kulturbro_runtime.settings import ServiceSettings

router = APIRouter()


@router.get("/fails/{what}", **public())
async def fails(what: str) -> dict[str, str]:
    raise RuntimeError(f"a bug about {what}")


def a_service_app() -> httpx.AsyncClient:
    service = Service(
        name="failing", description="A service", migrations=Path("versions"), routers=[router]
    )
    settings = ServiceSettings(
        kulturbro_env="test",
        database_url="postgresql://nobody@127.0.0.1:1/none",
        kafka_bootstrap_servers="127.0.0.1:1",
    )
    transport = httpx.ASGITransport(app=service.create_app(settings), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://service")


def server_errors() -> float:
    counted = metrics.http_request_seconds.labels("failing", "GET", "/fails/{what}", "500")
    return sum(s.value for s in counted.collect()[0].samples if s.name.endswith("_count"))


async def test_an_unhandled_exception_is_a_counted_500_with_the_problem_document() -> None:
    before = server_errors()
    async with a_service_app() as client:
        answer = await client.get("/fails/seats", headers={"X-Correlation-ID": "nonsense"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == (
        "something went wrong on our side; it has been logged, please try again"
    )
    assert "a bug about seats" not in answer.text
    assert answer.headers["X-Correlation-ID"]
    assert server_errors() == before + 1
