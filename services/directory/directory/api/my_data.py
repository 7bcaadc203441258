"""What the directory holds about the teacher asking: her record and the groups she teaches."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col, select

from directory import preferences
from directory.db import Group, TeacherGroup, Unit
from kulturbro_contracts.vocabulary import InvitationPreference, Language, TargetGroup
from kulturbro_runtime import MunicipalCallerDep, Role, RuntimeDep, allow

router = APIRouter(tags=["my data"])


class MyRecord(BaseModel):
    name: str
    email: str
    language: Language
    invitations: InvitationPreference
    source: str | None
    external_id: str | None


class MyGroup(BaseModel):
    group_id: UUID
    name: str
    target_group: TargetGroup
    pupils: int
    unit: str


class MyDirectoryData(BaseModel):
    teacher: MyRecord | None  # none once the directory no longer lists her
    groups: list[MyGroup]


@router.get("/me/data", response_model=MyDirectoryData, **allow(Role.TEACHER))
async def my_data(caller: MunicipalCallerDep, runtime: RuntimeDep) -> MyDirectoryData:
    municipality_id = str(caller.municipality_id)
    async with runtime.database.sessions() as session:
        try:
            teacher = await preferences.find(session, municipality_id, caller.subject)
        except preferences.UnknownTeacher:
            return MyDirectoryData(teacher=None, groups=[])
        rows = await session.exec(
            select(Group, Unit.name)
            .join(TeacherGroup, col(TeacherGroup.group_id) == col(Group.id))
            .join(Unit, col(Unit.id) == col(Group.unit_id))
            .where(TeacherGroup.teacher_id == teacher.id, Group.municipality_id == municipality_id)
            .order_by(col(Group.name))
        )
        groups = [
            MyGroup(
                group_id=group.id,
                name=group.name,
                target_group=group.target_group,
                pupils=group.size,
                unit=unit,
            )
            for group, unit in rows
        ]
    record = MyRecord.model_validate(teacher, from_attributes=True)
    return MyDirectoryData(teacher=record, groups=groups)
