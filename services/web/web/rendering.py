"""Pages from the Jinja2 templates, in the reader's language, with dates in the municipality's
time and the reader's words for them."""

import gettext
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime.localization import DEFAULT_TIME_ZONE, LOCALES, PATTERNS, local_when
from web.i18n import translations
from web.visitors import Visitor
from web.words import CATEGORIES, TARGET_GROUPS, home_of

NO_STORE = {"Cache-Control": "no-store"}


@cache
def environment(language: Language) -> Environment:
    """One environment per language, each with its own catalog installed."""
    env = Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    words = translations(language)
    env.install_gettext_callables(words.gettext, words.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["language"] = language.value
    env.globals["languages"] = [(lang.value, NATIVE_NAMES[lang]) for lang in Language]
    env.globals["home_of"] = home_of
    env.globals["target_group_name"] = lambda code: _named(words, TARGET_GROUPS, code)
    env.globals["category_name"] = lambda code: _named(words, CATEGORIES, code)
    env.filters["when"] = lambda moment, zone=DEFAULT_TIME_ZONE: local_when(moment, language, zone)
    env.filters["day"] = lambda moment, zone=DEFAULT_TIME_ZONE: _day(moment, language, zone)
    env.filters["clock"] = lambda moment, zone=DEFAULT_TIME_ZONE: _clock(moment, language, zone)
    env.filters["in_language"] = lambda text: in_language(text, language)
    return env


# Each language named in itself, as a reader looking for their own would look for it.
NATIVE_NAMES = {Language.SV: "Svenska", Language.FI: "Suomi", Language.EN: "English"}


def _named(words: gettext.GNUTranslations, names: Mapping[str, str], code: str) -> str:
    """A code's name in the reader's words; a code we have no name for yet, as it is."""
    return words.gettext(names[code]) if code in names else code


def in_language(text: Mapping[Any, str], language: Language) -> str:
    """The reader's language if the text has it, else the first the author gave."""
    by_language = {Language(key): value for key, value in text.items() if value}
    return by_language.get(language) or next(iter(by_language.values()), "")


def _day(moment: datetime, language: Language, zone: str) -> str:
    return format_date(
        moment.astimezone(ZoneInfo(zone)), PATTERNS[language].day, locale=LOCALES[language]
    )


def _clock(moment: datetime, language: Language, zone: str) -> str:
    pattern = PATTERNS[language].clock
    return format_time(moment, pattern, tzinfo=ZoneInfo(zone), locale=LOCALES[language])


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    visitor: Visitor = request.state.visitor
    env = environment(visitor.language)
    asset_url: Callable[[str], str] = request.app.state.asset_url
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    page = env.get_template(template).render(
        visitor=visitor,
        signed_in=visitor.signed_in,
        csrf_token=visitor.csrf_token,
        asset_url=asset_url,
        here=here,
        switch_to=lambda lang: "/language?" + urlencode({"to": lang, "next": here}),
        **context,
    )
    return HTMLResponse(page, status_code=status_code, headers=dict(headers or {}))
