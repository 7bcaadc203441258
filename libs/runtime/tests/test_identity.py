"""The signed identity the gateway passes and every service checks."""

import time

import pytest

from kulturbro_runtime.identity import Caller, Role, sign_identity, verify_identity

SECRET = "s" * 40


def test_a_signed_identity_is_read_back() -> None:
    caller = Caller(subject="anna", role=Role.TEACHER, municipality_id="malmo")
    read = verify_identity(sign_identity(caller, SECRET), SECRET)
    assert (read.subject, read.role, read.municipality_id) == ("anna", Role.TEACHER, "malmo")


def test_a_tampered_identity_is_refused() -> None:
    token = sign_identity(
        Caller(subject="anna", role=Role.TEACHER, municipality_id="malmo"), SECRET
    )
    forged = Caller(subject="anna", role=Role.OPERATOR, municipality_id="malmo")
    forged_body = sign_identity(forged, "another secret").split(".")[0]
    with pytest.raises(ValueError, match="signature does not match"):
        verify_identity(f"{forged_body}.{token.split('.')[1]}", SECRET)
    with pytest.raises(ValueError, match="signature does not match"):
        verify_identity(token, "a different secret")


def test_an_expired_identity_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    token = sign_identity(Caller(subject="anna", role=Role.TEACHER), SECRET)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(ValueError, match="expired"):
        verify_identity(token, SECRET)
