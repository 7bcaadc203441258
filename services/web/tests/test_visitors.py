"""The reader of a page: a teacher's stored language counts unless this browser chose one, and
is asked of the directory once, not per page."""

import time
from types import SimpleNamespace

import jwt
import pytest
from starlette.requests import Request

from kulturbro_contracts.vocabulary import Language
from web.platform import Preferences, ServiceDown
from web.visitors import find_visitor

SECRET = "a-secret-that-is-long-enough-for-tests"


class FakeRedis:
    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}

    async def get(self, name: str) -> bytes | None:
        return self.values.get(name)

    async def set(self, name: str, value: str, ex: int | None = None) -> None:
        self.values[name] = value.encode()


class FakePlatform:
    def __init__(self, language: Language | None) -> None:
        self.language = language
        self.asked = 0

    async def my_preferences(self, token: str) -> Preferences:
        self.asked += 1
        if self.language is None:
            raise ServiceDown("directory away")
        return Preferences(language=self.language)


def a_request(platform: FakePlatform, role: str, **headers: str) -> Request:
    token = jwt.encode(
        {"role": role, "exp": int(time.time()) + 600, "mun": "malmo"}, "k" * 32, "HS256"
    )
    cookies = "; ".join([f"kulturbro_access={token}", *filter(None, [headers.pop("cookie", "")])])
    state = SimpleNamespace(
        platform=platform,
        redis=FakeRedis(),
        refresh_guard=None,
        runtime=SimpleNamespace(secret=SECRET),
    )
    raw = [(b"cookie", cookies.encode())]
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    app = SimpleNamespace(state=state)
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "app": app})


async def test_a_teachers_stored_language_comes_before_the_browsers() -> None:
    platform = FakePlatform(Language.FI)
    request = a_request(platform, "teacher", accept_language="en")
    assert (await find_visitor(request)).language == Language.FI
    assert (await find_visitor(request)).language == Language.FI
    assert platform.asked == 1, "kept for a while, not asked on every page"


async def test_this_browsers_own_choice_comes_first() -> None:
    platform = FakePlatform(Language.FI)
    request = a_request(platform, "teacher", cookie="kulturbro_language=sv", accept_language="en")
    assert (await find_visitor(request)).language == Language.SV
    assert platform.asked == 0


@pytest.mark.parametrize(("role", "stored"), [("organizer", Language.FI), ("teacher", None)])
async def test_without_a_stored_choice_the_browser_decides(
    role: str, stored: Language | None
) -> None:
    request = a_request(FakePlatform(stored), role, accept_language="en")
    assert (await find_visitor(request)).language == Language.EN
