"""The operator's run sheet: every bus's stops of a day, sent at the municipality's time the
evening before, once; a day whose plan changes after that is sent again as the next revision."""

import asyncio
import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kulturbro_contracts import BusRunSheetIssued
from kulturbro_contracts.transport import RunSheet, RunSheetBus, RunSheetStop, RunSheetStopKind
from kulturbro_runtime.runtime import Runtime
from transport.domain import StopKind
from transport.plans import DayPlanPublic, RunSheetState
from transport.records import RuleSettings
from transport.repositories import SqlPlans, SqlWork
from transport.work import Work

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 2.0
NO_OPERATOR = (
    "no run sheet is sent: the operator's e-mail is not set; set operator_email in the bus rules"
)
KINDS = {StopKind.PICK_UP: RunSheetStopKind.PICK_UP, StopKind.DROP_OFF: RunSheetStopKind.DROP_OFF}


def sends_at(day: date, settings: RuleSettings, zone: ZoneInfo) -> datetime:
    """When the day's first sheet goes out: the set local time, the set days before."""
    sent_on = day - timedelta(days=settings.run_sheet_days_before)
    return datetime.combine(sent_on, settings.run_sheet_at, tzinfo=zone).astimezone(UTC)


def sheet_buses(plan: DayPlanPublic) -> list[RunSheetBus]:
    """The buses that drive, each with its stops in order."""
    return [
        RunSheetBus(
            bus=run.bus,
            leaves_depot=run.leaves_depot,
            back_at_depot=run.back_at_depot,
            stops=[
                RunSheetStop(
                    at=stop.at,
                    kind=KINDS[stop.kind],
                    place=stop.place,
                    address=stop.address,
                    travellers=stop.travellers,
                    wheelchair_places=stop.wheelchair_places,
                )
                for stop in run.stops
            ],
        )
        for run in plan.buses
        if run.stops
    ]


def run_sheet_due(
    plan: DayPlanPublic,
    settings: RuleSettings,
    last: RunSheet | None,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> RunSheet | None:
    """The sheet to send now, if any: the first once its time has come (and a bus drives),
    then a new revision whenever the stops differ from the last one sent, until the day ends."""
    if settings.operator_email is None or now < sends_at(plan.day, settings, zone):
        return None
    if now >= datetime.combine(plan.day + timedelta(days=1), time(0), tzinfo=zone):
        return None  # the buses have driven
    buses = sheet_buses(plan)
    if last is None and not buses:
        return None
    if last is not None and last.buses == buses:
        return None
    return RunSheet(
        day=plan.day,
        operator_email=settings.operator_email,
        revision=1 if last is None else last.revision + 1,
        buses=buses,
    )


async def issue_run_sheet(work: Work, municipality_id: str, day: date, *, now: datetime) -> bool:
    """Sends the day's sheet if one is due; whether it did. The day's plan lock makes it once."""
    await work.plans.lock(municipality_id, day)
    plan = await work.plans.get(municipality_id, day)
    if plan is None:
        return False
    settings = await work.rules.get(municipality_id)
    zone = await work.directory.zone(municipality_id)
    last = await work.run_sheets.last(municipality_id, day)
    sheet = run_sheet_due(plan, settings, last.sheet if last else None, now=now, zone=zone)
    if sheet is None:
        return False
    await work.publish(BusRunSheetIssued(municipality_id=municipality_id, payload=sheet))
    await work.run_sheets.record(municipality_id, sheet, now)
    return True


async def run_sheet_state(work: Work, municipality_id: str, day: date) -> RunSheetState:
    settings = await work.rules.get(municipality_id)
    last = await work.run_sheets.last(municipality_id, day)
    return RunSheetState(
        sends_at=sends_at(day, settings, await work.directory.zone(municipality_id)),
        revision=last.sheet.revision if last else None,
        issued_at=last.issued_at if last else None,
        not_sent_because=NO_OPERATOR if settings.operator_email is None else None,
    )


async def send_run_sheets(runtime: Runtime) -> None:
    """A background job of the transport service: every replica may run it; the day's lock and
    the recorded revisions make each sheet go out once."""
    while True:
        try:
            now = datetime.now(UTC)
            async with runtime.database.sessions() as session:
                days = await SqlPlans(session).days_since((now - timedelta(days=1)).date())
            for municipality_id, day in days:
                async with runtime.unit_of_work() as uow:
                    if await issue_run_sheet(SqlWork(uow), municipality_id, day, now=now):
                        log.info("sent the run sheet of %s for %s", municipality_id, day)
        except Exception:
            log.exception("the run sheet job failed; trying again shortly")
        await asyncio.sleep(CHECK_EVERY_SECONDS)
