"""Municipalities over the directory's API, lists page by page, and refusals that say what to do."""

from collections.abc import AsyncIterator
from importlib.resources import files

import httpx
import pytest

from kulturbro_cli.services import load_service
from kulturbro_contracts import parse_event
from kulturbro_devstack.testing import (
    Servers,
    identity_headers,
    read_topic,
    running,
    service_env,
    service_settings,
)

pytestmark = pytest.mark.integration

PORI = {
    "id": "pori",
    "name": "Porin kaupunki",
    "languages": ["fi", "sv", "en"],
    "time_zone": "Europe/Helsinki",
    "districts": ["Keskusta", "Norr", "Söder", "Centrum"],
}


@pytest.fixture
def topic(topic_prefix: str) -> str:
    return f"{topic_prefix}.directory.v1"


@pytest.fixture
async def directory(
    servers: Servers, topic_prefix: str, new_schema
) -> AsyncIterator[httpx.AsyncClient]:
    service = load_service("directory")
    env = service_env(servers, topic_prefix, new_schema("directory"))
    async with running(service, service_settings(service, env)) as client:
        yield client


def operator() -> dict[str, str]:
    return identity_headers("operator", None)


def admin(municipality: str = "pori") -> dict[str, str]:
    return identity_headers("administrator", municipality)


async def test_an_operator_registers_a_municipality_its_administrator_keeps(
    directory: httpx.AsyncClient, servers: Servers, topic: str
) -> None:
    registered = await directory.post("/municipalities", json=PORI, headers=operator())
    twice = await directory.post("/municipalities", json=PORI, headers=operator())
    by_admin = await directory.post(
        "/municipalities", json=PORI | {"id": "ulvila"}, headers=admin()
    )
    fleet = [{"name": "Kulttuuribussi", "seats": 45, "wheelchair_places": 1}]
    changed = await directory.patch("/municipality", json={"bus_fleet": fleet}, headers=admin())
    unchanged = await directory.patch("/municipality", json={"bus_fleet": fleet}, headers=admin())
    by_teacher = await directory.patch(
        "/municipality", json={"name": "Pori"}, headers=identity_headers("teacher", "pori")
    )
    read = await directory.get("/municipality", headers=identity_headers("teacher", "pori"))
    elsewhere = await directory.get("/municipality", headers=admin("ulvila"))
    published = await read_topic(servers.kafka_bootstrap_servers, topic, expect=2)

    assert registered.status_code == 201, registered.text
    assert registered.json()["default_booking_policy"] == "fair_draw"
    assert twice.status_code == 409
    assert twice.json()["detail"] == (
        "municipality 'pori' is registered already; change it with PATCH /municipality"
    )
    assert by_admin.status_code == 403
    assert changed.json()["bus_fleet"] == fleet
    assert unchanged.status_code == 200
    assert by_teacher.status_code == 403
    assert read.json() == PORI | {
        "default_booking_policy": "fair_draw",
        "bus_fleet": fleet,
        "area": None,
    }
    assert elsewhere.status_code == 404
    assert elsewhere.json()["detail"].startswith("municipality 'ulvila' is not registered; an op")
    events = [parse_event(record.value) for record in published]
    assert [e.event_type for e in events] == ["MunicipalityRegistered", "MunicipalityUpdated"]
    assert {e.municipality_id for e in events} == {"pori"}


async def test_anyone_reads_a_municipalitys_name_languages_zone_and_districts(
    directory: httpx.AsyncClient,
) -> None:
    fleet = [{"name": "Kulttuuribussi", "seats": 45, "wheelchair_places": 1}]
    registered = await directory.post(
        "/municipalities", json=PORI | {"bus_fleet": fleet}, headers=operator()
    )
    assert registered.status_code == 201, registered.text
    anyone = await directory.get("/public/municipalities/pori")
    unknown = await directory.get("/public/municipalities/ulvila")
    assert anyone.status_code == 200, anyone.text
    assert anyone.json() == PORI
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"id": "Pori!", "name": "", "languages": [], "time_zone": "Europe/Pori"},
            {
                "id": "'Pori!' is not a municipality id; use lowercase letters, digits and "
                "dashes, e.g. malmo or pori",
                "name": "String should have at least 1 character",
                "languages": "List should have at least 1 item after validation, not 0",
                "time_zone": "'Europe/Pori' is not a known time zone; use an IANA name such as "
                "Europe/Stockholm",
            },
        ),
        (
            PORI | {"languages": ["fi", "fi"], "districts": ["Norr", " "]},
            {"languages": "fi given more than once", "districts": "a district needs a name"},
        ),
        (
            PORI | {"bus_fleet": [{"name": "Buss", "seats": 0}, {"name": "B", "seats": 2**31}]},
            {
                "bus_fleet.0.seats": "must be at least 1, not 0",
                "bus_fleet.1.seats": "must be at most 100, not 2147483648",
            },
        ),
    ],
)
async def test_a_wrong_municipality_is_refused_field_by_field(
    directory: httpx.AsyncClient, body: dict[str, object], expected: dict[str, str]
) -> None:
    refused = await directory.post("/municipalities", json=body, headers=operator())
    assert refused.status_code == 422
    assert {e["field"]: e["message"] for e in refused.json()["errors"]} == expected


async def test_lists_come_page_by_page_and_teachers_only_to_administrators(
    directory: httpx.AsyncClient,
) -> None:
    assert (await directory.post("/municipalities", json=PORI, headers=operator())).is_success
    demo = files("directory") / "demo"
    csv_files = {
        name: (demo / f"{name}.csv").read_text() for name in ("units", "groups", "teachers")
    }
    imported = await directory.post("/imports/csv", json=csv_files, headers=admin())
    assert imported.status_code == 200, imported.text
    teacher = identity_headers("teacher", "pori")
    office = admin()  # a teacher lists only their own groups

    everything = (await directory.get("/groups", params={"limit": 500}, headers=office)).json()
    pages = [
        (await directory.get("/groups", params={"limit": 5, "offset": o}, headers=office)).json()
        for o in (0, 5, 10)
    ]
    units = (await directory.get("/schools", headers=teacher)).json()
    care_home = next(unit["id"] for unit in units if unit["kind"] == "elderly_care_home")
    of_care_home = await directory.get("/groups", params={"unit_id": care_home}, headers=office)
    too_many = await directory.get("/groups", params={"limit": 501}, headers=teacher)
    teachers_to_teacher = await directory.get("/teachers", headers=teacher)
    elsewhere = await directory.get("/groups", headers=admin("ulvila"))

    assert [len(page) for page in pages] == [5, 5, 2]
    assert [g for page in pages for g in page] == everything
    assert {g["name"] for g in of_care_home.json()} == {"Björken", "Lönnen"}
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"
    assert teachers_to_teacher.status_code == 403
    assert elsewhere.json() == [], "another municipality sees none of it"


async def test_lists_find_by_words_in_names_and_teachers_also_by_e_mail(
    directory: httpx.AsyncClient,
) -> None:
    assert (await directory.post("/municipalities", json=PORI, headers=operator())).is_success
    demo = files("directory") / "demo"
    csv_files = {
        name: (demo / f"{name}.csv").read_text() for name in ("units", "groups", "teachers")
    }
    assert (await directory.post("/imports/csv", json=csv_files, headers=admin())).is_success

    async def names(path: str, q: str, key: str = "name") -> list[str]:
        found = await directory.get(path, params={"q": q}, headers=admin())
        assert found.status_code == 200, found.text
        return [item[key] for item in found.json()]

    assert await names("/schools", "skola") == ["Kulladals förskola", "Ängslättsskolan"]
    assert await names("/groups", "2a") == ["2A"], "any case"
    assert await names("/groups", "%") == [], "% is only itself"
    assert await names("/teachers", "VIRTANEN") == ["Aino Virtanen"]
    assert len(await names("/teachers", "@demostad.example")) == 8, "e-mail too"
    assert await names("/teachers", "_") == [], "_ is only itself"
    assert await names("/groups", " ") != [], "blank words filter nothing"
    elsewhere = await directory.get("/schools", params={"q": "skola"}, headers=admin("ulvila"))
    too_long = await directory.get("/groups", params={"q": "x" * 201}, headers=admin())
    assert elsewhere.json() == []
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "q"


async def test_imports_refuse_what_they_cannot_use(directory: httpx.AsyncClient) -> None:
    unregistered = await directory.post("/imports/csv", json={"units": "", "groups": "",
                                         "teachers": ""}, headers=admin())  # fmt: skip
    no_files = await directory.post("/imports/csv", json={"dry_run": True}, headers=admin())
    bad_url = await directory.post(
        "/imports/ss12000", json={"url": "skolverket", "token": "t"}, headers=admin()
    )
    by_teacher = await directory.post(
        "/imports/ss12000",
        json={"url": "http://ss12000.example", "token": "t"},
        headers=identity_headers("teacher", "pori"),
    )

    assert unregistered.status_code == 404
    assert unregistered.json()["detail"] == (
        "municipality 'pori' is not registered; an operator registers it first "
        "(POST /municipalities or `kulturbro municipality add`)"
    )
    assert {e["field"] for e in no_files.json()["errors"]} == {"units", "groups", "teachers"}
    assert bad_url.status_code == 422
    assert bad_url.json()["errors"][0]["field"] == "url"
    assert by_teacher.status_code == 403
