"""Signing staff in at the municipality's own OpenID Connect provider: the authorization code
flow with PKCE, its state, nonce and code verifier kept server-side for the browser that began
it. The gateway checks the provider's id_token (signature, issuer, audience) and finds the
account; the web only carries it there."""

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

import httpx
import jwt
from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis

log = logging.getLogger(__name__)
CALLBACK_PATH = "/sign-in/oidc/callback"
# Holds the random key of this browser's sign-in under way (its flow is in Redis).
FLOW_COOKIE = "kulturbro_oidc"
# Time enough to sign in at the provider; a flow not finished by then is forgotten.
FLOW_SECONDS = 600
SCOPE = "openid email"


class Problem(StrEnum):
    """Why a sign-in at the provider did not sign the reader in; each has its words on the page."""

    DENIED = "denied"  # the reader said no at the provider
    EXPIRED = "expired"  # no flow of this browser's, another state, or a code spent or too old
    REFUSED = "refused"  # the provider's answer could not be trusted
    NO_ACCOUNT = "no_account"  # a good answer, but no Kulturbro account has the e-mail
    PROVIDER_DOWN = "provider_down"


STATUS = {
    Problem.DENIED: 403,
    Problem.EXPIRED: 400,
    Problem.REFUSED: 401,
    Problem.NO_ACCOUNT: 403,
    Problem.PROVIDER_DOWN: 502,
}


class SignInFailed(Exception):
    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem


@dataclass(frozen=True)
class Provider:
    name: str  # on the button: "Sign in with <name>"
    authorization_endpoint: str
    token_endpoint: str
    client_id: str
    client_secret: str | None  # None: a public client, PKCE alone
    redirect_uri: str


class Pending(BaseModel):
    """A sign-in under way: what the provider's answer must match, and where to go after."""

    state: str
    nonce: str
    code_verifier: str
    next: str


def begin(next: str, random: Callable[[int], str] = secrets.token_urlsafe) -> Pending:
    # 32 random bytes: a 43-character verifier, the shortest RFC 7636 allows.
    return Pending(state=random(32), nonce=random(32), code_verifier=random(32), next=next)


def code_challenge(verifier: str) -> str:
    """RFC 7636's S256: the verifier's SHA-256, base64url without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(provider: Provider, pending: Pending) -> str:
    """Where the browser goes to sign in; a query the endpoint already has (a tenant) is kept."""
    parts = urlsplit(provider.authorization_endpoint)
    query = [
        *parse_qsl(parts.query),
        ("response_type", "code"),
        ("client_id", provider.client_id),
        ("redirect_uri", provider.redirect_uri),
        ("scope", SCOPE),
        ("state", pending.state),
        ("nonce", pending.nonce),
        ("code_challenge", code_challenge(pending.code_verifier)),
        ("code_challenge_method", "S256"),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def code_from(pending: Pending | None, answer: Mapping[str, str]) -> tuple[Pending, str]:
    """The browser's flow and the code in the provider's answer to it, once it is sure the
    answer is to that flow."""
    if pending is None or not hmac.compare_digest(answer.get("state", ""), pending.state):
        raise SignInFailed(Problem.EXPIRED, "no sign-in of this browser's has this state")
    if error := answer.get("error"):
        problem = Problem.DENIED if error == "access_denied" else Problem.REFUSED
        raise SignInFailed(problem, f"the provider answered {error}")
    if not (code := answer.get("code")):
        raise SignInFailed(Problem.REFUSED, "the provider's answer has no code")
    return pending, code


def id_token_from(pending: Pending, tokens: Any) -> str:
    """The id_token of the token endpoint's answer, if it carries this flow's nonce. Read without
    checking the signature: it came straight from the provider over its own connection, and the
    gateway checks the signature before it signs anyone in."""
    id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
    if not isinstance(id_token, str):
        raise SignInFailed(Problem.REFUSED, "the token endpoint gave no id_token")
    try:
        nonce = jwt.decode(id_token, options={"verify_signature": False}).get("nonce")
    except jwt.PyJWTError as error:
        raise SignInFailed(Problem.REFUSED, f"the id_token is not a JWT: {error}") from error
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce, pending.nonce):
        raise SignInFailed(Problem.REFUSED, "the id_token's nonce is not this sign-in's")
    return id_token


async def exchange(
    client: httpx.AsyncClient, provider: Provider, pending: Pending, code: str
) -> str:
    """The code traded at the token endpoint for the id_token, proven by the code verifier."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": provider.redirect_uri,
        "client_id": provider.client_id,
        "code_verifier": pending.code_verifier,
    }
    auth = httpx.Auth()  # a public client: no secret, the code verifier alone
    if provider.client_secret:
        # RFC 6749 2.3.1: each form-encoded before they are put together.
        auth = httpx.BasicAuth(quote_plus(provider.client_id), quote_plus(provider.client_secret))
    try:
        answer = await client.post(
            provider.token_endpoint, data=form, auth=auth, headers={"Accept": "application/json"}
        )
    except httpx.HTTPError as error:
        raise SignInFailed(Problem.PROVIDER_DOWN, repr(error)) from error
    if answer.status_code >= 500:
        raise SignInFailed(Problem.PROVIDER_DOWN, f"token endpoint {answer.status_code}")
    try:
        tokens = answer.json()
    except ValueError as error:
        raise SignInFailed(Problem.REFUSED, "the token endpoint did not answer JSON") from error
    if answer.status_code >= 400:
        error_code = tokens.get("error") if isinstance(tokens, dict) else None
        # A code used twice or too late: the reader starts again; anything else is not theirs.
        problem = Problem.EXPIRED if error_code == "invalid_grant" else Problem.REFUSED
        raise SignInFailed(problem, f"token endpoint {answer.status_code} {error_code}")
    return id_token_from(pending, tokens)


class PendingFlows:
    """Each browser's sign-in under way, in Redis under the hash of its cookie's random key;
    taken once, so an answer cannot be replayed."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    @staticmethod
    def _key(browser_key: str) -> str:
        return "web:oidc:" + hashlib.sha256(browser_key.encode()).hexdigest()

    async def keep(self, pending: Pending) -> str:
        """The browser's new key, for its cookie."""
        browser_key = secrets.token_urlsafe(32)
        await self.redis.set(self._key(browser_key), pending.model_dump_json(), ex=FLOW_SECONDS)
        return browser_key

    async def take(self, browser_key: str | None) -> Pending | None:
        if not browser_key:
            return None
        kept = await self.redis.getdel(self._key(browser_key))
        try:
            return Pending.model_validate_json(kept) if kept else None
        except ValidationError:
            log.warning("a sign-in flow kept in Redis could not be read; the reader starts again")
            return None
