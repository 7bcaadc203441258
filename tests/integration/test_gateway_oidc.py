"""Signing in through a municipality's own OpenID Connect identity provider."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from kulturbro_devstack.testing import Servers
from kulturbro_runtime import Role

from .test_gateway import platform

pytestmark = pytest.mark.integration
ISSUER, AUDIENCE, KEY_ID = "https://idp.example.org", "kulturbro-web", "key-1"


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[tuple[rsa.RSAPrivateKey, str]]:
    """A real HTTP server publishing the provider's signing key as a JWKS document."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": KEY_ID, "use": "sig"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield key, f"http://127.0.0.1:{server.server_port}/jwks"
    server.shutdown()


def id_token(key: rsa.RSAPrivateKey, email: str, audience: str = AUDIENCE) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": audience, "sub": str(uuid.uuid4()), "email": email,
              "email_verified": True, "iat": now, "exp": now + 300}  # fmt: skip
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})


async def test_a_staff_member_signs_in_with_the_municipalitys_identity_provider(
    servers: Servers, topic_prefix: str, new_schema, identity_provider
) -> None:
    key, jwks_url = identity_provider
    oidc = {"OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": AUDIENCE, "OIDC_JWKS_URL": jwks_url}
    async with platform(servers, topic_prefix, new_schema, {}, **oidc) as p:
        email = await p.add_account(Role.ADMINISTRATOR, "malmo")
        known = await p.gateway.post("/auth/oidc", json={"id_token": id_token(key, email)})
        unknown = await p.gateway.post(
            "/auth/oidc", json={"id_token": id_token(key, "stranger@example.org")}
        )
        other_audience = await p.gateway.post(
            "/auth/oidc", json={"id_token": id_token(key, email, audience="another-app")}
        )
        forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        forged = await p.gateway.post("/auth/oidc", json={"id_token": id_token(forged_key, email)})
        me = await p.gateway.get(
            "/auth/me", headers={"Authorization": f"Bearer {known.json()['access_token']}"}
        )
    assert known.status_code == 200, known.text
    assert me.json()["municipality_id"] == "malmo"
    assert unknown.status_code == 403
    assert other_audience.status_code == 401
    assert forged.status_code == 401
