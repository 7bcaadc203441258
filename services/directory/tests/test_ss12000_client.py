"""Reading an SS 12000 server over HTTP: every page, and failures that say what went wrong."""

from collections.abc import Iterator

import pytest

from directory.ss12000.client import SS12000Failed, SS12000Refused, fetch_school_data
from kulturbro_devstack.ports import free_port

from .ss12000_fake import FakeSS12000, Form, sample_school_year, serving


@pytest.fixture
def server() -> FakeSS12000:
    return FakeSS12000(sample_school_year().year, page_size=7)


@pytest.fixture
def standard_server() -> FakeSS12000:
    return FakeSS12000(sample_school_year().year, page_size=2, form=Form.STANDARD)


@pytest.fixture
def standard_url(standard_server: FakeSS12000) -> Iterator[str]:
    with serving(standard_server.app) as base:
        yield f"{base}/ss12000"


@pytest.fixture
def url(server: FakeSS12000) -> Iterator[str]:
    with serving(server.app) as base:
        yield f"{base}/ss12000"


async def test_every_page_of_every_resource_is_read_in_skolverkets_form(
    server: FakeSS12000, url: str
) -> None:
    steps: list[tuple[str, int]] = []
    data = await fetch_school_data(
        url, "test-token", lambda step, done, total=None: steps.append((step, done))
    )
    year = server.year
    assert [len(data.organisations), len(data.groups), len(data.persons)] == [
        len(year.organisations), len(year.groups), len(year.persons),
    ]  # fmt: skip
    assert (len(data.duties), len(data.activities)) == (len(year.duties), len(year.activities))
    assert server.requests.count("persons") == -(-len(year.persons) // 7)
    assert steps[-1] == ("reading activities", len(year.activities))
    assert server.requests.count("organisations") == 1, "Skolverket's come in one piece"


async def test_a_server_in_the_standards_own_form_is_read_organisations_and_all(
    standard_server: FakeSS12000, standard_url: str
) -> None:
    data = await fetch_school_data(standard_url, "test-token")
    year = standard_server.year
    assert [str(o.id) for o in data.organisations] == [o["id"] for o in year.organisations]
    assert [len(data.groups), len(data.persons)] == [len(year.groups), len(year.persons)]
    assert standard_server.requests.count("organisations") == -(-len(year.organisations) // 2)


async def test_a_wrong_token_is_refused_with_what_to_check(url: str) -> None:
    with pytest.raises(
        SS12000Refused, match=r"refused the token \(HTTP 401 on /organisations page 1\)"
    ):
        await fetch_school_data(url, "wrong-token")


async def test_a_url_that_is_not_the_api_is_refused(url: str) -> None:
    with pytest.raises(SS12000Refused, match="give the URL of the SS 12000 API"):
        await fetch_school_data(url.removesuffix("/ss12000"), "test-token")


async def test_a_server_failing_halfway_is_named_with_the_page(
    server: FakeSS12000, url: str
) -> None:
    server.fail_on = ("persons", 3)
    with pytest.raises(SS12000Failed) as failed:
        await fetch_school_data(url, "test-token")
    assert str(failed.value) == (
        "the SS 12000 server failed on /persons page 3 (HTTP 500: the student register is "
        "being rebuilt)"
    )


async def test_a_payload_against_the_standard_names_the_field(
    server: FakeSS12000, url: str
) -> None:
    del server.year.groups[9]["organisation"]
    with pytest.raises(SS12000Failed) as failed:
        await fetch_school_data(url, "test-token")
    assert str(failed.value) == (
        "the SS 12000 server's answer to /groups page 2 does not follow SS 12000: "
        "data.2.organisation: Field required"
    )


async def test_a_server_that_is_not_there_is_named() -> None:
    with pytest.raises(
        SS12000Failed, match=r"cannot reach the SS 12000 server at http://127\.0\.0\.1"
    ):
        await fetch_school_data(f"http://127.0.0.1:{free_port()}/ss12000", "test-token")
