"""The caller's language from Accept-Language, and moments in a municipality's own time."""

from datetime import UTC, datetime

import pytest

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime.localization import local_when, preferred_language


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fi", Language.FI),
        ("sv-SE,sv;q=0.9,en;q=0.8", Language.SV),
        ("de-DE, en-GB;q=0.7, fi;q=0.8", Language.FI),
        ("FI-fi", Language.FI),
        ("en;q=0.1, sv;q=0", Language.EN),
        ("sv;q=0, *;q=0.5", None),
        ("de, fr", None),
        ("", None),
        (None, None),
        ("sv;q=nonsense, fi;q=0.5", Language.FI),
    ],
)
def test_the_callers_language_is_the_first_of_ours_they_accept(
    header: str | None, language: Language | None
) -> None:
    assert preferred_language(header) == language


MOMENT = datetime(2027, 3, 1, 13, 5, 42, 123456, tzinfo=UTC)


def test_a_moment_is_told_to_the_minute_in_the_local_time_and_language() -> None:
    assert local_when(MOMENT, Language.SV, "Europe/Stockholm") == "måndag 1 mars 2027 kl. 14:05"
    assert (
        local_when(MOMENT, Language.FI, "Europe/Helsinki")
        == "maanantai 1. maaliskuuta 2027 klo 15.05"
    )
    assert local_when(MOMENT, Language.EN, "Europe/Stockholm") == "Monday 1 March 2027 at 14:05"


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        local_when(datetime(2027, 3, 1, 13, 5), Language.SV, "Europe/Stockholm")
