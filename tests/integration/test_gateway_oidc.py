"""Signing in through a municipality's own OpenID Connect identity provider."""

from collections.abc import Iterator

import pytest

from kulturbro_devstack.identity_provider import IdentityProvider, start_identity_provider
from kulturbro_devstack.testing import Servers
from kulturbro_runtime import Role

from .test_gateway import platform

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[IdentityProvider]:
    """A real HTTP server publishing the provider's signing key as a JWKS document."""
    with start_identity_provider() as provider:
        yield provider


async def test_a_staff_member_signs_in_with_the_municipalitys_identity_provider(
    servers: Servers, topic_prefix: str, new_schema, identity_provider: IdentityProvider
) -> None:
    idp = identity_provider
    oidc = {
        "OIDC_ISSUER": idp.issuer,
        "OIDC_AUDIENCE": idp.client_id,
        "OIDC_JWKS_URL": idp.jwks_url,
    }
    async with platform(servers, topic_prefix, new_schema, {}, **oidc) as p:
        email = await p.add_account(Role.ADMINISTRATOR, "malmo")
        known = await p.gateway.post("/auth/oidc", json={"id_token": idp.id_token(email)})
        unknown = await p.gateway.post(
            "/auth/oidc", json={"id_token": idp.id_token("stranger@example.org")}
        )
        other_audience = await p.gateway.post(
            "/auth/oidc", json={"id_token": idp.id_token(email, audience="another-app")}
        )
        # The same issuer's name, another key.
        forged_token = IdentityProvider(idp.issuer).id_token(email)
        forged = await p.gateway.post("/auth/oidc", json={"id_token": forged_token})
        me = await p.gateway.get(
            "/auth/me", headers={"Authorization": f"Bearer {known.json()['access_token']}"}
        )
    assert known.status_code == 200, known.text
    assert me.json()["municipality_id"] == "malmo"
    assert unknown.status_code == 403
    assert other_audience.status_code == 401
    assert forged.status_code == 401
