"""`kulturbro import` and `kulturbro municipality`: the directory's work from a terminal.

They run in this process on the directory service's own settings (DATABASE_URL,
KAFKA_BOOTSTRAP_SERVERS, DB_SCHEMA, TOPIC_PREFIX), through the same code as the HTTP API.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import psycopg.errors
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as ProgressBars
from sqlalchemy.exc import DBAPIError

from directory import imports, municipalities
from directory.app import service
from directory.csv_files import CsvFiles, CsvRejected, decode
from directory.municipalities import MunicipalityCreate, MunicipalityExists, UnknownMunicipality
from directory.progress import Progress
from directory.ss12000.client import SS12000Error
from kulturbro_contracts.vocabulary import BookingPolicy, Language
from kulturbro_runtime import ServiceSettings
from kulturbro_runtime.runtime import Runtime

PUBLISH_TIMEOUT_SECONDS = 15
REFUSALS = (UnknownMunicipality, MunicipalityExists, SS12000Error, CsvRejected)

import_app = typer.Typer(
    help="Import a municipality's units, groups and teachers from SS 12000 or CSV.",
    no_args_is_help=True,
)
municipality_app = typer.Typer(help="Municipalities, the tenants.", no_args_is_help=True)

Municipality = Annotated[str, typer.Option(help="the municipality's id, e.g. malmo")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="show the report; write nothing")]
CsvFile = Annotated[Path, typer.Option(exists=True, dir_okay=False, readable=True)]
Work = Callable[[Runtime, Progress], Awaitable[tuple[str, bool]]]


@import_app.command("ss12000")
def import_ss12000(
    municipality: Municipality,
    url: Annotated[str, typer.Option(help="the SS 12000 API: the part before /organisations")],
    token: Annotated[
        str, typer.Option(envvar="SS12000_TOKEN", help="bearer token (or set SS12000_TOKEN)")
    ],
    dry_run: DryRun = False,
) -> None:
    """Import from an SS 12000 API: units, classes, pupil counts and teachers."""

    async def work(runtime: Runtime, progress: Progress) -> tuple[str, bool]:
        report = await imports.import_ss12000(runtime, municipality, url, token, dry_run, progress)
        return report.text(), report.changed_anything() and not dry_run

    _run("import", work)


@import_app.command("csv")
def import_csv(
    municipality: Municipality,
    units: CsvFile,
    groups: CsvFile,
    teachers: CsvFile,
    dry_run: DryRun = False,
) -> None:
    """Import from three CSV files (their columns are in the directory's README)."""

    async def work(runtime: Runtime, progress: Progress) -> tuple[str, bool]:
        files = CsvFiles(
            units=decode(units.name, units.read_bytes()),
            groups=decode(groups.name, groups.read_bytes()),
            teachers=decode(teachers.name, teachers.read_bytes()),
        )
        report = await imports.import_csv(runtime, municipality, files, dry_run, progress)
        return report.text(), report.changed_anything() and not dry_run

    _run("import", work)


@municipality_app.command("add")
def add_municipality(
    municipality_id: Annotated[str, typer.Argument(help="a short id, e.g. malmo")],
    name: Annotated[str, typer.Option(help="e.g. Malmö stad")],
    language: Annotated[
        list[Language], typer.Option(help="repeat for several; the first is the default")
    ],
    time_zone: Annotated[str, typer.Option(help="IANA time zone")] = "Europe/Stockholm",
    district: Annotated[list[str] | None, typer.Option(help="repeat for several")] = None,
    booking_policy: BookingPolicy = BookingPolicy.FAIR_DRAW,
) -> None:
    """Register a municipality (the bus fleet is set later with PATCH /municipality)."""
    try:
        new = MunicipalityCreate(
            id=municipality_id,
            name=name,
            languages=language,
            time_zone=time_zone,
            districts=district or [],
            default_booking_policy=booking_policy,
        )
    except ValidationError as error:
        _fail(
            "municipality",
            [f"{e['loc'][0]}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()],
        )

    async def work(runtime: Runtime, _: Progress) -> tuple[str, bool]:
        async with runtime.unit_of_work() as uow:
            registered = await municipalities.register(uow, new)
        return f"registered municipality {registered.id!r} ({registered.name})", True

    _run("municipality", work)


def _run(command: str, work: Work) -> None:
    settings = service.settings()
    # A broker that is away is reported once, in this command's words, not in the client's.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        text = asyncio.run(_with_runtime(settings, work))
    except REFUSALS as error:
        lines = [str(e) for e in error.errors] if isinstance(error, CsvRejected) else [str(error)]
        _fail(command, [*lines, "nothing was changed"])
    except DBAPIError as error:
        if isinstance(error.orig, psycopg.errors.UndefinedTable):
            _fail(
                command, ["the directory's tables are missing; run `kulturbro migrate directory`"]
            )
        if isinstance(error.orig, psycopg.OperationalError):
            _fail(command, [f"cannot reach the database: {str(error.orig).splitlines()[0]}"])
        raise
    typer.echo(text)


async def _with_runtime(settings: ServiceSettings, work: Work) -> str:
    runtime = Runtime(service.name, settings, handlers={})
    try:
        with _progress_bars() as bars:
            text, wrote = await work(runtime, bars)
        if wrote and not await _publish_now(runtime):
            text += (
                "\nnote: the events wait in the outbox; the directory service sends them "
                "when it runs"
            )
        return text
    finally:
        await runtime.stop()


async def _publish_now(runtime: Runtime) -> bool:
    """Send this command's events now rather than at the running service's next poll."""
    try:
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            while await runtime.relay.publish_pending() == runtime.relay.batch_size:
                pass
    except Exception:  # the broker is away: the rows stay and the service's relay sends them
        return False
    return True


class _Bars:
    """A bar for each step of an import, shown from the first step on."""

    def __init__(self) -> None:
        columns = (SpinnerColumn(), TextColumn("{task.description:<22}"), BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn())  # fmt: skip
        self.bars = ProgressBars(*columns, console=Console(stderr=True))
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int | None = None) -> None:
        if not self.tasks:
            self.bars.start()
        if step not in self.tasks:
            for task in self.bars.tasks:  # a new step means the earlier ones are complete
                self.bars.update(task.id, total=task.completed)
            self.tasks[step] = self.bars.add_task(step, total=total)
        self.bars.update(self.tasks[step], completed=done, total=total)

    def stop(self) -> None:
        if self.tasks:
            self.bars.stop()


@contextmanager
def _progress_bars() -> Iterator[_Bars]:
    bars = _Bars()
    try:
        yield bars
    finally:
        bars.stop()


def _fail(command: str, lines: list[str]) -> NoReturn:
    for line in lines:
        typer.echo(f"kulturbro {command}: {line}", err=True)
    raise typer.Exit(2)
