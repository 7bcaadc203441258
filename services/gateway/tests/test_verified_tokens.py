"""Verified access tokens are kept until they expire, and only those: an expired or tampered
token is refused whether or not its like was seen before."""

import time
import uuid

import jwt
import pytest

from gateway.db import Account
from gateway.tokens import ALGORITHM, InvalidToken, VerifiedTokens, issue_access_token
from kulturbro_runtime import Role

SECRET = "a secret long enough for HS256, 32 bytes or more"


def _token(minutes: int = 15) -> str:
    account = Account(
        id=uuid.uuid4(),
        email="t@example.org",
        role=Role.TEACHER,
        municipality_id="lund",
        subject="T1",
    )
    return issue_access_token(account, SECRET, minutes)


def test_a_token_is_verified_once_and_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = VerifiedTokens(SECRET)
    token = _token()
    decodes = 0
    real_decode = jwt.decode

    def counting_decode(*args: object, **kwargs: object) -> object:
        nonlocal decodes
        decodes += 1
        return real_decode(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counting_decode)
    first, again = tokens.caller(token), tokens.caller(token)
    assert first == again and first[1].subject == "T1" and decodes == 1


def test_a_kept_token_is_refused_once_it_has_expired() -> None:
    tokens = VerifiedTokens(SECRET)
    claims = jwt.decode(_token(), options={"verify_signature": False})
    expires = int(time.time()) + 1
    token = jwt.encode(claims | {"exp": expires}, SECRET, algorithm=ALGORITHM)
    tokens.caller(token)
    time.sleep(expires - time.time() + 0.05)
    with pytest.raises(InvalidToken, match="expired"):
        tokens.caller(token)
    assert token not in tokens.found


def test_a_tampered_token_is_refused_though_the_real_one_is_kept() -> None:
    tokens = VerifiedTokens(SECRET)
    token = _token()
    tokens.caller(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        claims | {"role": "operator"},
        "not the secret, though as long as the real one",
        algorithm=ALGORITHM,
    )
    with pytest.raises(InvalidToken):
        tokens.caller(forged)


def test_only_the_most_recently_used_are_kept() -> None:
    tokens = VerifiedTokens(SECRET, most=2)
    a, b, c = _token(), _token(), _token()
    tokens.caller(a)
    tokens.caller(b)
    tokens.caller(a)  # a used again: b is the least recently used
    tokens.caller(c)
    assert list(tokens.found) == [a, c]
