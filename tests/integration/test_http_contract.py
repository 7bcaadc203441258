"""What every service's HTTP side promises: health, metrics, refusals a person can act on."""

import pytest

from kulturbro_cli.services import SERVICE_NAMES, load_service
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.identity import IDENTITY_HEADER

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_every_service_reports_health_readiness_and_metrics(
    name: str, servers: Servers, topic_prefix: str, new_schema
) -> None:
    service = load_service(name)
    settings = service_settings(service, service_env(servers, topic_prefix, new_schema(name)))
    async with running(service, settings) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok", "service": name}
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
    assert ready.json()["checks"]["database"] is True
    assert "kulturbro_http_request_seconds" in metrics.text


async def test_refusals_are_problem_documents_that_say_what_to_do(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    service = load_service("directory")
    settings = service_settings(
        service, service_env(servers, topic_prefix, new_schema("directory"))
    )
    teacher = identity_headers("teacher", "malmo")
    admin = identity_headers("administrator", "malmo")
    async with running(service, settings) as client:
        anonymous = await client.get("/schools")
        tampered = await client.get("/schools", headers={IDENTITY_HEADER: "abc.def"})
        wrong_role = await client.post(
            "/schools", json={"name": "X", "kind": "school"}, headers=teacher
        )
        invalid = await client.post(
            "/schools", json={"name": "", "kind": "castle", "latitude": 123}, headers=admin
        )
        listed = await client.get("/schools", headers=admin)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert "sign in" in anonymous.json()["detail"]
    assert tampered.status_code == 401
    assert wrong_role.status_code == 403
    assert "needs administrator" in wrong_role.json()["detail"]
    assert invalid.status_code == 422
    fields = {error["field"] for error in invalid.json()["errors"]}
    assert fields == {"name", "kind", "latitude"}
    assert listed.json() == [], "nothing half-written"


async def test_nul_characters_are_refused_before_they_reach_the_database(
    servers: Servers, topic_prefix: str, new_schema
) -> None:
    service = load_service("directory")
    settings = service_settings(
        service, service_env(servers, topic_prefix, new_schema("directory"))
    )
    admin = identity_headers("administrator", "malmo")
    async with running(service, settings) as client:
        in_query = await client.get("/schools?name=%00x", headers=admin)
        in_body = await client.post(
            "/schools", json={"name": "A\x00B", "kind": "school"}, headers=admin
        )
        listed = await client.get("/schools", headers=admin)
    assert in_query.status_code == in_body.status_code == 422
    assert "NUL" in in_body.json()["detail"]
    assert listed.json() == []
