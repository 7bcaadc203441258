"""Every word of every page is translated: the catalogs hold each string the templates and code
mark, in sv, fi and en, none left empty or fuzzy."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kulturbro_contracts.vocabulary import Language
from web.i18n import LOCALE_DIR, translations

WEB = Path(__file__).parents[1]
METHODS = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def marked() -> set[str | tuple[str, ...]]:
    """The strings marked for translation, as Babel extracts them (babel.cfg's map)."""
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), METHODS, OPTIONS):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_the_extraction_sees_the_templates_and_the_code() -> None:
    strings = marked()
    assert "Skip to the content" in strings  # base.html
    assert "Write your password." in strings  # pages/signing_in.py, through N_
    assert ("%(num)d event", "%(num)d events") in strings
    assert len(strings) > 100


@pytest.mark.parametrize("language", list(Language))
def test_each_catalog_translates_every_marked_string(language: Language) -> None:
    with (LOCALE_DIR / language.value / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language.value)
    missing = []
    for wanted in marked():
        key = wanted if isinstance(wanted, str) else wanted[0]
        message = catalog.get(key)
        strings = message.string if message is not None else None
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if message is None or message.fuzzy or not translated:
            missing.append(key)
    assert missing == [], f"{language.value} lacks {len(missing)}: " + "; ".join(sorted(missing))


def test_the_catalogs_compile_and_speak_their_language() -> None:
    assert translations(Language.SV).gettext("Sign in") == "Logga in"
    assert translations(Language.FI).gettext("Sign in") == "Kirjaudu sisään"
    assert translations(Language.EN).gettext("Sign in") == "Sign in"
    assert translations(Language.FI).ngettext("%(num)d event", "%(num)d events", 2) == (
        "%(num)d tapahtumaa"
    )


def test_a_percent_sign_in_a_string_is_a_placeholder_or_doubled() -> None:
    """Pages format every string with its values (newstyle gettext), so a lone % breaks it."""
    lone = [
        text
        for found in marked()
        for text in ([found] if isinstance(found, str) else found)
        if "%" in re.sub(r"%\(\w+\)[sd]|%%", "", text)
    ]
    assert lone == []
