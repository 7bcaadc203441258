"""The culture office's bus rules: where the buses wait, when they run, who may have one and the
margins every plan keeps. The transport service keeps them; this page reads and changes them."""

from dataclasses import dataclass
from datetime import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kulturbro_contracts import limits
from kulturbro_runtime import Role
from web.pages.common import CheckedFormDep, see_other, signed_in_as
from web.platform import Platform, Refused
from web.rendering import NO_STORE, render
from web.visitors import Visitor, VisitorDep
from web.words import N_

router = APIRouter(include_in_schema=False)
MAX_EMAIL = 320
TIME = N_("Write a time such as 08:00.")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    label: str
    kind: str  # "time", "whole", "degrees", "email" or "flag": how the field is read and shown
    lowest: float = 0
    highest: float = 0
    wrong: str = N_("Fill this in.")  # what to write instead, with the bounds
    hint: str = ""
    optional: bool = False


# Grouped as the page shows them; the names are the transport service's.
SECTIONS: tuple[tuple[str, tuple[Rule, ...]], ...] = (
    (
        N_("Where the buses wait"),
        (
            Rule(
                "depot_latitude",
                N_("Depot latitude"),
                "degrees",
                -90,
                90,
                N_("Write degrees north, -90 to 90, e.g. 55.605."),
                optional=True,
            ),
            Rule(
                "depot_longitude",
                N_("Depot longitude"),
                "degrees",
                -180,
                180,
                N_("Write degrees east, -180 to 180, e.g. 13.000."),
                optional=True,
            ),
        ),
    ),
    (
        N_("When the buses run"),
        (
            Rule("opens", N_("Leave the depot from"), "time", wrong=TIME),
            Rule("closes", N_("Back at the depot by"), "time", wrong=TIME),
            Rule("earliest_pickup", N_("Earliest pick-up"), "time", wrong=TIME),
            Rule("latest_dropoff", N_("Latest drop-off"), "time", wrong=TIME),
        ),
    ),
    (
        N_("Who may have a bus"),
        (
            Rule(
                "min_distance_m",
                N_("Schools nearer than this walk (metres)"),
                "whole",
                0,
                limits.MAX_BUS_DISTANCE_M,
                N_("Write whole metres, 0 to 100000."),
            ),
            Rule(
                "booking_lead_days",
                N_("Booked at least this many days ahead"),
                "whole",
                0,
                limits.MAX_BUS_DAYS,
                N_("Write whole days, 0 to 365."),
            ),
            Rule(
                "one_trip_per_school_year",
                N_("At most one bus trip for each group in a school year"),
                "flag",
                optional=True,
            ),
        ),
    ),
    (
        N_("Margins"),
        (
            Rule(
                "arrive_before_min",
                N_("Arrive at least this many minutes before the start"),
                "whole",
                0,
                limits.MAX_BUS_MINUTES,
                N_("Write whole minutes, 0 to 240."),
            ),
            Rule(
                "leave_after_min",
                N_("Leave no earlier than this many minutes after the end"),
                "whole",
                0,
                limits.MAX_BUS_MINUTES,
                N_("Write whole minutes, 0 to 240."),
            ),
            Rule(
                "max_ride_min",
                N_("At most this many minutes on board"),
                "whole",
                10,
                limits.MAX_BUS_MINUTES,
                N_("Write whole minutes, 10 to 240."),
            ),
            Rule(
                "frozen_days",
                N_("The plan is fixed this many days before"),
                "whole",
                0,
                limits.MAX_BUS_DAYS,
                N_("Write whole days, 0 to 365."),
                hint=N_(
                    "After that, a pick-up time that was told never moves more than 10 minutes."
                ),
            ),
            Rule(
                "speed_kmh",
                N_("Average speed (km/h)"),
                "whole",
                5,
                limits.MAX_BUS_SPEED_KMH,
                N_("Write whole kilometres an hour, 5 to 130."),
            ),
        ),
    ),
    (
        N_("The bus operator"),
        (
            Rule(
                "operator_email",
                N_("The operator's e-mail"),
                "email",
                wrong=N_("Write an e-mail address such as trafik@example.org."),
                optional=True,
                hint=N_("The day's run sheet goes here the evening before."),
            ),
            Rule("run_sheet_at", N_("The run sheet is sent at"), "time", wrong=TIME),
            Rule(
                "run_sheet_days_before",
                N_("This many days before the buses drive"),
                "whole",
                1,
                limits.MAX_BUS_DAYS,
                N_("Write whole days, 1 to 365."),
            ),
        ),
    ),
)
RULES = {rule.name: rule for _, rules in SECTIONS for rule in rules}


def _shown(rule: Rule, value: Any) -> str:
    if value is None or value is False:
        return ""
    if rule.kind == "flag":
        return "yes"
    if rule.kind == "time":
        return str(value)[:5]
    return str(value)


def _problem(rule: Rule, typed: str) -> tuple[Any, str | None]:
    """The value the transport service takes, or what is wrong with what was typed."""
    if rule.kind == "flag":
        return typed == "yes", None
    if not typed:
        return None, None if rule.optional else N_("Fill this in.")
    if rule.kind == "time":
        try:
            return time.fromisoformat(typed).replace(second=0).isoformat("minutes"), None
        except ValueError:
            return None, rule.wrong
    if rule.kind == "email":
        if len(typed) > MAX_EMAIL or "@" not in typed.strip("@"):
            return None, rule.wrong
        return typed, None
    try:
        number = int(typed) if rule.kind == "whole" else float(typed.replace(",", "."))
    except ValueError:
        number = None
    if number is None or not rule.lowest <= number <= rule.highest:
        return None, rule.wrong
    return number, None


def _depot_fields(index: int) -> tuple[str, str]:
    return f"bus-{index}-latitude", f"bus-{index}-longitude"


def _depots_shown(fleet: list[str], depots: list[dict[str, Any]]) -> dict[str, str]:
    own = {depot["bus"]: depot for depot in depots}
    values = {}
    for index, bus in enumerate(fleet):
        latitude, longitude = _depot_fields(index)
        values[latitude] = str(own[bus]["latitude"]) if bus in own else ""
        values[longitude] = str(own[bus]["longitude"]) if bus in own else ""
    return values


def _depots_read(
    fleet: list[str], form: dict[str, str], problems: dict[str, str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Each bus's own depot as typed, and as the transport service takes them."""
    values: dict[str, str] = {}
    depots: list[dict[str, Any]] = []
    for index, bus in enumerate(fleet):
        fields = _depot_fields(index)
        typed = [form.get(name, "").strip() for name in fields]
        values |= dict(zip(fields, typed, strict=True))
        if not any(typed):
            continue
        place = []
        for name, text, rule in zip(
            fields, typed, (RULES["depot_latitude"], RULES["depot_longitude"]), strict=True
        ):
            number, wrong = _problem(rule, text)
            if wrong or number is None:
                problems[name] = wrong or N_(
                    "Give the depot both a latitude and a longitude, or neither."
                )
            place.append(number)
        if len(place) == 2 and None not in place:
            depots.append({"bus": bus, "latitude": place[0], "longitude": place[1]})
    return values, depots


def _page(
    request: Request,
    values: dict[str, str],
    problems: dict[str, str],
    fleet: list[str],
    saved: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "office/bus_rules.html",
        status_code=status_code,
        headers=NO_STORE,
        sections=SECTIONS,
        values=values,
        problems=problems,
        fleet=fleet,
        depot_fields=_depot_fields,
        saved=saved,
    )


async def _fleet(request: Request, token: str, visitor: Visitor) -> list[str]:
    platform: Platform = request.app.state.platform
    found = await platform.own_municipality(token, visitor.address)
    return [bus.name for bus in found.bus_fleet]


def _out_of_order(change: dict[str, Any], problems: dict[str, str]) -> dict[str, str]:
    """What is wrong between fields that are each right alone."""
    found: dict[str, str] = {}
    pairs = (("opens", "closes"), ("earliest_pickup", "latest_dropoff"))
    for first, then in pairs:
        if not {first, then} & problems.keys() and change[first] >= change[then]:
            found[then] = N_("Make this later than the time above.")
    depot = ("depot_latitude", "depot_longitude")
    if not set(depot) & problems.keys() and (change[depot[0]] is None) != (
        change[depot[1]] is None
    ):
        missing = depot[0] if change[depot[0]] is None else depot[1]
        found.setdefault(missing, N_("Give the depot both a latitude and a longitude, or neither."))
    return found


@router.get("/office/buses/rules", response_class=HTMLResponse)
async def rules_page(request: Request, visitor: VisitorDep, saved: bool = False) -> HTMLResponse:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    platform: Platform = request.app.state.platform
    token = visitor.signed_in.access_token
    rules = await platform.bus_rules(token)
    fleet = await _fleet(request, token, visitor)
    values = {name: _shown(rule, rules.get(name)) for name, rule in RULES.items()}
    values |= _depots_shown(fleet, rules.get("depots", []))
    return _page(request, values, {}, fleet, saved)


@router.post("/office/buses/rules", response_class=HTMLResponse)
async def save_rules(request: Request, visitor: VisitorDep, form: CheckedFormDep) -> Response:
    signed_in_as(visitor, request, Role.ADMINISTRATOR)
    assert visitor.signed_in is not None
    token = visitor.signed_in.access_token
    values = {name: form.get(name, "").strip() for name in RULES}
    problems: dict[str, str] = {}
    change: dict[str, Any] = {}
    for name, rule in RULES.items():
        change[name], wrong = _problem(rule, values[name])
        if wrong:
            problems[name] = wrong
    for name, wrong in _out_of_order(change, problems).items():
        problems.setdefault(name, wrong)
    fleet = await _fleet(request, token, visitor)
    typed_depots, change["depots"] = _depots_read(fleet, form, problems)
    values |= typed_depots
    if not problems:
        platform: Platform = request.app.state.platform
        # Settings this page does not show (added later by the service) keep their values.
        rules = {**await platform.bus_rules(token), **change}
        try:
            await platform.change_bus_rules(token, rules)
        except Refused as refused:
            for problem in refused.problems:
                problems.setdefault(
                    _field_of(problem.field, change["depots"], fleet), problem.message
                )
            if not problems:
                problems["opens"] = str(refused)
        else:
            return see_other("/office/buses/rules?saved=true")
    return _page(request, values, problems, fleet, status_code=422)


def _field_of(refused: str, depots: list[dict[str, Any]], fleet: list[str]) -> str:
    """The form's field for the transport service's name of one ("depots.0.latitude")."""
    parts = refused.split(".")
    if (
        parts[0] == "depots"
        and len(parts) > 1
        and parts[1].isdigit()
        and int(parts[1]) < len(depots)
    ):
        index = fleet.index(depots[int(parts[1])]["bus"])
        return _depot_fields(index)[1 if parts[-1] == "longitude" else 0]
    return parts[0] if parts[0] in RULES else "opens"
