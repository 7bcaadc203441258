"""Every event type by name and version, and the one way to read an event off the wire."""

import json

from pydantic import ValidationError

from kulturbro_contracts import (
    access,
    allocation,
    booking,
    catalog,
    directory,
    notify,
    transport,
)
from kulturbro_contracts.envelope import Event

_MODULES = (directory, catalog, booking, allocation, notify, access, transport)

EVENT_TYPES: dict[tuple[str, int], type[Event]] = {
    (cls.model_fields["event_type"].default, cls.model_fields["schema_version"].default): cls
    for module in _MODULES
    for cls in vars(module).values()
    if isinstance(cls, type)
    and issubclass(cls, Event)
    and "payload" in cls.model_fields
    and cls.model_fields["event_type"].default is not None
}

STREAMS: tuple[str, ...] = tuple(dict.fromkeys(cls.stream for cls in EVENT_TYPES.values()))


class MalformedEvent(ValueError):
    """The bytes on the topic are not an event this code knows; the reason says why."""


def parse_event(raw: bytes) -> Event:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEvent(f"not JSON: {error}") from error
    if not isinstance(document, dict):
        raise MalformedEvent("not a JSON object")
    name, version = document.get("event_type"), document.get("schema_version")
    cls = EVENT_TYPES.get((name, version))  # type: ignore[arg-type]
    if cls is None:
        raise MalformedEvent(f"unknown event type {name!r} version {version!r}")
    try:
        return cls.model_validate(document)
    except ValidationError as error:
        raise MalformedEvent(f"invalid {name} v{version}: {error}") from error


def serialize_event(event: Event) -> bytes:
    return event.model_dump_json().encode()
