"""Test workers run side by side (`make test` runs two) without sharing Redis's rate limits."""

import pytest

from kulturbro_devstack.testing import _workers_own


def test_each_worker_has_a_redis_database_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = _workers_own("redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = _workers_own("redis://127.0.0.1:6379/0")
    assert {first, second} == {"redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2"}
    assert _workers_own("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/2"


def test_without_workers_the_redis_given_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert _workers_own("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
