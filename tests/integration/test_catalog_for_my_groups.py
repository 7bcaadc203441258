"""Finding events: a teacher's "events for my groups" from the catalog's copy of the directory,
and a municipality's public listing."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from catalog.handlers import HANDLERS
from kulturbro_contracts import (
    Event,
    GroupRegistered,
    GroupRemoved,
    GroupUpdated,
    SchoolRegistered,
    SeatsAllocated,
    TeacherAssigned,
    TeacherUnassigned,
)
from kulturbro_contracts.allocation import Allocation
from kulturbro_contracts.directory import Group, School, TeacherAssignment
from kulturbro_contracts.vocabulary import TargetGroup, UnitKind
from kulturbro_devstack.testing import Servers, identity_headers

from .test_catalog_publish import (
    a_published_event,
    an_event,
    an_occurrence,
    an_organizer,
    catalog_api,
    in_days,
    signed_in,
    tell,
    until,
)

pytestmark = pytest.mark.integration

ANNA, BERTIL, CECILIA = uuid4(), uuid4(), uuid4()


def a_group(unit_id: UUID, name: str, target: TargetGroup, size: int) -> Group:
    return Group(group_id=uuid4(), unit_id=unit_id, name=name, target_group=target, size=size)


def the_directory() -> list[Event]:
    """Malmö: Anna teaches 2B and 3A (registered as a 2nd grade, then moved up), Bertil 7C;
    9X and Cecilia's assignment come and go. Espoo: Anna's id also teaches a 5th grade there,
    which must not count when she signs in for Malmö."""
    school = School(
        unit_id=uuid4(), name="Rosengårdsskolan", kind=UnitKind.SCHOOL, district="Öster"
    )
    koulu = School(unit_id=uuid4(), name="Tapiolan koulu", kind=UnitKind.SCHOOL)
    class_2b = a_group(school.unit_id, "2B", TargetGroup.GRADE_2, 24)
    class_3a = a_group(school.unit_id, "3A", TargetGroup.GRADE_2, 20)
    class_7c = a_group(school.unit_id, "7C", TargetGroup.GRADE_7, 28)
    class_9x = a_group(school.unit_id, "9X", TargetGroup.GRADE_9, 25)
    luokka_5 = a_group(koulu.unit_id, "5A", TargetGroup.GRADE_5, 22)

    def assigned(municipality: str, teacher: UUID, group: Group) -> TeacherAssigned:
        assignment = TeacherAssignment(teacher_id=teacher, group_id=group.group_id)
        return TeacherAssigned(municipality_id=municipality, payload=assignment)

    moved_up = class_3a.model_copy(update={"target_group": TargetGroup.GRADE_3})
    left = TeacherAssignment(teacher_id=CECILIA, group_id=class_2b.group_id)
    return [
        SchoolRegistered(municipality_id="malmo", payload=school),
        *(
            GroupRegistered(municipality_id="malmo", payload=group)
            for group in (class_2b, class_3a, class_7c, class_9x)
        ),
        assigned("malmo", ANNA, class_2b),
        assigned("malmo", ANNA, class_3a),
        assigned("malmo", ANNA, class_9x),
        assigned("malmo", BERTIL, class_7c),
        assigned("malmo", CECILIA, class_2b),
        GroupUpdated(municipality_id="malmo", payload=moved_up),
        GroupRemoved(municipality_id="malmo", payload=class_9x),
        TeacherUnassigned(municipality_id="malmo", payload=left),
        SchoolRegistered(municipality_id="espoo", payload=koulu),
        GroupRegistered(municipality_id="espoo", payload=luokka_5),
        assigned("espoo", ANNA, luokka_5),
    ]


def titles(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [event["title"].get("en") or event["title"]["sv"] for event in answer.json()["items"]]


async def test_events_for_my_groups_are_only_those_that_match(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, schema):
        directory = the_directory()
        await tell(servers, topic_prefix, *directory)
        malmo = signed_in(await an_organizer(client))
        espoo = signed_in(await an_organizer(client, "espoo"), "espoo")
        pippi = await a_published_event(
            client,
            malmo,
            an_event(
                an_occurrence(30),
                an_occurrence(60, capacity=28, language="fi"),
                max_group_size=28,
            ),
        )
        await a_published_event(
            client,
            malmo,
            an_event(
                an_occurrence(40),
                title={"sv": "Trumma"},
                description={"fi": "Rytmiä ja iloa."},
                category="music",
                target_groups=["grade_3"],
                venue={"name": "Kulturhuset", "district": "Öster"},
            ),
        )
        await a_published_event(
            client,
            malmo,
            an_event(an_occurrence(35), title={"sv": "Dans"}, target_groups=["grade_5", "grade_7"]),
        )
        await client.post(
            "/events", json=an_event(an_occurrence(20), title={"sv": "Utkast"}), headers=malmo
        )
        await a_published_event(
            client,
            malmo,
            an_event(an_occurrence(22), title={"sv": "Nian"}, target_groups=["grade_9"]),
        )
        gone = await a_published_event(
            client, malmo, an_event(an_occurrence(25), title={"sv": "Inställd"})
        )
        await client.post(f"/events/{gone['id']}/cancel", json={}, headers=malmo)
        await a_published_event(
            client,
            espoo,
            an_event(
                an_occurrence(21), title={"sv": "I Esbo"}, target_groups=["grade_2", "grade_5"]
            ),
        )
        full = Allocation(
            booking_id=uuid4(),
            event_id=UUID(pippi["id"]),
            occurrence_id=UUID(pippi["occurrences"][0]["id"]),
            group_id=uuid4(),
            unit_id=uuid4(),
            seats=70,
            explanation={"sv": "Först till kvarn."},
        )
        await tell(servers, topic_prefix, SeatsAllocated(municipality_id="malmo", payload=full))
        handled = sum(type(fact) in HANDLERS for fact in directory) + 1
        await until(servers, f'select count(*) from "{schema}".inbox', handled)

        anna = identity_headers("teacher", "malmo", str(ANNA))

        async def anna_finds(**search: Any) -> httpx.Response:
            return await client.get("/events/for-my-groups", params=search, headers=anna)

        everything = await anna_finds()
        first_page = await anna_finds(page_size=1)
        second_page = await anna_finds(page=2, page_size=1)
        by_category = await anna_finds(category="music")
        by_target_group = await anna_finds(target_group="grade_3")
        in_finnish = await anna_finds(language="fi")
        in_district = await anna_finds(district="öster")
        by_words = [await anna_finds(q=words) for words in ("vänskap", "RYTMIÄ", "pippi trumma")]
        soon = await anna_finds(to=in_days(35).isoformat())
        with_room = await anna_finds(free_seats_only="true")
        bertil = await client.get(
            "/events/for-my-groups", headers=identity_headers("teacher", "malmo", str(BERTIL))
        )
        cecilia = await client.get(
            "/events/for-my-groups", headers=identity_headers("teacher", "malmo", str(CECILIA))
        )
        not_a_teacher = await client.get(
            "/events/for-my-groups", headers=identity_headers("administrator", "malmo")
        )
        backwards = await anna_finds(
            **{"from": in_days(9).isoformat(), "to": in_days(8).isoformat()}
        )

    assert titles(everything) == ["Pippi på scen", "Trumma"], "soonest first"
    assert (titles(first_page), first_page.json()["total"]) == (["Pippi på scen"], 2)
    assert titles(second_page) == ["Trumma"], "a page at a time, in the same order"
    pippi_found = everything.json()["items"][0]
    assert pippi_found["organizer_name"] == "Stadsteatern"
    assert len(pippi_found["occurrences"]) == 2
    assert pippi_found["occurrences"][0]["free_seats"] == 20
    groups = {e["title"]["sv"]: e["for_groups"] for e in everything.json()["items"]}
    assert len(groups["Pippi på scen"]) == len(groups["Trumma"]) == 1
    assert groups["Pippi på scen"] != groups["Trumma"], "each for the group it suits"
    assert titles(by_category) == ["Trumma"]
    assert titles(by_target_group) == ["Trumma"], "Pippi is for grade 2, Anna's other group"
    assert titles(in_finnish) == ["Pippi på scen"]
    assert [o["language"] for o in in_finnish.json()["items"][0]["occurrences"]] == ["fi"]
    assert titles(in_district) == ["Trumma"]
    assert [titles(answer) for answer in by_words] == [["Pippi på scen"], ["Trumma"], []]
    assert titles(soon) == ["Pippi på scen"]
    assert len(soon.json()["items"][0]["occurrences"]) == 1
    assert titles(with_room) == ["Trumma", "Pippi på scen"], "Pippi's first has no room"
    assert [o["capacity"] for o in with_room.json()["items"][1]["occurrences"]] == [28], (
        "20 free seats leave no room for 24 pupils and 2 adults; 28 do"
    )
    assert titles(bertil) == ["Dans"]
    assert (cecilia.json()["items"], cecilia.json()["total"]) == ([], 0)
    assert not_a_teacher.status_code == 403
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "to: must come after from"


async def test_the_public_listing_pages_through_a_municipalitys_events_without_personal_data(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        malmo = signed_in(await an_organizer(client))
        espoo = signed_in(await an_organizer(client, "espoo"), "espoo")
        for days, title in ((50, "Tredje"), (30, "Första"), (40, "Andra")):
            await a_published_event(
                client, malmo, an_event(an_occurrence(days), title={"sv": title})
            )
        await client.post(
            "/events", json=an_event(an_occurrence(10), title={"sv": "Utkast"}), headers=malmo
        )
        await a_published_event(
            client, espoo, an_event(an_occurrence(10), title={"fi": "Espoossa"})
        )
        first = await client.get("/public/malmo/events", params={"page_size": 2})
        second = await client.get("/public/malmo/events", params={"page": 2, "page_size": 2})
        in_espoo = await client.get("/public/espoo/events")
        too_big = await client.get("/public/malmo/events", params={"page_size": 1000})
    assert first.status_code == 200, first.text
    assert [e["title"]["sv"] for e in first.json()["items"]] == ["Första", "Andra"]
    assert (first.json()["total"], first.json()["page"]) == (3, 1)
    assert [e["title"]["sv"] for e in second.json()["items"]] == ["Tredje"]
    assert [e["title"]["fi"] for e in in_espoo.json()["items"]] == ["Espoossa"]
    for personal in ("contact_email", "bokning@example.org", "booked_seats", "organizer_id"):
        assert personal not in first.text
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["field"] == "page_size"


async def test_the_public_listing_filters_and_one_published_event_opens_for_anyone(
    servers: Servers, topic_prefix: str, new_schema: Callable[[str], str]
) -> None:
    async with catalog_api(servers, topic_prefix, new_schema) as (client, _):
        malmo = signed_in(await an_organizer(client))
        pippi = await a_published_event(
            client,
            malmo,
            an_event(an_occurrence(20), an_occurrence(40), title={"sv": "Pippi på scen"}),
        )
        await a_published_event(
            client,
            malmo,
            an_event(
                an_occurrence(30),
                title={"sv": "Stråkkvartett"},
                category="music",
                target_groups=["grade_7"],
                venue={"name": "Konserthuset", "district": "Väster", "lunch_room": True},
            ),
        )
        draft = await client.post("/events", json=an_event(an_occurrence(10)), headers=malmo)

        async def listed(**params: Any) -> list[str]:
            answer = await client.get("/public/malmo/events", params=params)
            assert answer.status_code == 200, answer.text
            return [e["title"]["sv"] for e in answer.json()["items"]]

        by_group = await listed(target_group="grade_7")
        by_category = await listed(category="theatre")
        by_district = await listed(district="väster")
        by_words = await listed(q="kvartett")
        by_dates = await listed(**{"from": in_days(35).isoformat(), "to": in_days(45).isoformat()})
        dated = await client.get("/public/malmo/events", params={"from": in_days(35).isoformat()})
        unknown_group = await client.get("/public/malmo/events", params={"target_group": "x"})
        opened = await client.get(f"/public/events/{pippi['id']}")
        not_published = await client.get(f"/public/events/{draft.json()['id']}")
        unknown = await client.get(f"/public/events/{uuid4()}")
    assert by_group == ["Stråkkvartett"]
    assert by_category == ["Pippi på scen"]
    assert by_district == ["Stråkkvartett"]
    assert by_words == ["Stråkkvartett"]
    assert by_dates == ["Pippi på scen"]
    # Only the occurrences that match: the one in 40 days, not the one in 20.
    assert [len(e["occurrences"]) for e in dated.json()["items"]] == [1]
    assert unknown_group.status_code == 422
    assert opened.status_code == 200, opened.text
    event = opened.json()
    assert (event["municipality_id"], event["organizer_name"]) == ("malmo", "Stadsteatern")
    assert event["venue"]["step_free"] is True
    assert [o["free_seats"] for o in event["occurrences"]] == [90, 90]
    assert "contact_email" not in opened.text and "booked_seats" not in opened.text
    assert not_published.status_code == 404
    assert unknown.status_code == 404
