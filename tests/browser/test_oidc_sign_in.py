"""Staff sign in at their municipality's own identity provider: a real OpenID Connect provider on
localhost (authorize, token, JWKS), the live site's gateway and web configured for it, the
reader's browser sent there and back by the "Sign in with ..." button."""

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kulturbro_devstack.identity_provider import IdentityProvider, start_identity_provider

pytestmark = pytest.mark.browser

LiveSite = Any  # conftest.LiveSite; conftest modules are not importable
PROVIDER = "Bildstad ID"
BUTTON = f"Logga in med {PROVIDER}"  # the page fixture's browser asks for Swedish


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[IdentityProvider]:
    with start_identity_provider() as provider:
        yield provider


@pytest.fixture(scope="module")
def live_site_with(identity_provider: IdentityProvider) -> Mapping[str, Mapping[str, str]]:
    idp = identity_provider
    return {
        "gateway": {
            "OIDC_ISSUER": idp.issuer,
            "OIDC_AUDIENCE": idp.client_id,
            "OIDC_JWKS_URL": idp.jwks_url,
        },
        "web": {
            "OIDC_PROVIDER_NAME": PROVIDER,
            "OIDC_AUTHORIZATION_ENDPOINT": idp.authorization_endpoint,
            "OIDC_TOKEN_ENDPOINT": idp.token_endpoint,
            "OIDC_CLIENT_ID": idp.client_id,
            "OIDC_CLIENT_SECRET": idp.client_secret,
        },
    }


def test_an_administrator_signs_in_at_her_provider_and_lands_where_she_was_going(
    page: Page,
    live_site: LiveSite,
    identity_provider: IdentityProvider,
    assert_accessible: Callable[[Page], None],
) -> None:
    identity_provider.signs_in = live_site.administrator
    page.goto(f"{live_site.url}/office/settings")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2Foffice%2Fsettings$"))
    assert_accessible(page)
    page.get_by_role("link", name=BUTTON).click()
    expect(page).to_have_url(f"{live_site.url}/office/settings")
    expect(page.locator("h1")).to_have_count(1)
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    session = cookies["kulturbro_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert "kulturbro_oidc" not in cookies  # the flow is over, its cookie gone
    assert identity_provider.codes == {}  # the code was spent at the token endpoint


def test_a_sign_in_that_finds_no_account_is_cancelled_or_meets_a_provider_down_says_so(
    page: Page,
    live_site: LiveSite,
    identity_provider: IdentityProvider,
    assert_accessible: Callable[[Page], None],
) -> None:
    identity_provider.signs_in = "stranger@example.org"
    page.goto(f"{live_site.url}/sign-in")
    with (
        page.expect_response(re.compile(r"/sign-in/oidc/callback\?")) as answered,
        page.expect_response(re.compile(r"/sign-in\?failed=")) as told,
    ):
        page.get_by_role("link", name=BUTTON).click()
    assert told.value.status == 403
    expect(page).to_have_url(f"{live_site.url}/sign-in?failed=no_account")  # no code, no state
    failed = page.locator("#sign-in-failed")
    expect(failed).to_contain_text("Inget Kulturbro-konto har din e-postadress")
    expect(failed).to_contain_text("Be kommunens kulturförvaltning att lägga till dig")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page)
    # The same answer again (the back button, a shared address): its flow is spent.
    page.goto(answered.value.url)
    expect(failed).to_contain_text("Inloggningen hade gått ut")
    # The reader says no at the provider.
    identity_provider.signs_in = None
    page.get_by_role("link", name=BUTTON).click()
    expect(failed).to_contain_text("Inloggningen avbröts")
    # The provider's token endpoint is down.
    identity_provider.signs_in, identity_provider.down = live_site.administrator, True
    try:
        page.get_by_role("link", name=BUTTON).click()
        expect(failed).to_contain_text(f"{PROVIDER} svarar inte")
    finally:
        identity_provider.down = False
    assert "kulturbro_session" not in {cookie["name"] for cookie in page.context.cookies()}


@pytest.mark.parametrize(
    ("language", "button"),
    [("fi", f"Kirjaudu palvelulla {PROVIDER}"), ("en", f"Sign in with {PROVIDER}")],
)
def test_the_sign_in_page_with_the_providers_button_is_accessible_in_each_language(
    page: Page,
    live_site: LiveSite,
    assert_accessible: Callable[[Page], None],
    language: str,
    button: str,
) -> None:
    page.goto(f"{live_site.url}/language?to={language}&next=/sign-in")
    expect(page.get_by_role("link", name=button)).to_have_attribute("href", "/sign-in/oidc")
    assert_accessible(page)
