"""Imports over HTTP: from an SS 12000 server or from CSV text, each answered with its report."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Response
from pydantic import AnyHttpUrl, BaseModel, Field, SecretStr

from directory import imports
from directory.csv_files import CsvFiles, CsvRejected
from directory.municipalities import UnknownMunicipality
from directory.report import ImportReport
from directory.ss12000.client import SS12000Failed, SS12000Refused
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow
from kulturbro_runtime.errors import problem

router = APIRouter(tags=["imports"])


class SS12000Import(BaseModel):
    url: AnyHttpUrl = Field(description="the SS 12000 API: the part before /organisations")
    token: SecretStr = Field(
        min_length=1,
        description="a bearer token that may read organisations, groups, persons, duties "
        "and activities",
    )
    dry_run: bool = Field(default=False, description="report the changes, write nothing")


class CsvImport(BaseModel):
    """The three files' text; the README lists their columns."""

    units: str = Field(description="units.csv")
    groups: str = Field(description="groups.csv")
    teachers: str = Field(description="teachers.csv")
    dry_run: bool = Field(default=False, description="report the changes, write nothing")


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except UnknownMunicipality as error:
        raise HTTPException(404, str(error)) from error
    except SS12000Refused as error:
        raise HTTPException(422, f"token or url: {error}; nothing was changed") from error
    except SS12000Failed as error:
        raise HTTPException(502, f"{error}; nothing was changed") from error


@router.post("/imports/ss12000", response_model=ImportReport, **allow(Role.ADMINISTRATOR))
async def import_from_ss12000(
    body: SS12000Import, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> ImportReport:
    """Read units, classes, pupils (only counted) and teachers from SS 12000 and bring the
    municipality's SS 12000 records in line with them."""
    with _refusals():
        return await imports.import_ss12000(
            runtime,
            str(caller.municipality_id),
            str(body.url),
            body.token.get_secret_value(),
            body.dry_run,
        )


@router.post("/imports/csv", response_model=ImportReport, **allow(Role.ADMINISTRATOR))
async def import_from_csv(
    body: CsvImport, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> ImportReport | Response:
    """Bring the municipality's CSV records in line with the three files; a bad line stops the
    whole import, and every bad line is named."""
    files = CsvFiles(units=body.units, groups=body.groups, teachers=body.teachers)
    with _refusals():
        try:
            return await imports.import_csv(
                runtime, str(caller.municipality_id), files, body.dry_run
            )
        except CsvRejected as error:
            return problem(
                422,
                f"{error}; nothing was imported",
                errors=[asdict(line_error) for line_error in error.errors],
            )
