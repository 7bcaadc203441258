"""Teachers choose their language and invitations, signed in or through the link in a mail, and
the directory tells the change; a link it did not make changes nothing."""

from collections.abc import AsyncIterator

import httpx
import pytest

from kulturbro_cli.services import load_service
from kulturbro_contracts import Event, parse_event
from kulturbro_devstack.testing import (
    TEST_SECRET,
    Servers,
    identity_headers,
    read_topic,
    running,
    service_env,
    service_settings,
)
from kulturbro_runtime.mail_links import UNSUBSCRIBE, MailLink, sign_mail_link

pytestmark = pytest.mark.integration

MALMO = {
    "id": "malmo",
    "name": "Malmö stad",
    "languages": ["sv", "fi", "en"],
    "time_zone": "Europe/Stockholm",
}
PORI = {"id": "pori", "name": "Porin kaupunki", "languages": ["fi"], "time_zone": "Europe/Helsinki"}
TEACHERS = (
    "id,name,email,language,invitations\n"
    "T1,Maria Lindqvist,maria.lindqvist@malmo.example,sv,immediate\n"
    "T2,Aino Virtanen,aino.virtanen@malmo.example,fi,weekly_digest\n"
)
# What importing them tells: the municipality and its two teachers.
IMPORTED_EVENTS = 3
GONE = "the teacher this link was made for is no longer in the directory; nothing to unsubscribe"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
FROM_BROWSER = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


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


@pytest.fixture
async def teachers(directory: httpx.AsyncClient) -> dict[str, str]:
    """Malmö's teachers by first name, with their directory ids."""
    operator = identity_headers("operator", None)
    assert (await directory.post("/municipalities", json=MALMO, headers=operator)).is_success
    files = {"units": "id,name,kind\n", "groups": "id,unit_id,name,target_group,size\n"}
    imported = await directory.post(
        "/imports/csv", json=files | {"teachers": TEACHERS}, headers=admin()
    )
    assert imported.status_code == 200, imported.text
    listed = (await directory.get("/teachers", headers=admin())).json()
    return {teacher["name"].split()[0]: teacher["id"] for teacher in listed}


def admin(municipality: str = "malmo") -> dict[str, str]:
    return identity_headers("administrator", municipality)


def signed_in(teacher_id: str, municipality: str = "malmo") -> dict[str, str]:
    return identity_headers("teacher", municipality, subject=teacher_id)


def link(
    teacher_id: str,
    municipality: str = "malmo",
    purpose: str = UNSUBSCRIBE,
    secret: str = TEST_SECRET,
) -> dict[str, str]:
    """The query of the link in a mail to this teacher."""
    made = MailLink(purpose=purpose, municipality_id=municipality, subject_id=teacher_id)
    return {"token": sign_mail_link(made, secret)}


async def told(servers: Servers, topic: str, expect: int) -> list[Event]:
    records = await read_topic(servers.kafka_bootstrap_servers, topic, expect=expect)
    return [parse_event(record.value) for record in records]


async def test_a_teacher_reads_and_changes_her_preferences_and_the_change_is_told(
    directory: httpx.AsyncClient, teachers: dict[str, str], servers: Servers, topic: str
) -> None:
    maria = signed_in(teachers["Maria"])
    wanted = {"language": "en", "invitations": "weekly_digest"}

    before = await directory.get("/me/preferences", headers=maria)
    changed = await directory.patch("/me/preferences", json=wanted, headers=maria)
    again = await directory.patch("/me/preferences", json=wanted, headers=maria)
    only_language = await directory.patch("/me/preferences", json={"language": "sv"}, headers=maria)
    events = await told(servers, topic, expect=IMPORTED_EVENTS + 2)

    assert before.json() == {"language": "sv", "invitations": "immediate"}
    assert changed.status_code == 200, changed.text
    assert changed.json() == again.json() == wanted
    assert only_language.json() == {"language": "sv", "invitations": "weekly_digest"}
    assert len(events) == IMPORTED_EVENTS + 2, "the same choice again tells nothing"
    updates = [e for e in events if e.event_type == "TeacherUpdated"]
    assert [(e.municipality_id, e.payload.model_dump(mode="json")) for e in updates] == [
        ("malmo", {"teacher_id": teachers["Maria"], "name": "Maria Lindqvist",
                   "email": "maria.lindqvist@malmo.example"} | wanted),
        ("malmo", {"teacher_id": teachers["Maria"], "name": "Maria Lindqvist",
                   "email": "maria.lindqvist@malmo.example", "language": "sv",
                   "invitations": "weekly_digest"}),
    ]  # fmt: skip


async def test_a_wrong_change_is_refused_saying_what_to_send(
    directory: httpx.AsyncClient, teachers: dict[str, str]
) -> None:
    maria = signed_in(teachers["Maria"])
    languages = {"languages": ["sv", "en"]}
    assert (await directory.patch("/municipality", json=languages, headers=admin())).is_success

    def fields(answer: httpx.Response) -> dict[str, str]:
        assert answer.status_code == 422, answer.text
        return {e["field"]: e["message"] for e in answer.json()["errors"]}

    nothing = await directory.patch("/me/preferences", json={}, headers=maria)
    nulls = await directory.patch("/me/preferences", json={"language": None}, headers=maria)
    unknown = await directory.patch(
        "/me/preferences", json={"invitations": "sometimes"}, headers=maria
    )
    extra = await directory.patch(
        "/me/preferences", json={"language": "sv", "email": "x@y.example"}, headers=maria
    )
    not_offered = await directory.patch("/me/preferences", json={"language": "fi"}, headers=maria)
    by_admin = await directory.get("/me/preferences", headers=admin())
    not_a_teacher_id = await directory.get("/me/preferences", headers=signed_in("tester"))

    assert fields(nothing) == fields(nulls) == {"": "give language, invitations or both"}
    assert list(fields(unknown)) == ["invitations"]
    assert fields(extra) == {"email": "Extra inputs are not permitted"}
    assert not_offered.status_code == 422
    assert not_offered.json()["detail"] == (
        "language: 'fi' is not one of the municipality's languages; choose one of sv, en"
    )
    assert by_admin.status_code == 403
    assert not_a_teacher_id.status_code == 404
    assert not_a_teacher_id.json()["detail"] == (
        "you are not in the directory of malmo; its administrator adds teachers by importing them"
    )
    read = await directory.get("/me/preferences", headers=maria)
    assert read.json() == {"language": "sv", "invitations": "immediate"}


async def test_another_municipality_neither_sees_nor_changes_her_preferences(
    directory: httpx.AsyncClient, teachers: dict[str, str]
) -> None:
    operator = identity_headers("operator", None)
    assert (await directory.post("/municipalities", json=PORI, headers=operator)).is_success
    from_pori = signed_in(teachers["Maria"], "pori")

    seen = await directory.get("/me/preferences", headers=from_pori)
    changed = await directory.patch(
        "/me/preferences", json={"invitations": "none"}, headers=from_pori
    )
    page = await directory.get("/unsubscribe", params=link(teachers["Maria"], "pori"))
    unsubscribed = await directory.post(
        "/unsubscribe", params=link(teachers["Maria"], "pori"), data=ONE_CLICK
    )

    assert (seen.status_code, changed.status_code) == (404, 404)
    assert seen.json()["detail"].startswith("you are not in the directory of pori")
    assert (page.status_code, unsubscribed.status_code) == (404, 404)
    assert unsubscribed.json()["detail"] == GONE
    read = await directory.get("/me/preferences", headers=signed_in(teachers["Maria"]))
    assert read.json() == {"language": "sv", "invitations": "immediate"}


async def test_the_one_click_link_stops_invitations_and_opening_it_changes_nothing(
    directory: httpx.AsyncClient, teachers: dict[str, str], servers: Servers, topic: str
) -> None:
    maria = link(teachers["Maria"])

    page = await directory.get("/unsubscribe", params=maria)
    opened = await directory.get("/me/preferences", headers=signed_in(teachers["Maria"]))
    one_click = await directory.post("/unsubscribe", params=maria, data=ONE_CLICK)
    again = await directory.post("/unsubscribe", params=maria, data=ONE_CLICK)
    clicked = await directory.get("/me/preferences", headers=signed_in(teachers["Maria"]))
    events = await told(servers, topic, expect=IMPORTED_EVENTS + 1)

    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in page.text
    assert "Vill du sluta få inbjudningar från Kulturbro?" in page.text
    assert '<form method="post">' in page.text
    assert 'name="invitations" value="weekly_digest">Skicka en sammanfattning' in page.text
    assert 'name="invitations" value="none">Inga fler inbjudningar' in page.text
    assert "://" not in page.text, "the page loads nothing from elsewhere"
    assert opened.json()["invitations"] == "immediate", "opening the link changes nothing"
    assert (one_click.status_code, again.status_code) == (200, 200)
    assert one_click.json() == again.json() == {"invitations": "none"}
    assert clicked.json() == {"language": "sv", "invitations": "none"}
    assert len(events) == IMPORTED_EVENTS + 1, "a repeated click tells nothing"
    assert events[-1].event_type == "TeacherUpdated"
    assert events[-1].payload.model_dump(mode="json") == {
        "teacher_id": teachers["Maria"], "name": "Maria Lindqvist",
        "email": "maria.lindqvist@malmo.example", "language": "sv", "invitations": "none",
    }  # fmt: skip


async def test_the_page_s_buttons_choose_and_answer_in_the_teacher_s_language(
    directory: httpx.AsyncClient, teachers: dict[str, str]
) -> None:
    maria, aino = link(teachers["Maria"]), link(teachers["Aino"])
    multipart = b'--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
    multipart += b"One-Click\r\n--b--\r\n"

    weekly = await directory.post(
        "/unsubscribe", params=maria, data={"invitations": "weekly_digest"}, headers=FROM_BROWSER
    )
    at_once = await directory.post("/unsubscribe", params=maria, data={"invitations": "immediate"})
    aino_page = await directory.get("/unsubscribe", params=aino)
    aino_one_click = await directory.post(
        "/unsubscribe",
        params=aino,
        content=multipart,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )

    assert weekly.status_code == 200, weekly.text
    assert '<html lang="sv">' in weekly.text
    assert "Klart: du får en sammanfattning av inbjudningarna en gång i veckan." in weekly.text
    assert at_once.status_code == 400
    assert at_once.json()["detail"] == (
        "invitations: 'immediate' is not a choice here; send weekly_digest or none "
        "(to get invitations at once again, sign in and change your preferences)"
    )
    assert '<html lang="fi">' in aino_page.text
    assert "Haluatko lopettaa Kulturbron kutsujen vastaanottamisen?" in aino_page.text
    assert aino_one_click.json() == {"invitations": "none"}
    for name, invitations in (("Maria", "weekly_digest"), ("Aino", "none")):
        read = await directory.get("/me/preferences", headers=signed_in(teachers[name]))
        assert read.json()["invitations"] == invitations


async def test_a_link_we_did_not_make_changes_nothing(
    directory: httpx.AsyncClient, teachers: dict[str, str]
) -> None:
    maria, aino = teachers["Maria"], teachers["Aino"]
    mismatch = "the link's signature does not match: use the link from the mail"
    genuine = link(maria)["token"]
    body_for_aino = link(aino)["token"].split(".")[0]
    refused = {
        "signed with another secret": (link(maria, secret="x" * 40), mismatch),
        "another teacher's body": ({"token": f"{body_for_aino}.{genuine.split('.')[1]}"}, mismatch),
        "cut short": ({"token": genuine[:-1]}, mismatch),
        "not even ASCII": (
            {"token": "å.ä"},
            "the link is not readable: use the link from the mail",
        ),
        "another purpose": (
            link(maria, purpose="sign-in"),
            "the link is for sign-in, not unsubscribe",
        ),
    }
    for case, (query, detail) in refused.items():
        for method in ("GET", "POST"):
            answer = await directory.request(method, "/unsubscribe", params=query, data=ONE_CLICK)
            assert answer.status_code == 400, f"{method} {case}: {answer.text}"
            assert answer.json()["detail"] == detail, f"{method} {case}"
    missing = await directory.post("/unsubscribe", data=ONE_CLICK)
    too_long = await directory.post("/unsubscribe", params={"token": "x" * 1001}, data=ONE_CLICK)

    assert missing.status_code == too_long.status_code == 422
    assert missing.json()["errors"][0]["field"] == "token"
    for teacher_id in (maria, aino):
        read = await directory.get("/me/preferences", headers=signed_in(teacher_id))
        assert read.json()["invitations"] != "none"
