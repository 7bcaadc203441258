"""Imports into the directory from a real SS 12000 server and from CSV: what they store, what they
publish, what they report, and that a failure or a bad line leaves everything as it was."""

import importlib.util
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

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

from .conftest import query

pytestmark = pytest.mark.integration

FAKE_FILE = Path(__file__).parents[2] / "services" / "directory" / "tests" / "ss12000_fake.py"
DEMO = files("directory") / "demo"
MALMO = {
    "id": "malmo",
    "name": "Malmö stad",
    "languages": ["sv", "fi", "en"],
    "time_zone": "Europe/Stockholm",
    "districts": ["Centrum", "Norr", "Söder", "Öster"],
}
FIRST_IMPORT = {
    "MunicipalityRegistered": 1,
    "SchoolRegistered": 3,
    "GroupRegistered": 20,
    "TeacherRegistered": 6,
    "TeacherAssigned": 11,
}


def load_fake() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ss12000_fake", FAKE_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fake = load_fake()


@pytest.fixture
def ss12000() -> Any:
    return fake.FakeSS12000(fake.sample_school_year().year, page_size=25)


@pytest.fixture
def ss12000_url(ss12000: Any) -> Iterator[str]:
    """The fake SS 12000 server over real HTTP."""
    with fake.serving(ss12000.app) as base:
        yield f"{base}/ss12000"


@pytest.fixture
def env(servers: Servers, topic_prefix: str, new_schema) -> dict[str, str]:
    return service_env(servers, topic_prefix, new_schema("directory"))


@pytest.fixture
async def directory(env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """The directory service running, with Malmö registered."""
    service = load_service("directory")
    async with running(service, service_settings(service, env)) as client:
        registered = await client.post(
            "/municipalities", json=MALMO, headers=identity_headers("operator", None)
        )
        assert registered.status_code == 201, registered.text
        yield client


def admin() -> dict[str, str]:
    return identity_headers("administrator", "malmo")


async def import_ss12000(
    client: httpx.AsyncClient, url: str, dry_run: bool = False, token: str = "test-token"
) -> httpx.Response:
    body = {"url": url, "token": token, "dry_run": dry_run}
    return await client.post("/imports/ss12000", json=body, headers=admin())


async def events(servers: Servers, env: dict[str, str], expect: int) -> Counter[str]:
    topic = f"{env['TOPIC_PREFIX']}.directory.v1"
    records = await read_topic(servers.kafka_bootstrap_servers, topic, expect=expect)
    return Counter(parse_event(record.value).event_type for record in records)


async def listed(client: httpx.AsyncClient) -> dict[str, Any]:
    units = (await client.get("/schools", headers=admin())).json()
    groups = (await client.get("/groups", params={"limit": 500}, headers=admin())).json()
    teachers = (await client.get("/teachers", headers=admin())).json()
    group_names = {group["id"]: group["name"] for group in groups}
    return {
        "units": {unit["name"]: (unit["kind"], unit["school_forms"]) for unit in units},
        "groups": {group["name"]: (group["target_group"], group["size"]) for group in groups},
        "teaching": {
            teacher["name"]: sorted(group_names[group] for group in teacher["group_ids"])
            for teacher in teachers
        },
    }


async def test_an_ss12000_import_gives_units_groups_grades_pupil_counts_and_teachers(
    directory: httpx.AsyncClient,
    ss12000: Any,
    ss12000_url: str,
    servers: Servers,
    env: dict[str, str],
) -> None:
    imported = await import_ss12000(directory, ss12000_url)
    assert imported.status_code == 200, imported.text
    report = imported.json()
    stored = await listed(directory)
    published = await events(servers, env, expect=sum(FIRST_IMPORT.values()))

    assert report["units"]["added"] == ["Solrosens förskola", "Strandgymnasiet", "Ängslättsskolan"]
    assert len(report["groups"]["added"]) == 20
    assert report["notes"] == ["Lisa Utan (Lärare at Ängslättsskolan) has no work e-mail; left out"]
    assert stored["units"] == {
        "Solrosens förskola": ("preschool", ["FS"]),
        "Ängslättsskolan": ("school", ["FKLASS", "GR"]),
        "Strandgymnasiet": ("school", ["GY"]),
    }
    assert stored["groups"] == fake.SAMPLE_CLASSES
    assert stored["teaching"] == {name: sorted(g) for name, g in fake.SAMPLE_TEACHING.items()}
    assert published == FIRST_IMPORT
    assert ss12000.requests.count("persons") > 1, "the persons came in several pages"


async def test_no_pupil_is_named_anywhere_in_the_directorys_schema(
    directory: httpx.AsyncClient, ss12000_url: str, servers: Servers, env: dict[str, str]
) -> None:
    assert (await import_ss12000(directory, ss12000_url)).status_code == 200
    schema = env["DB_SCHEMA"]
    tables = query(
        servers.database_url,
        "select table_name from information_schema.tables where table_schema = %s",
        schema,
    )
    stored = "".join(
        str(query(servers.database_url, f'select t::text from "{schema}"."{table}" t'))
        for (table,) in tables
    )
    assert "Karin" in stored, "the staff are there"
    assert fake.PUPIL_FAMILY_NAME not in stored
    assert "Elev1" not in stored
    assert re.search(r"2015\d\d01-\d{4}", stored) is None, "no civic number"


async def test_a_re_import_reports_exactly_the_differences_and_publishes_only_them(
    directory: httpx.AsyncClient,
    ss12000: Any,
    ss12000_url: str,
    servers: Servers,
    env: dict[str, str],
) -> None:
    assert (await import_ss12000(directory, ss12000_url)).status_code == 200
    again = (await import_ss12000(directory, ss12000_url)).json()
    ss12000.year = fake.changed_school_year()
    before = await listed(directory)
    dry_run = (await import_ss12000(directory, ss12000_url, dry_run=True)).json()
    after_dry_run = await listed(directory)
    changed = (await import_ss12000(directory, ss12000_url)).json()
    stored = await listed(directory)
    published = await events(servers, env, expect=sum(FIRST_IMPORT.values()) + 7)

    nothing = {"added": [], "changed": [], "removed": []}
    assert [again[kind] for kind in ("units", "groups", "teachers", "assignments")] == [nothing] * 4
    assert after_dry_run == before, "a dry run writes nothing"
    assert dry_run["dry_run"] is True
    for report in (dry_run, changed):
        assert {kind: report[kind] for kind in fake.CHANGES_REPORTED} == fake.CHANGES_REPORTED
    assert stored["groups"]["3A"] == ("grade_3", 21)
    assert stored["groups"]["1C"] == ("grade_1", 18)
    assert "SA3" not in stored["groups"]
    assert stored["teaching"]["Jonas Ek"] == ["NA1"]
    assert published == Counter(FIRST_IMPORT) + Counter(
        GroupRegistered=1, GroupUpdated=2, GroupRemoved=1, TeacherUpdated=1, TeacherUnassigned=2
    )


async def test_an_ss12000_server_failing_halfway_leaves_the_previous_data_intact(
    directory: httpx.AsyncClient,
    ss12000: Any,
    ss12000_url: str,
    servers: Servers,
    env: dict[str, str],
) -> None:
    assert (await import_ss12000(directory, ss12000_url)).status_code == 200
    before = await listed(directory)
    ss12000.year = fake.changed_school_year()
    ss12000.fail_on = ("persons", 3)
    failed = await import_ss12000(directory, ss12000_url)
    refused = await import_ss12000(directory, ss12000_url, token="expired-token")
    after = await listed(directory)
    published = await events(servers, env, expect=sum(FIRST_IMPORT.values()))

    assert failed.status_code == 502
    assert failed.headers["content-type"] == "application/problem+json"
    assert failed.json()["detail"] == (
        "the SS 12000 server failed on /persons page 3 (HTTP 500: the student register is "
        "being rebuilt); nothing was changed"
    )
    assert refused.status_code == 422
    assert "refused the token (HTTP 401" in refused.json()["detail"]
    assert after == before
    assert published == FIRST_IMPORT


def demo_files(**replaced: str) -> dict[str, str]:
    texts = {name: (DEMO / f"{name}.csv").read_text() for name in ("units", "groups", "teachers")}
    return texts | replaced


async def test_a_csv_with_one_bad_line_writes_nothing_and_names_the_line(
    directory: httpx.AsyncClient, servers: Servers, env: dict[str, str]
) -> None:
    demo = demo_files()
    bad_groups = demo["groups"].replace("ANG-2A,ANG,2A,grade_2,24", "ANG-2A,ANG,2A,grade two,24")
    refused = await directory.post(
        "/imports/csv", json=demo | {"groups": bad_groups}, headers=admin()
    )
    stored = await listed(directory)
    published = await events(servers, env, expect=1)

    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "file": "groups.csv",
            "line": 6,
            "column": "target_group",
            "message": "'grade two' is not a target group; use one of preschool_1_2, "
            "preschool_3_5, preschool_class, grade_1, grade_2, grade_3, grade_4, grade_5, "
            "grade_6, grade_7, grade_8, grade_9, upper_secondary_1, upper_secondary_2, "
            "upper_secondary_3, elderly_care, other",
        }
    ]
    assert refused.json()["detail"].startswith("groups.csv line 6, column target_group: ")
    assert refused.json()["detail"].endswith("; nothing was imported")
    assert stored == {"units": {}, "groups": {}, "teaching": {}}
    assert published == {"MunicipalityRegistered": 1}

    imported = await directory.post("/imports/csv", json=demo, headers=admin())
    again = await directory.post("/imports/csv", json=demo, headers=admin())
    assert imported.status_code == 200, imported.text
    assert [len(imported.json()[kind]["added"]) for kind in ("units", "groups", "teachers")] == [
        4, 12, 8,
    ]  # fmt: skip
    assert again.status_code == 200
    assert not any(again.json()[kind][change] for kind in ("units", "groups", "teachers")
                   for change in ("added", "changed", "removed"))  # fmt: skip


async def test_a_unit_outside_the_municipalitys_area_is_refused_with_its_line_and_nothing_written(
    directory: httpx.AsyncClient, servers: Servers, env: dict[str, str]
) -> None:
    area = {"south": 55.5, "north": 55.7, "west": 12.85, "east": 13.2}
    bad_area = await directory.patch(
        "/municipality", json={"area": area | {"south": 56}}, headers=admin()
    )
    assert bad_area.status_code == 422 and "south must be below north" in bad_area.text
    kept = await directory.patch("/municipality", json={"area": area}, headers=admin())
    assert kept.status_code == 200 and kept.json()["area"] == area

    demo = demo_files()
    swapped = demo["units"].replace("55.6050,12.9900", "12.9900,55.6050")
    refused = await directory.post("/imports/csv", json=demo | {"units": swapped}, headers=admin())
    assert refused.status_code == 422
    assert [(e["file"], e["line"], e["column"]) for e in refused.json()["errors"]] == [
        ("units.csv", 4, "latitude"),
        ("units.csv", 4, "longitude"),
    ]
    assert refused.json()["detail"].startswith(
        "units.csv line 4, column latitude: 12.99, 55.605 lies outside the municipality's area"
    )
    assert await listed(directory) == {"units": {}, "groups": {}, "teaching": {}}
    imported = await directory.post("/imports/csv", json=demo, headers=admin())
    assert imported.status_code == 200 and len(imported.json()["units"]["added"]) == 4


async def test_ss12000_csv_and_units_added_by_hand_live_side_by_side(
    directory: httpx.AsyncClient, ss12000_url: str
) -> None:
    by_hand = {"name": "Rosengårds träffpunkt", "kind": "elderly_care_home"}
    assert (await directory.post("/schools", json=by_hand, headers=admin())).status_code == 201
    from_ss12000 = await import_ss12000(directory, ss12000_url)
    from_csv = await directory.post("/imports/csv", json=demo_files(), headers=admin())
    again = await import_ss12000(directory, ss12000_url)
    units = (await directory.get("/schools", headers=admin())).json()
    groups = (await directory.get("/groups", headers=admin())).json()

    assert from_ss12000.json()["units"]["removed"] == []
    assert from_csv.json()["units"]["removed"] == []
    assert again.json()["groups"] == {"added": [], "changed": [], "removed": []}
    assert len(units) == 1 + 3 + 4, "Ängslättsskolan is in both sources, and so there twice"
    assert len(groups) == 20 + 12


async def test_a_teacher_lists_only_the_groups_they_teach(directory: httpx.AsyncClient) -> None:
    assert (await directory.post("/imports/csv", json=demo_files(), headers=admin())).is_success
    teachers = (await directory.get("/teachers", headers=admin())).json()
    maria = next(t["id"] for t in teachers if t["name"] == "Maria Lindqvist")

    async def group_names(headers: dict[str, str]) -> list[str]:
        answer = await directory.get("/groups", params={"limit": 500}, headers=headers)
        assert answer.status_code == 200, answer.text
        return sorted(group["name"] for group in answer.json())

    def teacher(subject: str) -> dict[str, str]:
        return identity_headers("teacher", "malmo", subject=subject)

    assert await group_names(teacher(maria)) == ["Rävungarna", "Småfåglarna"]
    assert await group_names(teacher(str(uuid4()))) == [], "a teacher who teaches no group"
    assert await group_names(teacher("not-a-teacher")) == []
    assert len(await group_names(admin())) == 12
    assert len(await group_names(identity_headers("analyst", "malmo"))) == 12


def kulturbro(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kulturbro_cli", *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_command_line_imports_and_refuses_in_lines_a_person_reads(
    ss12000_url: str, servers: Servers, env: dict[str, str], tmp_path: Path
) -> None:
    service = load_service("directory")
    service.migrate(service_settings(service, env))
    registered = kulturbro(
        env, "municipality", "add", "malmo", "--name", "Malmö stad", "--language", "sv",
        "--district", "Öster",
    )  # fmt: skip
    source = ["--municipality", "malmo", "--url", ss12000_url, "--token", "test-token"]
    dry_run = kulturbro(env, "import", "ss12000", *source, "--dry-run")
    imported = kulturbro(env, "import", "ss12000", *source)
    refused = kulturbro(env, "import", "ss12000", *source[:-1], "wrong-token")
    unknown = kulturbro(env, "import", "ss12000", *source[:1], "lund", *source[2:])
    (tmp_path / "units.csv").write_text("id,name,kind\nH1,Lindgården,care home\n")
    (tmp_path / "groups.csv").write_text("id,unit_id,name,target_group,size\n")
    (tmp_path / "teachers.csv").write_text("id,name,email\n")
    csv_files = [f"--{name}={tmp_path / name}.csv" for name in ("units", "groups", "teachers")]
    bad_csv = kulturbro(env, "import", "csv", "--municipality", "malmo", *csv_files)
    published = await events(servers, env, expect=sum(FIRST_IMPORT.values()))

    assert registered.returncode == 0, registered.stderr
    assert registered.stdout == "registered municipality 'malmo' (Malmö stad)\n"
    assert dry_run.returncode == 0, dry_run.stderr
    assert dry_run.stdout.startswith("ss12000 import for 'malmo', a dry run: nothing was written")
    assert "reading persons" in dry_run.stderr, "the progress bar"
    assert imported.returncode == 0, imported.stderr
    assert "groups: 20 added, 0 changed, 0 removed" in imported.stdout
    assert "  + Anna Berg teaches 1B at Ängslättsskolan" in imported.stdout
    assert published == FIRST_IMPORT, "the command sent its events"
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr.splitlines() == [
        "kulturbro import: the SS 12000 server refused the token (HTTP 401 on /organisations "
        "page 1); check that it is valid and may read organisations, groups, persons, duties "
        "and activities",
        "kulturbro import: nothing was changed",
    ]
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("kulturbro import: municipality 'lund' is not registered")
    assert bad_csv.returncode == 2
    assert bad_csv.stderr.splitlines()[0] == (
        "kulturbro import: units.csv line 2, column kind: 'care home' is not a kind of unit; "
        "use one of preschool, school, elderly_care_home"
    )
    assert "Traceback" not in refused.stderr + unknown.stderr + bad_csv.stderr
