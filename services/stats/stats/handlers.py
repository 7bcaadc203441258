"""What the statistics service does with the events it hears."""

from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import SchoolRegistered, SchoolUpdated
from kulturbro_runtime import HandlerTable, UnitOfWork
from stats.db import KnownUnit


async def remember_unit(event: SchoolRegistered | SchoolUpdated, uow: UnitOfWork) -> None:
    school = event.payload
    values = {
        "municipality_id": event.municipality_id,
        "name": school.name,
        "kind": school.kind.value,
        "district": school.district,
    }
    await uow.session.execute(
        insert(KnownUnit)
        .values(unit_id=school.unit_id, **values)
        .on_conflict_do_update(index_elements=["unit_id"], set_=values)
    )


HANDLERS: HandlerTable = {
    SchoolRegistered: [remember_unit],
    SchoolUpdated: [remember_unit],
}
