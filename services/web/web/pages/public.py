"""Pages for anyone: the start, a municipality's events with filters, one event, the language."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kulturbro_runtime.localization import DEFAULT_TIME_ZONE
from web.i18n import LANGUAGE_COOKIE, chosen_language
from web.pages.common import home, local_path, see_other
from web.platform import (
    EventPage,
    EventSearch,
    EventsForGroupsPage,
    Municipality,
    NotFound,
    Platform,
)
from web.rendering import render
from web.settings import WebSettings
from web.visitors import VisitorDep
from web.words import CATEGORIES, N_, TARGET_GROUPS

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
MAX_WORDS = 200
MAX_DISTRICT = 100
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


@router.get("/", response_class=HTMLResponse)
async def start(request: Request, visitor: VisitorDep) -> Response:
    if visitor.signed_in is not None:
        return see_other(home(visitor))
    settings: WebSettings = request.app.state.settings
    return render(request, "public/start.html", municipality=settings.default_municipality)


@router.get("/language")
async def switch_language(
    request: Request,
    to: Annotated[str, Query(max_length=10)] = "",
    next: Annotated[str, Query(max_length=2000)] = "/",
) -> RedirectResponse:
    """The language switcher's link: the choice is kept on this browser, over any other."""
    response = see_other(local_path(next))
    language = chosen_language(to)
    if language is not None:
        settings: WebSettings = request.app.state.settings
        response.set_cookie(
            LANGUAGE_COOKIE,
            language.value,
            max_age=LANGUAGE_COOKIE_SECONDS,
            path="/",
            secure=settings.secure_cookies,
            httponly=True,
            samesite="lax",
        )
    return response


@dataclass
class Filters:
    """What the reader typed in the filter form, kept as typed, and what is wrong with it."""

    values: dict[str, str]
    problems: dict[str, str] = field(default_factory=dict)
    search: EventSearch = field(default_factory=EventSearch)


def read_filters(query: dict[str, str], time_zone: str) -> Filters:
    keys = ("target_group", "category", "district", "from", "to", "q", "page")
    values = {key: query.get(key, "").strip() for key in keys}
    filters = Filters(values)
    zone = ZoneInfo(time_zone)
    days: dict[str, date] = {}
    for key in ("from", "to"):
        if values[key]:
            try:
                days[key] = date.fromisoformat(values[key])
            except ValueError:
                filters.problems[key] = N_("Write the date as year-month-day, e.g. 2027-03-01.")
    if "from" in days and "to" in days and days["to"] < days["from"]:
        filters.problems["to"] = N_("The last day must be on or after the first day.")
    elif "to" in days and days["to"] < datetime.now(zone).date():
        filters.problems["to"] = N_("The last day must be today or later.")
    if values["target_group"] and values["target_group"] not in TARGET_GROUPS:
        filters.problems["target_group"] = N_("Choose a target group from the list.")
    if values["category"] and values["category"] not in CATEGORIES:
        filters.problems["category"] = N_("Choose a category from the list.")
    if len(values["district"]) > MAX_DISTRICT:
        filters.problems["district"] = N_("Choose a district from the list.")
    if len(values["q"]) > MAX_WORDS:
        filters.problems["q"] = N_("Use at most 200 characters.")
    page = int(values["page"]) if values["page"].isdigit() else 1
    starts_from = datetime.combine(days["from"], time(), zone) if "from" in days else None
    # The last day counts whole: up to the start of the day after it.
    starts_before = (
        datetime.combine(days["to"] + timedelta(days=1), time(), zone) if "to" in days else None
    )
    filters.search = EventSearch(
        target_group=values["target_group"] or None,
        category=values["category"] or None,
        district=values["district"] or None,
        q=values["q"] or None,
        starts_from=starts_from,
        starts_before=starts_before,
        page=max(1, min(page, 100_000)),
    )
    return filters


def paging(
    request: Request, filters: Filters, found: EventPage | EventsForGroupsPage | None
) -> dict[str, Any]:
    """How many pages the search found, and each page's address with the same filters."""

    def page_url(number: int) -> str:
        kept = {key: value for key, value in filters.values.items() if value and key != "page"}
        return request.url.path + "?" + urlencode(kept | {"page": str(number)})

    pages = math.ceil(found.total / found.page_size) if found else 0
    return {"pages": pages, "page_url": page_url}


@router.get("/m/{municipality_id}/events", response_class=HTMLResponse)
async def municipality_events(
    request: Request,
    visitor: VisitorDep,
    municipality_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> HTMLResponse:
    platform = _platform(request)
    municipality = await platform.public_municipality(municipality_id, visitor.address)
    filters = read_filters(dict(request.query_params), municipality.time_zone)
    found = None
    if not filters.problems:
        found = await platform.public_events(municipality.id, filters.search, visitor.address)
    return render(
        request,
        "public/events.html",
        status_code=422 if filters.problems else 200,
        municipality=municipality,
        filters=filters,
        found=found,
        **paging(request, filters, found),
        target_groups=TARGET_GROUPS,
        categories=CATEGORIES,
    )


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event_page(request: Request, visitor: VisitorDep, event_id: str) -> HTMLResponse:
    """What a mail's "Book here" opens, signed in or not."""
    try:
        parsed = UUID(event_id)
    except ValueError as error:
        raise NotFound(f"{event_id!r} is not an event id") from error
    platform = _platform(request)
    event = await platform.public_event(parsed, visitor.address)
    municipality: Municipality | None = None
    if event.municipality_id:
        try:
            municipality = await platform.public_municipality(
                event.municipality_id, visitor.address
            )
        except NotFound:
            municipality = None
    return render(
        request,
        "public/event.html",
        event=event,
        municipality=municipality,
        time_zone=municipality.time_zone if municipality else DEFAULT_TIME_ZONE,
    )
