"""A small SS 12000 server for tests: Skolverket's resources in pageToken pages behind a bearer
token, in Skolverket's form or the standard's own, a sample municipality to serve, and a switch
that makes it fail halfway.

Ids are derived from names, so the same school year built twice has the same ids, as a real
server's would be from one import to the next.
"""

import base64
import enum
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, FastAPI, Header, Query
from fastapi.responses import JSONResponse

from kulturbro_devstack.ports import free_port

NAMESPACE = uuid.UUID("0b7e7c1e-5f4e-4f57-9a51-6d1a3c2c9b10")
META = {"created": "2026-08-01T08:00:00+02:00", "modified": "2026-08-01T08:00:00+02:00"}
PUPIL_FAMILY_NAME = "Hemlighetsson"  # no pupil's name may reach the directory's tables
RESOURCES = ("organisations", "groups", "persons", "duties", "activities")


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


@dataclass
class SchoolYear:
    """What one SS 12000 server knows, as Skolverket's API serves it."""

    organisations: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    persons: list[dict[str, Any]] = field(default_factory=list)
    duties: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)

    def school(self, name: str, code: str) -> str:
        self.organisations.append(
            {"id": _id("org", name), "meta": META, "displayName": name, "schoolUnitCode": code}
        )
        return _id("org", name)

    def group(
        self,
        school: str,
        name: str,
        school_type: str,
        school_year: int | None,
        pupils: int,
        group_type: str = "Klass",
    ) -> str:
        group_id = _id("group", school, name)
        self.groups.append(
            {
                "id": group_id,
                "meta": META,
                "displayName": name,
                "groupType": group_type,
                "schoolType": school_type,
                "organisation": {"id": school},
                "groupMemberships": [],
            }
        )
        self.add_pupils(name, pupils, school_type, school_year)
        return group_id

    def add_pupils(
        self, group_name: str, count: int, school_type: str, school_year: int | None
    ) -> None:
        group = self.group_named(group_name)
        school = group["organisation"]["id"]
        for _ in range(count):
            number = len(group["groupMemberships"]) + 1
            pupil = _id("pupil", group["id"], number)
            enrolment: dict[str, Any] = {
                "enroledAt": {"id": school},
                "schoolType": school_type,
            }
            if school_year is not None:
                enrolment["schoolYear"] = school_year
            self.persons.append(
                {
                    "id": pupil,
                    "meta": META,
                    "givenName": f"Elev{number}",
                    "familyName": PUPIL_FAMILY_NAME,
                    "eduPersonPrincipalNames": [f"elev{number}.{pupil[:8]}@skola.example"],
                    "civicNo": {"value": f"2015{number % 12 + 1:02d}01-{number:04d}"},
                    "emails": [{"value": f"elev{number}@elev.example", "type": "Skola elev"}],
                    "enrolments": [enrolment],
                }
            )
            group["groupMemberships"].append({"person": {"id": pupil}})

    def staff(
        self, school: str, given: str, family: str, email: str | None, role: str = "Lärare"
    ) -> str:
        person = _id("staff", given, family)
        if not any(p["id"] == person for p in self.persons):
            emails = [{"value": email, "type": "Skola personal"}] if email else []
            self.persons.append(
                {
                    "id": person,
                    "meta": META,
                    "givenName": given,
                    "familyName": family,
                    "eduPersonPrincipalNames": [f"{given}.{family}@skola.example".lower()],
                    "civicNo": {"value": "19800101-0000"},
                    "emails": emails,
                }
            )
        duty = _id("duty", person, school)
        self.duties.append(
            {
                "id": duty,
                "meta": META,
                "person": {"id": person},
                "dutyAt": {"id": school},
                "dutyRole": role,
            }
        )
        return duty

    def teaches(self, duty: str, *group_names: str, subject: str = "Undervisning") -> None:
        groups = [self.group_named(name) for name in group_names]
        self.activities.append(
            {
                "id": _id("activity", duty, *group_names),
                "meta": META,
                "displayName": subject,
                "activityType": "Undervisning",
                "groups": [{"id": group["id"]} for group in groups],
                "teachers": [{"duty": {"id": duty}}],
                "organisation": groups[0]["organisation"],
            }
        )

    def group_named(self, name: str) -> dict[str, Any]:
        return next(group for group in self.groups if group["displayName"] == name)

    def person_named(self, given: str, family: str) -> dict[str, Any]:
        return next(p for p in self.persons if (p["givenName"], p["familyName"]) == (given, family))

    def remove_group(self, name: str) -> None:
        group = self.group_named(name)
        self.groups.remove(group)
        for activity in self.activities:
            activity["groups"] = [g for g in activity["groups"] if g["id"] != group["id"]]
        self.activities = [a for a in self.activities if a["groups"]]

    def stop_teaching(self, duty: str, group_name: str) -> None:
        group = self.group_named(group_name)
        for activity in self.activities:
            if {"duty": {"id": duty}} in activity["teachers"]:
                activity["groups"] = [g for g in activity["groups"] if g["id"] != group["id"]]
        self.activities = [a for a in self.activities if a["groups"]]


@dataclass(frozen=True)
class Sample:
    """The sample municipality and the duties of its teachers, by name."""

    year: SchoolYear
    duties: dict[str, str]


def sample_school_year() -> Sample:
    """Three schools with twenty classes between them, their pupils and their teachers."""
    year = SchoolYear()
    duties: dict[str, str] = {}
    preschool = year.school("Solrosens förskola", "10000001")
    for name, pupils in (("Blåbär", 14), ("Lingon", 16), ("Hallon", 12)):
        year.group(preschool, name, "FS", None, pupils, group_type="Avdelning")
    school = year.school("Ängslättsskolan", "10000002")
    year.group(school, "FA", "FKLASS", 0, 22)
    for grade, name in enumerate(("1A", "2A", "3A", "4A", "5A", "6A", "7A", "8A", "9A"), 1):
        year.group(school, name, "GR", grade, 20 + grade % 3)
    year.group(school, "1B", "GR", 1, 19)
    year.add_pupils("4A", 2, "GR", 5)  # repeating a year: still a grade 4 class
    year.group(school, "Ma 7", "GR", 7, 12, group_type="Undervisning")  # not a class
    gymnasium = year.school("Strandgymnasiet", "10000003")
    for programme in ("NA", "SA"):
        for grade in (1, 2, 3):
            year.group(gymnasium, f"{programme}{grade}", "GY", grade, 28 + grade)
    teachers = (
        ("Eva", "Holm", preschool, "Förskollärare", ("Blåbär", "Lingon")),
        ("Anna", "Berg", school, "Lärare", ("1A", "1B")),
        ("Karin", "Lund", school, "Lärare", ("4A",)),
        ("Olle", "Nyström", school, "Lärare", ("7A", "8A", "9A")),
        ("Jonas", "Ek", gymnasium, "Lärare", ("NA1", "NA2")),
        ("Sara", "Falk", gymnasium, "Lärare", ("SA3",)),
    )
    for given, family, unit, role, groups in teachers:
        email = f"{given}.{family}@skola.example".lower()
        duties[given] = year.staff(unit, given, family, email, role)
        year.teaches(duties[given], *groups)
    year.teaches(duties["Olle"], "Ma 7", subject="Matematik 7")
    year.staff(school, "Lisa", "Utan", None)  # a teacher without a work e-mail
    year.staff(school, "Per", "Persson", "per.persson@skola.example", role="Rektor")
    year.staff(school, "Kim", "Kock", "kim.kock@skola.example", role="Annan personal")
    return Sample(year, duties)


# What the sample must give: each class's target group and pupil count, and who teaches what.
SAMPLE_CLASSES = {
    "Blåbär": ("preschool_3_5", 14),
    "Lingon": ("preschool_3_5", 16),
    "Hallon": ("preschool_3_5", 12),
    "FA": ("preschool_class", 22),
    "1A": ("grade_1", 21),
    "1B": ("grade_1", 19),
    "2A": ("grade_2", 22),
    "3A": ("grade_3", 20),
    "4A": ("grade_4", 23),
    "5A": ("grade_5", 22),
    "6A": ("grade_6", 20),
    "7A": ("grade_7", 21),
    "8A": ("grade_8", 22),
    "9A": ("grade_9", 20),
    "NA1": ("upper_secondary_1", 29),
    "NA2": ("upper_secondary_2", 30),
    "NA3": ("upper_secondary_3", 31),
    "SA1": ("upper_secondary_1", 29),
    "SA2": ("upper_secondary_2", 30),
    "SA3": ("upper_secondary_3", 31),
}
SAMPLE_TEACHING = {
    "Eva Holm": ["Blåbär", "Lingon"],
    "Anna Berg": ["1A", "1B"],
    "Karin Lund": ["4A"],
    "Olle Nyström": ["7A", "8A", "9A"],
    "Jonas Ek": ["NA1", "NA2"],
    "Sara Falk": ["SA3"],
}


def changed_school_year() -> SchoolYear:
    """The sample a term later: see CHANGES_REPORTED for what an import must make of it."""
    sample = sample_school_year()
    year = sample.year
    year.add_pupils("3A", 1, "GR", 3)
    year.group_named("9A")["displayName"] = "9A Musik"
    year.remove_group("SA3")
    year.group(year.organisations[1]["id"], "1C", "GR", 1, 18)
    karin = year.person_named("Karin", "Lund")
    karin["emails"] = [{"value": "karin.lund@angslatt.example", "type": "Skola personal"}]
    year.stop_teaching(sample.duties["Jonas"], "NA2")
    return year


CHANGES_REPORTED = {
    "units": {"added": [], "changed": [], "removed": []},
    "groups": {
        "added": ["1C at Ängslättsskolan"],
        "changed": [
            "3A at Ängslättsskolan: size 20 → 21",
            "9A at Ängslättsskolan: name '9A' → '9A Musik'",
        ],
        "removed": ["SA3 at Strandgymnasiet"],
    },
    "teachers": {
        "added": [],
        "changed": [
            "Karin Lund <karin.lund@skola.example>: email 'karin.lund@skola.example' → "
            "'karin.lund@angslatt.example'"
        ],
        "removed": [],
    },
    "assignments": {
        "added": [],
        "changed": [],
        "removed": [
            "Jonas Ek teaches NA2 at Strandgymnasiet",
            "Sara Falk teaches SA3 at Strandgymnasiet",
        ],
    },
}


class Form(enum.Enum):
    """Where a page lists its items: Skolverket's reference subset sends its organisations in one
    piece under "organisations"; the SIS standard pages every resource under "data"."""

    SKOLVERKET = "skolverket"
    STANDARD = "standard"


class FakeSS12000:
    """Serves a school year under /ss12000 to whoever has the token, `page_size` at a time."""

    def __init__(
        self,
        year: SchoolYear,
        token: str = "test-token",
        page_size: int = 25,
        form: Form = Form.SKOLVERKET,
    ) -> None:
        self.year = year
        self.token = token
        self.page_size = page_size
        self.form = form
        self.fail_on: tuple[str, int] | None = None
        self.requests: list[str] = []
        self.app = FastAPI()
        router = APIRouter(prefix="/ss12000")
        for resource in RESOURCES:
            router.add_api_route(f"/{resource}", self._endpoint(resource), methods=["GET"])
        self.app.include_router(router)

    def _endpoint(self, resource: str) -> Any:
        async def serve(
            authorization: Annotated[str, Header()] = "",
            limit: Annotated[int | None, Query(ge=1)] = None,
            page_token: Annotated[str | None, Query(alias="pageToken")] = None,
        ) -> JSONResponse:
            return self.page(resource, authorization, limit, page_token)

        return serve

    def page(
        self, resource: str, authorization: str, limit: int | None, page_token: str | None
    ) -> JSONResponse:
        self.requests.append(resource)
        if authorization != f"Bearer {self.token}":
            return _error(401, "unauthorized", "the bearer token is missing or wrong")
        items: list[dict[str, Any]] = getattr(self.year, resource)
        if resource == "organisations" and self.form == Form.SKOLVERKET:
            return JSONResponse({"organisations": items})
        start = int(base64.urlsafe_b64decode(page_token).decode()) if page_token else 0
        size = min(limit or self.page_size, self.page_size)
        if self.fail_on == (resource, start // size + 1):
            return _error(500, "internal", "the student register is being rebuilt")
        end = start + size
        next_token = base64.urlsafe_b64encode(str(end).encode()).decode()
        return JSONResponse(
            {"data": items[start:end], "pageToken": next_token if end < len(items) else None}
        )


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app on a real HTTP server in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the fake SS 12000 server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
