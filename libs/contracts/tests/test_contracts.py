"""The contracts: round trips, refusals, and the committed AsyncAPI document."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import TypeAdapter, ValidationError

from kulturbro_contracts import (
    EVENT_TYPES,
    MalformedEvent,
    SchoolRegistered,
    parse_event,
    serialize_event,
)
from kulturbro_contracts.allocation import Offer, SeatsOffered
from kulturbro_contracts.asyncapi import COMMITTED, render
from kulturbro_contracts.booking import BookingRequest
from kulturbro_contracts.catalog import Occurrence, PublishedEvent
from kulturbro_contracts.directory import School
from kulturbro_contracts.vocabulary import Language, LocalizedText, UnitKind


def a_school_registered() -> SchoolRegistered:
    school = School(
        unit_id=uuid4(), name="Rosengårdsskolan", kind=UnitKind.SCHOOL, district="Öster"
    )
    return SchoolRegistered(municipality_id="malmo", payload=school)


def test_an_event_survives_the_wire() -> None:
    event = a_school_registered()
    assert parse_event(serialize_event(event)) == event


def test_the_key_is_the_aggregate_whose_order_matters() -> None:
    assert a_school_registered().key() == "malmo"
    assert a_school_registered().topic() == "kulturbro.directory.v1"
    assert a_school_registered().topic("test-1") == "test-1.directory.v1"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"event_type": "Nope", "schema_version": 1}', "unknown event type 'Nope'"),
        (b'{"event_type": "SchoolRegistered", "schema_version": 1}', "invalid SchoolRegistered"),
    ],
)
def test_malformed_messages_are_refused_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(MalformedEvent, match=reason):
        parse_event(raw)


def test_every_event_type_is_known_by_name_and_version() -> None:
    assert ("EventPublished", 1) in EVENT_TYPES
    assert ("SeatsAllocated", 1) in EVENT_TYPES
    assert all(cls.stream for cls in EVENT_TYPES.values())


def test_an_occurrence_must_end_after_it_starts() -> None:
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    with pytest.raises(ValidationError, match="end after it starts"):
        Occurrence(
            occurrence_id=uuid4(),
            starts_at=start,
            ends_at=start - timedelta(minutes=1),
            capacity=30,
            language=Language.SV,
        )


def test_localized_text_needs_one_language() -> None:
    with pytest.raises(ValidationError, match="at least one of sv, fi, en"):
        TypeAdapter(LocalizedText).validate_python({"sv": "  "})


def test_an_offer_of_held_back_seats_survives_the_wire_and_an_older_request_has_none() -> None:
    offer = SeatsOffered(
        municipality_id="malmo",
        payload=Offer(
            offer_id=uuid4(),
            event_id=uuid4(),
            occurrence_id=uuid4(),
            group_id=uuid4(),
            unit_id=uuid4(),
            pupils=24,
            adults=2,
            seats=26,
            deadline=datetime(2027, 3, 8, 23, tzinfo=UTC),
            explanation={Language.EN: "A place is held for your class."},
        ),
    )
    assert parse_event(serialize_event(offer)) == offer
    older = BookingRequest(
        booking_id=uuid4(),
        event_id=uuid4(),
        occurrence_ids=[uuid4()],
        group_id=uuid4(),
        unit_id=uuid4(),
        teacher_id=uuid4(),
        pupils=20,
        adults=2,
    )
    assert older.offer_id is None


@pytest.mark.parametrize("share", [-1, 101])
def test_a_held_back_share_is_a_percent(share: int) -> None:
    with pytest.raises(ValidationError, match="held_back_share"):
        TypeAdapter(PublishedEvent).validate_python({"held_back_share": share})


def test_the_committed_asyncapi_document_matches_the_code() -> None:
    assert COMMITTED.read_text() == render(), (
        "contracts changed: run `python -m kulturbro_contracts.asyncapi --write` and commit"
    )
