"""The culture bus on the pages, over the real platform with the transport service: a teacher books
with the bus and reads her class's pick-up on the booking's page; the culture office reads the
day's buses stop by stop and moves the class to another bus, refused beside the field where the
bus is too small. Each page passes axe-core; other roles are refused the office's."""

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from kulturbro_devstack.testing import wait_until as until

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture(scope="module")
def live_site_with() -> Mapping[str, Mapping[str, str]]:
    return {"transport": {}}


def a_tuesday_at_ten() -> datetime:
    """Past the bus's 14 days of lead time, in its operating hours."""
    day = datetime.now(UTC).date() + timedelta(days=30)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return datetime.combine(day, time(10), tzinfo=STOCKHOLM)


def test_a_teacher_reads_her_class_pick_up_and_the_office_the_days_buses(
    browser: Browser,
    live_site: LiveSite,
    api_headers: Callable[[str], dict[str, str]],
    mailbox: Callable[[str], list[str]],
    signed_in_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
) -> None:
    anna = f"anna-{uuid.uuid4().hex[:6]}@example.org"
    starts = a_tuesday_at_ten()
    office, theatre = api_headers(live_site.administrator), api_headers(live_site.organizer)
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        fleet = {
            "bus_fleet": [
                {"name": "Buss 1", "seats": 50, "wheelchair_places": 1},
                {"name": "Minibuss", "seats": 10},
                {"name": "Buss 2", "seats": 50},
            ]
        }
        assert http.patch("/api/directory/municipality", json=fleet, headers=office).is_success
        # Buss 2 waits in Lund, farther away: the plan takes Buss 1 from the town's depot.
        depots = {
            "depot_latitude": 55.58,
            "depot_longitude": 13.05,
            "depots": [{"bus": "Buss 2", "latitude": 55.70, "longitude": 13.19}],
        }
        until(
            lambda: http.put("/api/transport/rules", json=depots, headers=office).is_success,
            "the rules set, once transport knows the fleet",
        )
        files = {
            "units": (
                "id,name,kind,district,address,latitude,longitude\n"
                "ROS,Rosengårdsskolan,school,Centrum,Ramels väg 1,55.584,13.043\n"
            ),
            "groups": "id,unit_id,name,target_group,size\nG4A,ROS,4A,grade_4,22\n",
            "teachers": (
                f"id,name,email,language,invitations,groups\nTA,Anna Berg,{anna},sv,none,G4A\n"
            ),
            "dry_run": False,
        }
        imported = http.post("/api/directory/imports/csv", json=files, headers=office)
        assert imported.status_code == 200, imported.text
        event = {
            "title": {"sv": "Musik i stan"},
            "description": {"sv": "En konsert."},
            "category": "music",
            "target_groups": ["grade_4"],
            "duration_minutes": 60,
            "venue": {"name": "Konserthuset", "latitude": 55.605, "longitude": 13.0038},
            "max_group_size": 30,
            "adults_per_group": 1,
            "booking_policy": "instant",
            "occurrences": [
                {
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "capacity": 60,
                    "language": "sv",
                }
            ],
        }
        drafted = http.post("/api/catalog/events", json=event, headers=theatre)
        assert drafted.status_code == 201, drafted.text
        event_id = drafted.json()["id"]
        assert http.post(f"/api/catalog/events/{event_id}/publish", headers=theatre).is_success
        teacher = api_headers(anna)
        (group,) = http.get("/api/directory/groups", headers=teacher).json()
        occurrence = drafted.json()["occurrences"][0]["id"]
        asked = {
            "group_id": group["id"],
            "event_id": event_id,
            "occurrence_ids": [occurrence],
            "pupils": 22,
            "adults": 1,
            "wants_bus": True,
        }
        booking: dict[str, Any] = {}

        def booked() -> bool:
            answer = http.post("/api/booking/bookings", json=asked, headers=teacher)
            booking.update(answer.json())
            return answer.status_code == 202

        until(booked, "booked")

        def scheduled() -> bool:
            bus = http.get(f"/api/transport/bookings/{booking['id']}/bus", headers=teacher)
            return bus.status_code == 200 and bus.json()["trip"] is not None

        until(scheduled, "given a bus", 60)

    # Anna reads the pick-up on her booking's page, signed in from a mailed link.
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    before = len(mailbox(anna))
    page.goto(f"{live_site.url}/sign-in")
    page.locator("#link_email").fill(anna)
    page.locator("#link_email").press("Enter")
    until(lambda: len(mailbox(anna)) > before, "mailed a sign-in link")
    page.goto(mailbox(anna)[-1])
    page.get_by_role("button", name="Logga in i Kulturbro").click()
    page.goto(f"{live_site.url}/bookings/{booking['id']}")
    expect(page.locator("#bus")).to_contain_text("Rosengårdsskolan")
    expect(page.locator("#bus")).to_contain_text("Buss 1")
    assert_accessible(page)
    refused = page.goto(f"{live_site.url}/office/buses")
    assert refused is not None and refused.status == 404
    context.close()

    # The culture office reads the day's buses, stop by stop.
    day = starts.date().isoformat()
    office_page = signed_in_page(live_site.administrator, "sv")
    office_page.goto(f"{live_site.url}/office/buses?day={day}")
    expect(office_page.locator("h2", has_text="Buss 1")).to_have_count(1)
    stops = office_page.locator("section tbody tr")
    expect(stops).to_have_count(4)  # there and back: on and off at each end
    expect(stops.first).to_contain_text("Rosengårdsskolan")
    expect(stops.nth(1)).to_contain_text("Konserthuset")
    expect(office_page.locator("#run-sheet")).to_contain_text("ange bussbolagets e-post")
    bars = office_page.locator("figure.kb-timeline svg rect title")
    expect(bars.first).to_contain_text("23 ombord")  # 22 pupils and their teacher
    assert_accessible(office_page)

    # The office moves the class: the minibus is too small, Buss 2 takes it.
    field = office_page.locator(f"#bus-of-{booking['id']}")
    field.select_option("Minibuss")
    office_page.locator("form.kb-move", has=field).get_by_role("button").click()
    expect(office_page.locator(f"#bus-of-{booking['id']}-error")).to_contain_text("Buss 1")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(office_page.locator("#error-summary")).to_be_visible()
    assert_accessible(office_page)
    field.select_option("Buss 2")
    office_page.locator("form.kb-move", has=field).get_by_role("button").click()
    expect(office_page.locator("h2", has_text="Buss 2")).to_have_count(1)
    expect(office_page.locator("h2", has_text="Buss 1")).to_have_count(0)
    assert "/office/buses?day=" in office_page.url
    expect(office_page.locator("form.kb-move")).to_contain_text("Buss 2")
    assert_accessible(office_page)
    office_page.goto(f"{live_site.url}/office/buses?day=not-a-day")
    expect(office_page.locator("#day-error")).to_contain_text("2027-03-01")
    assert_accessible(office_page)


def test_the_office_changes_the_bus_rules_on_its_page_and_is_told_beside_each_field(
    live_site: LiveSite,
    api_headers: Callable[[str], dict[str, str]],
    signed_in_page: Callable[..., Page],
    assert_accessible: Callable[[Page], None],
) -> None:
    fleet = {"bus_fleet": [{"name": "Buss 1", "seats": 50, "wheelchair_places": 1}]}
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        office = api_headers(live_site.administrator)
        assert http.patch("/api/directory/municipality", json=fleet, headers=office).is_success
    page = signed_in_page(live_site.administrator, "fi")
    page.goto(f"{live_site.url}/office/buses/rules")
    assert_accessible(page)
    # A time field is as narrow as a number field, not the width of the form.
    time_box, number_box = (
        page.locator(f"#{name}").bounding_box() for name in ("closes", "max_ride_min")
    )
    assert time_box is not None and number_box is not None
    assert time_box["width"] < 1.5 * number_box["width"], (time_box, number_box)
    page.locator("#bus-0-latitude").fill("55,61")
    page.locator("#max_ride_min").fill("500")
    page.locator("#closes").fill("07:00")
    page.locator("#depot_latitude").fill("")
    page.locator("#depot_longitude").fill("13.05")
    page.get_by_role("button", name="Tallenna bussien säännöt").click()
    expect(page.locator("#max_ride_min-error")).to_contain_text("10–240")
    expect(page.locator("#closes-error")).to_contain_text("myöhäisempi")
    expect(page.locator("#depot_latitude-error")).to_contain_text("leveys")
    expect(page.locator("#bus-0-longitude-error")).to_contain_text("leveys- että pituusaste")
    expect(page.locator("#error-summary li")).to_have_count(4)
    assert_accessible(page)
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        kept = http.get("/api/transport/rules", headers=api_headers(live_site.administrator))
    assert kept.json()["max_ride_min"] != 500  # nothing was saved

    page.locator("#max_ride_min").fill("45")
    page.locator("#closes").fill("16:00")
    page.locator("#depot_latitude").fill("55,59")
    page.locator("#operator_email").fill("trafik@example.org")
    page.locator("#bus-0-longitude").fill("12.99")
    page.locator("#run_sheet_at").fill("17:30")
    page.locator("#one_trip_per_school_year").check()
    page.get_by_role("button", name="Tallenna bussien säännöt").click()
    expect(page.locator("[role=status]")).to_contain_text("tallennettu")
    with httpx.Client(base_url=live_site.url, timeout=30) as http:
        saved = http.get("/api/transport/rules", headers=api_headers(live_site.administrator))
    rules = saved.json()
    assert (rules["max_ride_min"], rules["closes"][:5]) == (45, "16:00")
    assert (rules["depot_latitude"], rules["operator_email"]) == (55.59, "trafik@example.org")
    assert rules["depots"] == [{"bus": "Buss 1", "latitude": 55.61, "longitude": 12.99}]
    assert (rules["run_sheet_at"][:5], rules["one_trip_per_school_year"]) == ("17:30", True)
    expect(page.locator("#max_ride_min")).to_have_value("45")
    expect(page.locator("#one_trip_per_school_year")).to_be_checked()
    assert_accessible(page)
