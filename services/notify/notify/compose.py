"""Mail texts from Jinja2 templates, per language, adjustable per municipality, compiled once.

A template is looked up first in `<override_dir>/<municipality_id>/<lang>/`, then in
`<override_dir>/<municipality_id>/`, `<override_dir>/<lang>/`, `<override_dir>/`, and last among
the packaged `notify/templates/<lang>/` and `notify/templates/`. Language-specific files are
`<kind>.txt.j2` (blocks `subject` and `body`), `<kind>.html.j2` and `_phrases.j2`; the shared
ones are `_layout.html.j2`, `_macros.txt.j2` and `_macros.html.j2`. Every template sees
`_phrases.j2`, `_macros.txt.j2` and `_macros.html.j2` as `words`, `txt` and `html`, and the
context's variables plus `language` (and, in HTML, `subject`).

Filters, in the language and the municipality's time zone:
`when` (date and time), `day` (date), `clock` (time), `span` (an occurrence's start to end), of
aware datetimes or their ISO 8601 text (a context stored as JSON); `date` (a calendar day, or its
ISO 8601 text);
`text` (a LocalizedText in the language, else in any language it has) and `listing` ("a, b and c").
`value|once(macro, ...)` calls a macro once per value object, e.g. `event|once(html.event_card)`,
the same in every teacher's invitation; so a caller must not change a context's objects in place.
"""

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.lists import format_list
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime.localization import LOCALES, PATTERNS

PACKAGED_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def _filters(language: Language, time_zone: str) -> dict[str, Callable[..., str]]:
    locale = LOCALES[language]
    zone = ZoneInfo(time_zone)
    patterns = PATTERNS[language]

    def formatter(pattern: str) -> Callable[[datetime | str], str]:
        # The same occurrences appear in thousands of mails; babel takes ~15 µs a call.
        @lru_cache(maxsize=4096)
        def format_moment(moment: datetime | str) -> str:
            if isinstance(moment, str):  # a context that was stored as JSON
                moment = datetime.fromisoformat(moment)
            if moment.tzinfo is None:
                raise ValueError(f"{moment} has no time zone; mail contexts hold aware UTC times")
            return format_datetime(moment, pattern, tzinfo=zone, locale=locale)

        return format_moment

    when, day, clock = formatter(patterns.when), formatter(patterns.day), formatter(patterns.clock)

    def span(occurrence: Mapping[str, Any]) -> str:
        starts_at, ends_at = occurrence["starts_at"], occurrence["ends_at"]
        if day(starts_at) == day(ends_at):
            return f"{when(starts_at)}–{clock(ends_at)}"
        return f"{when(starts_at)} – {when(ends_at)}"

    def calendar_day(value: date | str) -> str:
        return format_date(
            date.fromisoformat(value) if isinstance(value, str) else value,
            patterns.day,
            locale=locale,
        )

    def text(localized: Mapping[str, str]) -> str:
        return localized.get(language) or next((t for t in localized.values() if t), "")

    @lru_cache(maxsize=4096)
    def listed(items: tuple[str, ...]) -> str:
        return format_list(list(items), locale=locale)

    def listing(items: Sequence[str]) -> str:
        return listed(tuple(items))

    return {
        "when": when,
        "day": day,
        "clock": clock,
        "span": span,
        "date": calendar_day,
        "text": text,
        "listing": listing,
    }


class _Once:
    """Remembers what a macro made of a value object (an event's card takes most of a mail's
    time, and an invitation goes to many teachers); the latest `size` of them."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._made: OrderedDict[tuple[Any, ...], tuple[object, Any]] = OrderedDict()

    def __call__(self, value: object, macro: Callable[..., Any], *args: Any) -> Any:
        key = (macro, id(value), *args)
        made = self._made.get(key)
        if made is None:
            # Kept with the value itself, so that its id names no other object meanwhile.
            made = self._made[key] = (value, macro(value, *args))
            if len(self._made) > self._size:
                self._made.popitem(last=False)
        return made[1]


class _MailEnvironment(Environment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        # Contexts are plain dicts; looking keys up first saves raising AttributeError each time.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _environment(search_path: list[Path], language: Language, time_zone: str) -> Environment:
    environment = _MailEnvironment(
        loader=FileSystemLoader(search_path),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    # `once` is a filter, not a function: Jinja calls filters directly and functions through
    # a context (~3 µs a call).
    environment.filters.update(_filters(language, time_zone), once=_Once())
    # Made once here rather than imported by each template: an import costs ~10 µs a render.
    shared = {"words": "_phrases.j2", "txt": "_macros.txt.j2", "html": "_macros.html.j2"}
    for name, template in shared.items():
        environment.globals[name] = environment.get_template(template).module
    return environment


def _tidy(text: str) -> str:
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


class Composer:
    """Renders mails; one per process, since it keeps every compiled template."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self._override_dir = override_dir
        self._environments: dict[tuple[str, Language, str], Environment] = {}
        self._templates: dict[tuple[str, str, Language, str], tuple[Template, Template]] = {}

    def compose(
        self,
        kind: str,
        language: Language,
        context: Mapping[str, Any],
        *,
        municipality_id: str,
        time_zone: str,
    ) -> Composed:
        key = (kind, municipality_id, language, time_zone)
        templates = self._templates.get(key) or self._load(*key)
        text_template, html_template = templates
        variables = {**context, "language": language.value}
        text_context = text_template.new_context(variables)
        subject = " ".join("".join(text_template.blocks["subject"](text_context)).split())
        text = _tidy("".join(text_template.blocks["body"](text_context)))
        variables["subject"] = subject
        return Composed(subject, text, html_template.render(variables))

    def _load(
        self, kind: str, municipality_id: str, language: Language, time_zone: str
    ) -> tuple[Template, Template]:
        key = (municipality_id, language, time_zone)
        environment = self._environments.get(key)
        if environment is None:
            environment = _environment(self._search_path(municipality_id, language), *key[1:])
            self._environments[key] = environment
        templates = (
            environment.get_template(f"{kind}.txt.j2"),
            environment.get_template(f"{kind}.html.j2"),
        )
        if not {"subject", "body"} <= templates[0].blocks.keys():
            raise ValueError(f"{templates[0].filename} needs a block subject and a block body")
        for template in templates:
            # A plain dict instead of a ChainMap over the environment's (by now final) globals
            # makes each render's new context ~20 µs cheaper.
            template.globals = dict(template.globals)
        self._templates[kind, municipality_id, language, time_zone] = templates
        return templates

    def _search_path(self, municipality_id: str, language: Language) -> list[Path]:
        lang = language.value
        search_path = [PACKAGED_TEMPLATES / lang, PACKAGED_TEMPLATES]
        if self._override_dir is None:
            return search_path
        if not municipality_id or municipality_id in (".", "..") or "/" in municipality_id:
            raise ValueError(f"{municipality_id!r} cannot name a template folder")
        override, municipal = self._override_dir, self._override_dir / municipality_id
        return [municipal / lang, municipal, override / lang, override, *search_path]
