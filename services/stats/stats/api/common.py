"""What the statistics endpoints share: the reader, the clock, school years that exist."""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse

from kulturbro_runtime.errors import problem
from stats.domain.figures import Figures
from stats.domain.periods import is_school_year

SchoolYearPath = Annotated[
    str,
    Path(
        min_length=7,
        max_length=7,
        description="a school year as 2026-27: from 1 July 2026 to 30 June 2027",
        examples=["2026-27"],
    ),
]


def now() -> datetime:
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(now)]


class Unknown(Exception):
    """A school year or municipality there are no figures for: 404 with the list of those there
    are, so a client can correct the address."""

    def __init__(self, what: str, listed_as: str, asked: str, there: list[str]) -> None:
        super().__init__(what)
        self.what, self.listed_as, self.asked, self.there = what, listed_as, asked, there


async def _unknown(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Unknown)
    listed = ", ".join(error.there) or "none yet"
    return problem(
        404,
        f"no figures for the {error.what} {error.asked!r}; there are: {listed}",
        **{error.listed_as: error.there},
    )


def refuse_unknown(app: FastAPI, _: object) -> None:
    """The service's own wiring of the app: an Unknown is a 404 listing what there is."""
    app.add_exception_handler(Unknown, _unknown)


def known_year(school_year: str, years: list[str]) -> None:
    if not is_school_year(school_year) or school_year not in years:
        raise Unknown("school year", "school_years", school_year, years)


def figures_json(figures: Figures) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: round(value, 4) if isinstance(value, float) else value
        for name, value in vars(figures).items()
        if name != "scores"
    }
    values["scores"] = {q.value: round(mean, 2) for q, mean in figures.scores.items()}
    return values


def figures_columns(figures: Figures) -> list[str]:
    return [name for name in vars(figures) if name != "scores"]
