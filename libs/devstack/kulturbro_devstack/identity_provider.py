"""A small real OpenID Connect identity provider for tests, over HTTP on a free local port: an
authorize endpoint that signs in whoever the test says and sends the browser back with a code, a
token endpoint that trades the code (checking the client's secret, the redirect and the PKCE
verifier) for an RS256-signed id_token, and its signing key as a JWKS document."""

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_ID = "key-1"


@dataclass
class IdentityProvider:
    issuer: str  # also its base URL
    client_id: str = "kulturbro-web"
    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    # Who is signed in at the provider: the e-mail its id_tokens carry; None: they refuse.
    signs_in: str | None = None
    # Its token endpoint is down for maintenance (503) while this is set.
    down: bool = False
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.issuer}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def id_token(self, email: str, nonce: str | None = None, audience: str | None = None) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience or self.client_id,
            "sub": str(uuid.uuid4()),
            "email": email,
            "email_verified": True,
            "iat": now,
            "exp": now + 300,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [jwk | {"kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> str | None:
        """Where the browser is sent back to, with a code or with the reader's refusal; None for
        a request this provider does not take (its page then says so)."""
        if (
            query.get("client_id") != self.client_id
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or not query.get("redirect_uri")
        ):
            return None
        back = {"state": query.get("state", "")}
        if self.signs_in is None:
            back["error"] = "access_denied"
        else:
            back["code"] = code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "email": self.signs_in,
                "nonce": query.get("nonce", ""),
                "challenge": query.get("code_challenge", ""),
                "redirect_uri": query["redirect_uri"],
            }
        return f"{query['redirect_uri']}?{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        if self.down:
            return 503, {"error": "temporarily_unavailable"}
        user, _, secret = base64.b64decode(authorization.removeprefix("Basic ")).partition(b":")
        if (unquote_plus(user.decode()), unquote_plus(secret.decode())) != (
            self.client_id,
            self.client_secret,
        ):
            return 401, {"error": "invalid_client"}
        granted = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if (
            granted is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != granted["redirect_uri"]
            or challenge.decode() != granted["challenge"]
        ):
            return 400, {"error": "invalid_grant"}
        id_token = self.id_token(granted["email"], nonce=granted["nonce"])
        answer = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer"}
        return 200, answer | {"expires_in": 300, "id_token": id_token}


@contextmanager
def start_identity_provider(**settings: Any) -> Iterator[IdentityProvider]:
    server = _Server(("127.0.0.1", 0), _Endpoints)
    server.provider = provider = IdentityProvider(
        issuer=f"http://127.0.0.1:{server.server_port}", **settings
    )
    thread = threading.Thread(target=server.serve_forever, name="identity-provider", daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


class _Server(ThreadingHTTPServer):
    provider: IdentityProvider


class _Endpoints(BaseHTTPRequestHandler):
    @property
    def provider(self) -> IdentityProvider:
        assert isinstance(self.server, _Server)
        return self.server.provider

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/jwks":
            self._json(200, self.provider.jwks())
        elif url.path != "/authorize":
            self._json(404, {"error": "not_found"})
        elif back := self.provider.authorize(dict(parse_qsl(url.query))):
            self.send_response(302)
            self.send_header("Location", back)
            self.end_headers()
        else:
            self._json(400, {"error": "invalid_request"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        if urlsplit(self.path).path != "/token":
            self._json(404, {"error": "not_found"})
            return
        form = dict(parse_qsl(body))
        self._json(*self.provider.token(form, self.headers.get("Authorization", "")))

    def _json(self, status: int, body: dict[str, Any]) -> None:
        encoded = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, *args: object) -> None:
        pass
