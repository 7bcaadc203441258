"""Municipalities, the tenants: registered by an operator, kept by their administrators."""

import re
from typing import Annotated, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from directory.db import Municipality
from kulturbro_contracts import directory as contract
from kulturbro_contracts import limits
from kulturbro_contracts.vocabulary import BookingPolicy, Language
from kulturbro_runtime import UnitOfWork

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"{value!r} is not a municipality id; use lowercase letters, digits and dashes, "
            "e.g. malmo or pori"
        )
    return value


def _known_time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not a known time zone; use an IANA name such as Europe/Stockholm"
        ) from None
    return value


def _each_once(values: list[str]) -> list[str]:
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} given more than once")
    return values


def _named(values: list[str]) -> list[str]:
    if any(not value.strip() for value in values):
        raise ValueError("a district needs a name")
    return [value.strip() for value in values]


Languages = Annotated[list[Language], Field(min_length=1), AfterValidator(_each_once)]
TimeZone = Annotated[str, AfterValidator(_known_time_zone)]
Districts = Annotated[list[str], AfterValidator(_named), AfterValidator(_each_once)]


class Bus(contract.Bus):
    seats: int = Field(ge=1, le=limits.MAX_BUS_SEATS)
    wheelchair_places: int = Field(default=0, ge=0, le=limits.MAX_BUS_SEATS)


class Area(BaseModel):
    """Where the municipality's units lie: a box of latitudes and longitudes. An import refuses
    a unit outside it (a swapped or mistyped coordinate would send the culture bus astray)."""

    south: float = Field(ge=-90, le=90, description="the lowest latitude, e.g. 55.50")
    north: float = Field(ge=-90, le=90, description="the highest latitude, e.g. 55.70")
    west: float = Field(ge=-180, le=180, description="the lowest longitude, e.g. 12.85")
    east: float = Field(ge=-180, le=180, description="the highest longitude, e.g. 13.20")

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.south >= self.north:
            raise ValueError("area: south must be below north, e.g. 55.50 and 55.70")
        if self.west >= self.east:
            raise ValueError("area: west must be below east, e.g. 12.85 and 13.20")
        return self

    def outside(self, latitude: float, longitude: float) -> list[str]:
        """The coordinates that fall outside: none, latitude, longitude or both."""
        return [
            name
            for name, value, low, high in (
                ("latitude", latitude, self.south, self.north),
                ("longitude", longitude, self.west, self.east),
            )
            if not low <= value <= high
        ]

    def __str__(self) -> str:
        return f"latitude {self.south} to {self.north}, longitude {self.west} to {self.east}"


class MunicipalitySettings(contract.Municipality):
    """What an administrator keeps: languages (the first is the default), districts, policies."""

    name: str = Field(min_length=1, max_length=200)
    languages: Languages
    time_zone: TimeZone
    districts: Districts = Field(default_factory=list)
    default_booking_policy: BookingPolicy = BookingPolicy.FAIR_DRAW
    bus_fleet: list[Bus] = Field(default_factory=list)
    area: Area | None = Field(
        default=None, description="where its units lie; none: imports do not check coordinates"
    )


class MunicipalityCreate(MunicipalitySettings):
    id: Annotated[str, Field(max_length=64), AfterValidator(_slug)]


class MunicipalityChange(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    languages: Languages | None = None
    time_zone: TimeZone | None = None
    districts: Districts | None = None
    default_booking_policy: BookingPolicy | None = None
    bus_fleet: list[Bus] | None = None
    area: Area | None = None


class MunicipalityPublic(MunicipalitySettings):
    id: str


class UnknownMunicipality(LookupError):
    def __init__(self, municipality_id: str) -> None:
        super().__init__(
            f"municipality {municipality_id!r} is not registered; an operator registers it "
            "first (POST /municipalities or `kulturbro municipality add`)"
        )


class MunicipalityExists(ValueError):
    def __init__(self, municipality_id: str) -> None:
        super().__init__(f"municipality {municipality_id!r} is registered already")


async def find(
    session: AsyncSession, municipality_id: str, lock: bool = False
) -> MunicipalityPublic:
    """The municipality; with lock, other imports and changes to it wait for this transaction."""
    query = select(Municipality).where(Municipality.id == municipality_id)
    row = (await session.exec(query.with_for_update() if lock else query)).first()
    if row is None:
        raise UnknownMunicipality(municipality_id)
    return MunicipalityPublic.model_validate(row.model_dump())


async def register(uow: UnitOfWork, new: MunicipalityCreate) -> MunicipalityPublic:
    created = await uow.session.execute(
        insert(Municipality)
        .values(**new.model_dump())
        .on_conflict_do_nothing()
        .returning(col(Municipality.id))
    )
    if created.first() is None:
        raise MunicipalityExists(new.id)
    await uow.publish(
        contract.MunicipalityRegistered(municipality_id=new.id, payload=_payload(new))
    )
    return MunicipalityPublic.model_validate(new.model_dump())


async def change(
    uow: UnitOfWork, municipality_id: str, changes: MunicipalityChange
) -> MunicipalityPublic:
    current = await find(uow.session, municipality_id, lock=True)
    changed = MunicipalityPublic.model_validate(
        current.model_dump() | changes.model_dump(exclude_none=True)
    )
    if changed != current:
        row = await uow.session.get_one(Municipality, municipality_id)
        row.sqlmodel_update(changed.model_dump(exclude={"id"}))
        uow.session.add(row)
        await uow.publish(
            contract.MunicipalityUpdated(municipality_id=municipality_id, payload=_payload(changed))
        )
    return changed


def _payload(settings: MunicipalitySettings) -> contract.Municipality:
    return contract.Municipality.model_validate(
        settings.model_dump(include=set(contract.Municipality.model_fields))
    )
