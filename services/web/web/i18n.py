"""The reader's language and the words of the pages in it, from the gettext catalogs."""

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime.localization import preferred_language

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGE_COOKIE = "kulturbro_language"
DEFAULT_LANGUAGE = Language.SV


@cache
def translations(language: Language) -> gettext.GNUTranslations:
    """The committed .po catalog, compiled in memory once: no .mo files to keep in step."""
    with (LOCALE_DIR / language.value / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language.value)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def chosen_language(value: str | None) -> Language | None:
    try:
        return Language(value) if value else None
    except ValueError:
        return None


def negotiate(chosen: str | None, stored: Language | None, accept_language: str | None) -> Language:
    """An explicit choice on this browser, else the teacher's stored choice, else what the
    browser asks for, else Swedish."""
    return (
        chosen_language(chosen) or stored or preferred_language(accept_language) or DEFAULT_LANGUAGE
    )
