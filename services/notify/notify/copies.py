"""Notify's own copies: municipalities' time zones, organizers' addresses, events' texts."""

from sqlalchemy.dialects.postgresql import insert

from kulturbro_contracts import EventPublished
from kulturbro_contracts.catalog import EventChanged, OrganizerRegistered
from kulturbro_contracts.directory import MunicipalityRegistered, MunicipalityUpdated
from kulturbro_runtime import HandlerTable, UnitOfWork
from notify.db import event_details, municipality, organizer


async def keep_municipality(
    message: MunicipalityRegistered | MunicipalityUpdated, uow: UnitOfWork
) -> None:
    town = message.payload
    values = {"name": town.name, "time_zone": town.time_zone, "language": town.languages[0].value}
    await uow.session.execute(
        insert(municipality)
        .values(municipality_id=message.municipality_id, **values)
        .on_conflict_do_update(index_elements=["municipality_id"], set_=values)
    )


async def keep_organizer(message: OrganizerRegistered, uow: UnitOfWork) -> None:
    contact = message.payload
    values = {"name": contact.name, "email": str(contact.contact_email)}
    await uow.session.execute(
        insert(organizer)
        .values(
            organizer_id=contact.organizer_id, municipality_id=message.municipality_id, **values
        )
        .on_conflict_do_update(index_elements=["organizer_id", "municipality_id"], set_=values)
    )


async def keep_event_details(message: EventPublished | EventChanged, uow: UnitOfWork) -> None:
    event = message.payload
    values = {
        "municipality_id": message.municipality_id,
        "organizer_id": event.organizer_id,
        "details": event.model_dump(mode="json"),
    }
    await uow.session.execute(
        insert(event_details)
        .values(event_id=event.event_id, published_at=message.occurred_at, **values)
        .on_conflict_do_update(index_elements=["event_id"], set_=values)
    )


COPIES: HandlerTable = {
    MunicipalityRegistered: [keep_municipality],
    MunicipalityUpdated: [keep_municipality],
    OrganizerRegistered: [keep_organizer],
    EventPublished: [keep_event_details],
    EventChanged: [keep_event_details],
}
