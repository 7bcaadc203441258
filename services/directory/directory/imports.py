"""Importing a municipality's units, groups and teachers: read everything, then write it at once.

The source is read and checked completely before the first write, and every change is written
with its event in one unit of work, so a source that fails halfway leaves the previous data
as it was. A dry run reports the same changes and writes nothing.
"""

from directory import municipalities, store
from directory.csv_files import CsvFiles, parse_csv_files
from directory.progress import Progress, unobserved
from directory.reconcile import reconcile
from directory.records import Snapshot
from directory.report import ImportReport, build_report
from directory.ss12000.client import fetch_school_data
from directory.ss12000.derive import derive_snapshot
from kulturbro_runtime.runtime import Runtime


async def import_ss12000(
    runtime: Runtime,
    municipality_id: str,
    url: str,
    token: str,
    dry_run: bool,
    progress: Progress = unobserved,
) -> ImportReport:
    async with runtime.database.sessions() as session:
        municipality = await municipalities.find(session, municipality_id)
    data = await fetch_school_data(url, token, progress)
    snapshot = derive_snapshot(data, default_language=municipality.languages[0])
    return await import_snapshot(runtime, municipality_id, snapshot, dry_run, progress)


async def import_csv(
    runtime: Runtime,
    municipality_id: str,
    files: CsvFiles,
    dry_run: bool,
    progress: Progress = unobserved,
) -> ImportReport:
    async with runtime.database.sessions() as session:
        municipality = await municipalities.find(session, municipality_id)
    snapshot = parse_csv_files(
        files, municipality.languages, municipality.districts, municipality.area
    )
    return await import_snapshot(runtime, municipality_id, snapshot, dry_run, progress)


async def import_snapshot(
    runtime: Runtime,
    municipality_id: str,
    snapshot: Snapshot,
    dry_run: bool,
    progress: Progress = unobserved,
) -> ImportReport:
    async with runtime.unit_of_work() as uow:
        await municipalities.find(uow.session, municipality_id, lock=True)
        stored = await store.load(uow.session, municipality_id, snapshot.source)
        changes = reconcile(stored.snapshot, snapshot)
        if not dry_run:
            await store.apply(uow, municipality_id, stored, changes, progress)
    return build_report(municipality_id, stored.snapshot, snapshot, changes, dry_run)
