"""Signing in at the municipality's identity provider: the code flow's checks (state, nonce,
PKCE), the token endpoint's answers, and the settings that turn it on."""

import base64
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from web.oidc import (
    Pending,
    Problem,
    Provider,
    SignInFailed,
    authorization_url,
    begin,
    code_challenge,
    code_from,
    exchange,
    id_token_from,
)
from web.settings import WebSettings

PROVIDER = Provider(
    name="Bildstad ID",
    authorization_endpoint="https://idp.example.org/authorize?tenant=bildstad",
    token_endpoint="https://idp.example.org/token",
    client_id="kulturbro web",
    client_secret="s3cret&more",
    redirect_uri="https://kulturbro.example.org/sign-in/oidc/callback",
)
PENDING = Pending(state="the-state", nonce="the-nonce", code_verifier="v" * 43, next="/office")


def an_id_token(nonce: str | None) -> str:
    claims = {"iss": "https://idp.example.org", "email": "a@example.org", "exp": time.time() + 60}
    return jwt.encode(claims | ({"nonce": nonce} if nonce else {}), "k" * 32, "HS256")


def test_each_sign_in_begins_with_a_state_a_nonce_and_a_verifier_of_its_own() -> None:
    first, second = begin("/office"), begin("/office")
    assert first.next == "/office"
    assert len({first.state, first.nonce, first.code_verifier, second.state}) == 4
    assert 43 <= len(first.code_verifier) <= 128  # RFC 7636's bounds


def test_the_challenge_is_rfc_7636s_s256() -> None:
    # RFC 7636, appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_the_provider_is_asked_for_a_code_with_every_check_of_the_flow() -> None:
    url = urlsplit(authorization_url(PROVIDER, PENDING))
    assert (url.scheme, url.netloc, url.path) == ("https", "idp.example.org", "/authorize")
    assert parse_qs(url.query) == {
        "tenant": ["bildstad"],
        "response_type": ["code"],
        "client_id": ["kulturbro web"],
        "redirect_uri": [PROVIDER.redirect_uri],
        "scope": ["openid email"],
        "state": ["the-state"],
        "nonce": ["the-nonce"],
        "code_challenge": [code_challenge(PENDING.code_verifier)],
        "code_challenge_method": ["S256"],
    }


def test_an_answer_gives_its_code_only_to_the_flow_it_answers() -> None:
    assert code_from(PENDING, {"state": "the-state", "code": "c"}) == (PENDING, "c")
    cases = {
        Problem.EXPIRED: [
            (None, {"state": "the-state", "code": "c"}),  # this browser began no sign-in
            (PENDING, {"state": "another", "code": "c"}),
            (PENDING, {"code": "c"}),
            (PENDING, {"state": "another", "error": "access_denied"}),
        ],
        Problem.DENIED: [(PENDING, {"state": "the-state", "error": "access_denied"})],
        Problem.REFUSED: [
            (PENDING, {"state": "the-state", "error": "server_error"}),
            (PENDING, {"state": "the-state"}),
        ],
    }
    for problem, answers in cases.items():
        for pending, answer in answers:
            with pytest.raises(SignInFailed) as failed:
                code_from(pending, answer)
            assert failed.value.problem == problem, answer


def test_only_an_id_token_with_this_flows_nonce_is_carried_to_the_gateway() -> None:
    good = an_id_token("the-nonce")
    assert id_token_from(PENDING, {"id_token": good, "access_token": "x"}) == good
    for answer in (
        {"id_token": an_id_token("another")},
        {"id_token": an_id_token(None)},
        {"id_token": "not a jwt"},
        {"access_token": "x"},
        ["not", "an", "object"],
    ):
        with pytest.raises(SignInFailed) as failed:
            id_token_from(PENDING, answer)
        assert failed.value.problem == Problem.REFUSED, answer


async def exchanged(answer: httpx.Response | Exception) -> tuple[str, httpx.Request]:
    asked: list[httpx.Request] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async with httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint)) as client:
        return await exchange(client, PROVIDER, PENDING, "the-code"), asked[0]


async def test_the_code_is_traded_with_the_verifier_and_the_clients_secret() -> None:
    token = an_id_token("the-nonce")
    id_token, request = await exchanged(httpx.Response(200, json={"id_token": token}))
    assert id_token == token
    assert str(request.url) == PROVIDER.token_endpoint
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["authorization_code"],
        "code": ["the-code"],
        "redirect_uri": [PROVIDER.redirect_uri],
        "client_id": ["kulturbro web"],
        "code_verifier": [PENDING.code_verifier],
    }
    basic = base64.b64decode(request.headers["Authorization"].removeprefix("Basic "))
    assert basic == b"kulturbro+web:s3cret%26more"


async def test_a_public_client_sends_no_secret() -> None:
    token = an_id_token("the-nonce")

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        return httpx.Response(200, json={"id_token": token})

    public = Provider(**{**PROVIDER.__dict__, "client_secret": None})
    async with httpx.AsyncClient(transport=httpx.MockTransport(token_endpoint)) as client:
        assert await exchange(client, public, PENDING, "the-code") == token


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (httpx.ConnectError("refused"), Problem.PROVIDER_DOWN),
        (httpx.ReadTimeout("slow"), Problem.PROVIDER_DOWN),
        (httpx.Response(503, text="maintenance"), Problem.PROVIDER_DOWN),
        (httpx.Response(400, json={"error": "invalid_grant"}), Problem.EXPIRED),
        (httpx.Response(401, json={"error": "invalid_client"}), Problem.REFUSED),
        (httpx.Response(200, text="<html>"), Problem.REFUSED),
    ],
)
async def test_a_token_endpoint_that_fails_says_why(
    answer: httpx.Response | Exception, problem: Problem
) -> None:
    with pytest.raises(SignInFailed) as failed:
        await exchanged(answer)
    assert failed.value.problem == problem


BASE = {"DATABASE_URL": "postgresql://x@h/db", "KAFKA_BOOTSTRAP_SERVERS": "k:9092"}
PROVIDER_ENV = {
    "OIDC_PROVIDER_NAME": "Bildstad ID",
    "OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example.org/authorize",
    "OIDC_TOKEN_ENDPOINT": "https://idp.example.org/token",
    "OIDC_CLIENT_ID": "kulturbro",
}


def settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> WebSettings:
    for name, value in (BASE | env).items():
        monkeypatch.setenv(name, value)
    return WebSettings(kulturbro_env="test")


def test_no_provider_unless_configured_and_a_half_configured_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert settings(monkeypatch, {}).identity_provider is None
    configured = settings(monkeypatch, PROVIDER_ENV | {"PUBLIC_URL": "https://k.example.org/"})
    assert configured.identity_provider == Provider(
        name="Bildstad ID",
        authorization_endpoint="https://idp.example.org/authorize",
        token_endpoint="https://idp.example.org/token",
        client_id="kulturbro",
        client_secret=None,
        redirect_uri="https://k.example.org/sign-in/oidc/callback",
    )
    monkeypatch.delenv("OIDC_TOKEN_ENDPOINT")
    with pytest.raises(ValueError, match="OIDC_TOKEN_ENDPOINT"):
        WebSettings(kulturbro_env="test")
