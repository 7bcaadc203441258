"""The reader's language: their choice on this browser, else their stored choice, else the
browser's Accept-Language, else Swedish."""

import pytest

from kulturbro_contracts.vocabulary import Language
from web.i18n import negotiate
from web.pages.common import local_path


@pytest.mark.parametrize(
    ("chosen", "stored", "accept", "expected"),
    [
        ("fi", Language.EN, "en", Language.FI),
        (None, Language.EN, "fi", Language.EN),
        (None, None, "de-DE, fi;q=0.8, sv;q=0.5", Language.FI),
        (None, None, "en-GB,en;q=0.9", Language.EN),
        (None, None, "de, fr", Language.SV),
        (None, None, None, Language.SV),
        ("klingon", None, "en", Language.EN),
        ("", None, "fi", Language.FI),
    ],
)
def test_the_language_follows_choice_then_storage_then_browser(
    chosen: str | None, stored: Language | None, accept: str | None, expected: Language
) -> None:
    assert negotiate(chosen, stored, accept) == expected


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("/teacher", "/teacher"),
        ("/events/1?x=2", "/events/1?x=2"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_only_a_local_path_is_followed_after_sign_in_or_a_language_switch(
    asked: str | None, expected: str
) -> None:
    assert local_path(asked) == expected
