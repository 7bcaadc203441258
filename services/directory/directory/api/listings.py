"""A municipality's units, groups and teachers, page by page; a unit may also be added by hand."""

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from sqlmodel import col, or_, select

from directory.db import (
    Group,
    GroupPublic,
    Teacher,
    TeacherGroup,
    TeacherPublic,
    Unit,
    UnitCreate,
    UnitPublic,
)
from kulturbro_contracts import SchoolRegistered, limits
from kulturbro_contracts.directory import School
from kulturbro_runtime import Caller, MunicipalCallerDep, Role, RuntimeDep, allow, like

router = APIRouter(tags=["units, groups and teachers"])


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _page(
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 100,
    offset: Annotated[
        int, Query(ge=0, le=limits.MAX_OFFSET, description="after skipping this many")
    ] = 0,
) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(_page)]
Words = Annotated[
    str | None,
    Query(max_length=200, description="only those whose name (a teacher's: or e-mail) has this"),
]


@router.post("/schools", status_code=201, response_model=UnitPublic, **allow(Role.ADMINISTRATOR))
async def register_school(
    body: UnitCreate, caller: MunicipalCallerDep, runtime: RuntimeDep
) -> Unit:
    """Add a unit by hand, such as a care home no import knows; imports leave it alone."""
    unit = Unit.model_validate(body, update={"municipality_id": caller.municipality_id})
    async with runtime.unit_of_work() as uow:
        uow.session.add(unit)
        await uow.publish(
            SchoolRegistered(
                municipality_id=unit.municipality_id,
                payload=School(unit_id=unit.id, **body.model_dump()),
            )
        )
    return unit


@router.get(
    "/schools",
    response_model=list[UnitPublic],
    **allow(Role.ADMINISTRATOR, Role.TEACHER, Role.ANALYST, Role.ORGANIZER),
)
async def list_schools(
    caller: MunicipalCallerDep, runtime: RuntimeDep, page: PageDep, q: Words = None
) -> list[Unit]:
    """The municipality's units: preschools, schools and elderly-care homes, by name."""
    query = select(Unit).where(Unit.municipality_id == caller.municipality_id)
    if q and q.strip():
        query = query.where(col(Unit.name).ilike(like.containing(q), escape=like.ESCAPE))
    async with runtime.database.sessions() as session:
        found = await session.exec(
            query.order_by(col(Unit.name), col(Unit.id)).limit(page.limit).offset(page.offset)
        )
        return list(found)


@router.get(
    "/groups",
    response_model=list[GroupPublic],
    **allow(Role.ADMINISTRATOR, Role.TEACHER, Role.ANALYST),
)
async def list_groups(
    caller: MunicipalCallerDep,
    runtime: RuntimeDep,
    page: PageDep,
    unit_id: Annotated[UUID | None, Query(description="only this unit's groups")] = None,
    q: Words = None,
) -> list[Group]:
    """Classes and care-home groups with their target group and size (a count, never names);
    a teacher sees only the groups they teach."""
    query = select(Group).where(Group.municipality_id == caller.municipality_id)
    if caller.role == Role.TEACHER:
        taught = select(TeacherGroup.group_id).where(TeacherGroup.teacher_id == _teacher_id(caller))
        query = query.where(col(Group.id).in_(taught))
    if unit_id is not None:
        query = query.where(Group.unit_id == unit_id)
    if q and q.strip():
        query = query.where(col(Group.name).ilike(like.containing(q), escape=like.ESCAPE))
    async with runtime.database.sessions() as session:
        found = await session.exec(
            query.order_by(col(Group.name), col(Group.id)).limit(page.limit).offset(page.offset)
        )
        return list(found)


def _teacher_id(caller: Caller) -> UUID | None:
    """The directory's id of a signed-in teacher; none for one the directory does not know."""
    try:
        return UUID(caller.subject)
    except ValueError:
        return None


@router.get("/teachers", response_model=list[TeacherPublic], **allow(Role.ADMINISTRATOR))
async def list_teachers(
    caller: MunicipalCallerDep, runtime: RuntimeDep, page: PageDep, q: Words = None
) -> list[TeacherPublic]:
    """Teachers and contacts with the groups they teach; their e-mail is for administrators."""
    query = select(Teacher).where(Teacher.municipality_id == caller.municipality_id)
    if q and q.strip():
        pattern = like.containing(q)
        query = query.where(
            or_(
                col(Teacher.name).ilike(pattern, escape=like.ESCAPE),
                col(Teacher.email).ilike(pattern, escape=like.ESCAPE),
            )
        )
    async with runtime.database.sessions() as session:
        teachers = list(
            await session.exec(
                query.order_by(col(Teacher.name), col(Teacher.id))
                .limit(page.limit)
                .offset(page.offset)
            )
        )
        links = await session.exec(
            select(TeacherGroup).where(col(TeacherGroup.teacher_id).in_([t.id for t in teachers]))
        )
        groups: dict[UUID, list[UUID]] = {teacher.id: [] for teacher in teachers}
        for link in links:
            groups[link.teacher_id].append(link.group_id)
    return [
        TeacherPublic.model_validate(teacher, update={"group_ids": sorted(groups[teacher.id])})
        for teacher in teachers
    ]
