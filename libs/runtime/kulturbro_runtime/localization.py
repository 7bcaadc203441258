"""Words and times for people: the language a caller asks for, and a moment as it reads in a
municipality's own time zone, in Swedish, Finnish or English."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from kulturbro_contracts.vocabulary import Language

LOCALES = {Language.SV: "sv_SE", Language.FI: "fi_FI", Language.EN: "en_GB"}
# Where a municipality's own zone is not known (yet): most municipalities are Swedish.
DEFAULT_TIME_ZONE = "Europe/Stockholm"


@dataclass(frozen=True)
class Patterns:
    when: str
    day: str
    clock: str


PATTERNS = {
    Language.SV: Patterns("EEEE d MMMM y 'kl.' HH:mm", "EEEE d MMMM y", "HH:mm"),
    Language.FI: Patterns("cccc d. MMMM y 'klo' H.mm", "cccc d. MMMM y", "H.mm"),
    Language.EN: Patterns("EEEE d MMMM y 'at' HH:mm", "EEEE d MMMM y", "HH:mm"),
}


@cache
def _zone(time_zone: str) -> ZoneInfo:
    return ZoneInfo(time_zone)


def local_when(moment: datetime, language: Language, time_zone: str) -> str:
    """Date and time to the minute, as people there say it: "måndag 1 mars 2027 kl. 14:05"."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment} has no time zone; Kulturbro keeps aware UTC times")
    return format_datetime(
        moment, PATTERNS[language].when, tzinfo=_zone(time_zone), locale=LOCALES[language]
    )


def preferred_language(accept_language: str | None) -> Language | None:
    """The first of Kulturbro's languages an Accept-Language header (RFC 9110) asks for, by its
    weights; None when it names none of them."""
    wanted: list[tuple[float, int, str]] = []
    for index, item in enumerate((accept_language or "").split(",")):
        tag, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0  # unreadable: not asked for
        if tag and weight > 0:
            wanted.append((-weight, index, tag.split("-")[0].lower()))
    ours = {language.value: language for language in Language}
    return next((ours[tag] for _, _, tag in sorted(wanted) if tag in ours), None)
