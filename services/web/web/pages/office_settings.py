"""The municipality's settings as its culture office keeps them: name, languages (the first is
the default), time zone, districts and how seats are given unless an event says otherwise."""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_contracts.vocabulary import Language
from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import MunicipalitySettings, Platform, Refused
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import BOOKING_POLICIES, N_

router = APIRouter(include_in_schema=False)

MAX_NAME = 200
MAX_DISTRICT = 100
MAX_DISTRICTS = 200
# The zones of the countries Kulturbro serves first, then every other one the system knows.
NEAR_ZONES = ("Europe/Stockholm", "Europe/Helsinki", "Europe/Mariehamn", "Europe/Oslo")
FIELDS_OF_THE_DIRECTORY = {
    "name": "name",
    "languages": "default_language",
    "time_zone": "time_zone",
    "districts": "districts",
    "default_booking_policy": "default_booking_policy",
    "area": "area_south",
}
# The edges of the box around the municipality: (field, lowest, highest, what to write).
AREA = (
    ("area_south", -90, 90, N_("Write the southern edge in degrees north, e.g. 55.50.")),
    ("area_north", -90, 90, N_("Write the northern edge in degrees north, e.g. 55.70.")),
    ("area_west", -180, 180, N_("Write the western edge in degrees east, e.g. 12.85.")),
    ("area_east", -180, 180, N_("Write the eastern edge in degrees east, e.g. 13.20.")),
)


def _zones() -> list[str]:
    others = sorted(zone for zone in available_timezones() if "/" in zone)
    return list(NEAR_ZONES) + [zone for zone in others if zone not in NEAR_ZONES]


def _office(request: Request, visitor: Visitor) -> str:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    return visitor.signed_in.access_token


def _values(settings: MunicipalitySettings) -> dict[str, Any]:
    return {
        "name": settings.name,
        "default_language": settings.languages[0].value if settings.languages else "",
        "languages": [language.value for language in settings.languages],
        "time_zone": settings.time_zone,
        "districts": "\n".join(settings.districts),
        "default_booking_policy": settings.default_booking_policy.value,
    } | {
        name: str(getattr(settings.area, name.removeprefix("area_"))) if settings.area else ""
        for name, *_ in AREA
    }


def _area(values: dict[str, Any], problems: dict[str, str]) -> dict[str, float] | None:
    """The box as the directory takes it; None when no edge is given (the area is kept)."""
    typed = {name: values[name] for name, *_ in AREA}
    if not any(typed.values()):
        return None
    box: dict[str, float] = {}
    for name, lowest, highest, wrong in AREA:
        try:
            edge = float(typed[name].replace(",", "."))
        except ValueError:
            edge = None
        if edge is None or not lowest <= edge <= highest:
            problems[name] = wrong
        else:
            box[name.removeprefix("area_")] = edge
    if len(box) == len(AREA):
        if box["south"] >= box["north"]:
            problems["area_north"] = N_("The northern edge must be north of the southern.")
        if box["west"] >= box["east"]:
            problems["area_east"] = N_("The eastern edge must be east of the western.")
    return box


def _page(
    request: Request,
    values: dict[str, Any],
    problems: dict[str, str],
    saved: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "office/settings.html",
        status_code=status_code,
        headers=NO_STORE,
        values=values,
        problems=problems,
        saved=saved,
        policies=BOOKING_POLICIES,
        zones=_zones(),
    )


@router.get("/office/settings", response_class=HTMLResponse)
async def settings_page(request: Request, visitor: VisitorDep, saved: bool = False) -> HTMLResponse:
    token = _office(request, visitor)
    platform: Platform = request.app.state.platform
    found = await platform.own_municipality(token, visitor.address)
    return _page(request, _values(found), {}, saved)


def _read(form: dict[str, str], languages: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's values as typed (to show again) and what is wrong with them, by field."""
    default = form.get("default_language", "")
    values: dict[str, Any] = {
        "name": form.get("name", "").strip(),
        "default_language": default,
        "languages": [default] + [code for code in languages if code != default],
        "time_zone": form.get("time_zone", "").strip(),
        "districts": form.get("districts", ""),
        "default_booking_policy": form.get("default_booking_policy", ""),
    } | {name: form.get(name, "").strip() for name, *_ in AREA}
    problems: dict[str, str] = {}
    if not values["name"] or len(values["name"]) > MAX_NAME:
        problems["name"] = N_("Write the municipality's name, at most 200 characters.")
    known = {language.value for language in Language}
    if default not in known or any(code not in known for code in languages):
        problems["default_language"] = N_("Choose the language pages and mails use first.")
    try:
        ZoneInfo(values["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems["time_zone"] = N_("Choose a time zone from the list, e.g. Europe/Stockholm.")
    districts = [line.strip() for line in values["districts"].splitlines() if line.strip()]
    if len(set(districts)) != len(districts):
        problems["districts"] = N_("Name each district once.")
    elif len(districts) > MAX_DISTRICTS or any(len(d) > MAX_DISTRICT for d in districts):
        problems["districts"] = N_("Give at most 200 districts, each at most 100 characters.")
    if values["default_booking_policy"] not in BOOKING_POLICIES:
        problems["default_booking_policy"] = N_("Choose how seats are given.")
    return values, problems


@router.post("/office/settings", response_class=HTMLResponse)
async def save_settings(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    token = _office(request, visitor)
    languages = [str(code) for code in (await request.form()).getlist("languages")]
    values, problems = _read(form, languages)
    area = _area(values, problems)
    if not problems:
        change: dict[str, Any] = {
            "name": values["name"],
            "languages": values["languages"],
            "time_zone": values["time_zone"],
            "districts": [
                line.strip() for line in values["districts"].splitlines() if line.strip()
            ],
            "default_booking_policy": values["default_booking_policy"],
        }
        if area is not None:
            change["area"] = area
        platform: Platform = request.app.state.platform
        try:
            await platform.change_municipality(token, change, visitor.address)
        except Refused as refused:
            for problem in refused.problems:
                field = FIELDS_OF_THE_DIRECTORY.get(problem.field.split(".")[0], "name")
                # The directory's own words: said in English, beside the field it concerns.
                problems.setdefault(field, problem.message)
            if not problems:
                problems["name"] = str(refused)
        else:
            return see_other("/office/settings?saved=true")
    return _page(request, values, problems, status_code=422)
