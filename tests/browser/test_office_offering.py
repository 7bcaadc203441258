"""The culture office's offering in Chromium over the real platform: its organizers (a new one
registered after a refusal beside its field, a person invited who signs in from the mailed link
and publishes for it, one found by words) and its draws (a fair draw of four requests read in the
order it served them, with the same seed as its downloaded record); axe-core in sv, fi and en;
no other role sees any of it."""

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect

from kulturbro_devstack.testing import Servers, wait_until

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
TITLE = {
    "sv": "Trollflöjten för fyror",
    "fi": "Taikahuilu neljäsluokkalaisille",
    "en": "The Magic Flute",
}
# Four classes ask for one occurrence of 52 seats (each class 24 pupils and 2 adults): two fit.
# Söderskolan asked once and Norrskolan three times: each school's first request comes first.
CLASSES = (("N1", "NOR"), ("N2", "NOR"), ("N3", "NOR"), ("S1", "SOD"))


def the_files(teachers: dict[str, str]) -> dict[str, Any]:
    return {
        "units": (
            "id,name,kind,district\nNOR,Norrskolan,school,Centrum\nSOD,Söderskolan,school,Centrum\n"
        ),
        "groups": "id,unit_id,name,target_group,size\n"
        + "".join(f"{group},{unit},4{group},grade_4,24\n" for group, unit in CLASSES),
        "teachers": "id,name,email,language,invitations,groups\n"
        + "".join(
            f"T{group},Lärare {group},{email},sv,immediate,{group}\n"
            for group, email in teachers.items()
        ),
        "dry_run": False,
    }


def until(check: Callable[[], bool], what: str, seconds: float = 60) -> None:
    wait_until(check, what, seconds)


def in_the_gateways_copy(servers: Servers, live_site: LiveSite, organizer_id: str) -> bool:
    schema = live_site.schemas["gateway"]
    with psycopg.connect(servers.database_url, autocommit=True) as connection:
        found = connection.execute(
            f'select 1 from "{schema}".replica_organizer where organizer_id = %s', (organizer_id,)
        ).fetchone()
    return found is not None


@pytest.fixture(scope="module")
def drawn_event(live_site: LiveSite, api_headers: Callable[[str], dict[str, str]]) -> Iterator[str]:
    """A fair-draw event of the live site's theatre that four classes asked for and a draw
    decided when its window closed; yields its id."""
    teachers = {
        group: f"t{group.lower()}-{uuid.uuid4().hex[:6]}@example.org" for group, _ in CLASSES
    }
    office, theatre = api_headers(live_site.administrator), api_headers(live_site.organizer)
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        imported = http.post("/api/directory/imports/csv", json=the_files(teachers), headers=office)
        assert imported.status_code == 200, imported.text
        signed_in = {group: api_headers(email) for group, email in teachers.items()}
        starts = (datetime.now(UTC) + timedelta(days=40)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        event = {
            "title": TITLE,
            "description": {"sv": "Mozart för nioåringar."},
            "category": "music",
            "target_groups": ["grade_4"],
            "duration_minutes": 60,
            "venue": {"name": "Operan", "district": "Centrum"},
            "max_group_size": 30,
            "adults_per_group": 2,
            "booking_policy": "fair_draw",
            "booking_opens_at": datetime.now(UTC).isoformat(),
            "booking_closes_at": (datetime.now(UTC) + timedelta(seconds=25)).isoformat(),
            "occurrences": [
                {
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "capacity": 52,
                    "language": "sv",
                }
            ],
        }
        drafted = http.post("/api/catalog/events", json=event, headers=theatre)
        assert drafted.status_code == 201, drafted.text
        event_id = drafted.json()["id"]
        published = http.post(f"/api/catalog/events/{event_id}/publish", headers=theatre)
        assert published.status_code == 200, published.text
        occurrence = published.json()["occurrences"][0]["id"]
        for group, headers in signed_in.items():
            group_id = http.get("/api/directory/groups", headers=headers).json()[0]["id"]
            body = {
                "group_id": group_id, "event_id": event_id, "occurrence_ids": [occurrence],
                "pupils": 24, "adults": 2, "wheelchair_places": 0, "wants_bus": False, "note": "",
            }  # fmt: skip

            def booked(body: dict[str, Any] = body, headers: dict[str, str] = headers) -> bool:
                # The booking service learns the group and the event from the bus a moment later.
                answer = http.post("/api/booking/bookings", json=body, headers=headers)
                assert answer.status_code in (202, 404, 422), answer.text
                return answer.status_code == 202

            until(booked, f"booked for {group}", 20)

        def drawn() -> bool:
            found = http.get("/api/allocation/draws", headers=office).json()
            return any(d["event_id"] == event_id and d["state"] == "drawn" for d in found)

        until(drawn, "drawn after its window closed")
    yield event_id


def test_an_office_reads_a_draw_in_the_order_it_served_the_requests(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    drawn_event: str,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.administrator)
    page.get_by_role("link", name="Draws").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draws")
    row = page.get_by_role("row").filter(has_text=TITLE["en"])
    expect(row).to_contain_text("4")  # requests
    row.get_by_role("link", name="read the audit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"The draw of {TITLE['en']}")
    served = page.get_by_role("table", name="Each request and what it got").locator("tbody tr")
    expect(served).to_have_count(4)
    turns = [served.nth(n).locator("td").all_inner_texts() for n in range(4)]
    assert [turn[0] for turn in turns] == ["1", "2", "3", "4"], "in the order the draw served"
    # Each school's first request comes before any school's second: both schools get seats.
    assert {(turn[1].split(",")[0], turn[-1].strip()) for turn in turns[:2]} == {
        ("Norrskolan", "Seats at choice 1"),
        ("Söderskolan", "Seats at choice 1"),
    }
    assert [turn[-1].strip() for turn in turns[2:]] == [
        "Waiting list, place 1",
        "Waiting list, place 2",
    ]
    shown_seed = page.locator("dd code").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything the draw saw and decided (JSON)").click()
    record = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert str(record["seed"]) == shown_seed
    assert len(record["inputs"]["requests"]) == 4, "the file holds what the draw saw"
    for language in ("en", "sv", "fi"):
        for path in ("/office/draws", f"/office/draws/{drawn_event}"):
            page.goto(f"{live_site.url}/language?to={language}&next={path}")
            assert_accessible(page)


def test_an_office_registers_an_organizer_and_invites_a_person_who_publishes_for_it(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    servers: Servers,
    mailbox: Callable[[str], list[str]],
    browser: Any,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.administrator)
    page.goto(f"{live_site.url}/office/organizers")
    theatre = page.get_by_role("row").filter(has_text="Stadsteatern")
    expect(theatre).to_contain_text(live_site.organizer)  # who publishes for it
    name = f"Dansgruppen {uuid.uuid4().hex[:4]}"
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Kind").select_option("artist")
    page.get_by_label("E-mail for bookings").fill("dans@")
    page.get_by_role("button", name="Register the organizer").click()
    field = page.get_by_label("E-mail for bookings")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#contact_email-error")).to_contain_text("Write the address bookings")
    expect(page.get_by_label("Name", exact=True)).to_have_value(name)  # kept
    assert_accessible(page)
    field.fill("dans@example.org")
    page.get_by_role("button", name="Register the organizer").click()
    expect(page.get_by_role("status")).to_contain_text("registered and in the offering")
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("Nobody yet")

    dancer = f"dancer-{uuid.uuid4().hex[:6]}@example.org"
    (registered,) = page.get_by_label("Publishes for").select_option(label=name)
    # The gateway knows an organizer from the bus, a moment after the catalog; sooner, it
    # refuses the invitation as for an organizer it does not know (a loaded full run did).
    until(
        lambda: in_the_gateways_copy(servers, live_site, registered),
        "the new organizer in the gateway's copy",
    )
    page.get_by_label("The person's e-mail").fill(dancer)
    page.get_by_label("Language of the mails").select_option("fi")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text(dancer)
    page.get_by_label("The person's e-mail").fill(dancer)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("#invite_email-error")).to_contain_text("has an account already")

    page.get_by_label("Words in the name").fill("stadstea")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("listitem").filter(has_text="Stadsteatern")).to_contain_text(
        "in our offering"
    )
    for language in ("sv", "fi"):
        page.goto(f"{live_site.url}/language?to={language}&next=/office/organizers?q=stadstea")
        assert_accessible(page)

    until(lambda: bool(mailbox(dancer)), "mailed the invited person a sign-in link", 30)
    context = browser.new_context(locale="fi-FI", timezone_id="Europe/Helsinki")
    invited = context.new_page()
    invited.goto(mailbox(dancer)[-1])
    invited.get_by_role("button").filter(has_text="Kulturbro").click()
    expect(invited).to_have_url(f"{live_site.url}/organizer")
    invited.goto(f"{live_site.url}/organizer/events")
    expect(invited.get_by_role("heading", level=1)).to_be_visible()
    context.close()


def test_no_other_role_sees_the_organizers_or_the_draws(
    signed_in_page: Callable[..., Page], live_site: LiveSite, page: Page
) -> None:
    theatre = signed_in_page(live_site.organizer)
    for path in ("/office/organizers", "/office/draws", f"/office/draws/{uuid.uuid4()}"):
        answer = theatre.goto(f"{live_site.url}{path}")
        assert answer is not None and answer.status == 404, path
        nobody = page.goto(f"{live_site.url}{path}")
        assert nobody is not None and "/sign-in" in nobody.url, path


def test_an_office_sets_the_seats_an_event_holds_for_classes_with_no_visit(
    signed_in_page: Callable[..., Page],
    live_site: LiveSite,
    drawn_event: str,
    assert_accessible: Callable[[Page], None],
) -> None:
    page = signed_in_page(live_site.administrator, "sv")
    page.goto(f"{live_site.url}/office/draws")
    row = page.get_by_role("row").filter(has_text=TITLE["sv"])
    row.get_by_role("link", name="Platser för klasser utan besök").click()
    expect(page.locator("#held_back_share")).to_have_value("15")  # the default
    assert_accessible(page)
    page.locator("#held_back_share").fill("101")
    page.locator("#held_back_release_on").fill("2000-01-01")
    page.get_by_role("button", name="Spara inställningarna").click()
    expect(page.locator("#held_back_share-error")).to_contain_text("0 till 100")
    page.locator("#held_back_share").fill("20")
    page.get_by_role("button", name="Spara inställningarna").click()
    # The catalog refuses a release before the booking window closed, beside the day.
    expect(page.locator("#held_back_release_on-error")).to_contain_text("tidigast dagen efter")
    expect(page.locator("#held_back_share")).to_have_value("20")  # kept as typed
    assert_accessible(page)
    page.locator("#held_back_release_on").fill("")
    page.get_by_role("button", name="Spara inställningarna").click()
    expect(page.get_by_role("status")).to_contain_text("sparade")
    expect(page.locator("#held_back_share")).to_have_value("20")
    expect(page.locator("#held_back_release_on")).not_to_have_value("")  # the usual day shown
