"""`kulturbro database logins` reads each service's own login, and refuses one that is not."""

import pytest

from kulturbro_cli.database import ServiceLogin, logins_from_environment, with_login

OWNER = "postgresql://kulturbro:owner-secret@db:5432/kulturbro"


def test_each_service_signs_in_as_the_user_its_url_names() -> None:
    env = {
        "DATABASE_URL": OWNER,
        "BOOKING_DATABASE_URL": "postgresql://booking:b%40d@db:5432/kulturbro",
        "CATALOG_DATABASE_URL": "postgresql://catalog:c@db:5432/kulturbro",
    }

    assert logins_from_environment(["booking", "catalog"], env) == [
        ServiceLogin("booking", "booking", "b@d"),
        ServiceLogin("catalog", "catalog", "c"),
    ]


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "DATABASE_URL: set it to a login that may create roles"),
        ({"DATABASE_URL": OWNER}, "BOOKING_DATABASE_URL: set it to the login booking runs with"),
        (
            {"DATABASE_URL": OWNER, "BOOKING_DATABASE_URL": OWNER},
            "BOOKING_DATABASE_URL: signs in as DATABASE_URL does; give booking its own",
        ),
        (
            {"DATABASE_URL": OWNER, "BOOKING_DATABASE_URL": "postgresql://b:p@db:5432/other"},
            "BOOKING_DATABASE_URL: names another database than DATABASE_URL",
        ),
        (
            {"DATABASE_URL": OWNER, "BOOKING_DATABASE_URL": "postgresql://db:5432/kulturbro"},
            "names no user",
        ),
    ],
)
def test_a_login_that_is_not_the_services_own_is_refused(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        logins_from_environment(["booking"], env)


def test_two_services_may_not_share_a_login() -> None:
    shared = "postgresql://app:p@db:5432/kulturbro"
    env = {"DATABASE_URL": OWNER, "BOOKING_DATABASE_URL": shared, "CATALOG_DATABASE_URL": shared}

    with pytest.raises(ValueError, match="CATALOG_DATABASE_URL: signs in as booking does"):
        logins_from_environment(["booking", "catalog"], env)


def test_with_login_keeps_the_database_and_quotes_the_password() -> None:
    assert (
        with_login("postgresql://postgres@127.0.0.1:5432/test", "booking", "a:b@c")
        == "postgresql://booking:a%3Ab%40c@127.0.0.1:5432/test"
    )
    assert with_login(OWNER, "stats", None) == "postgresql://stats@db:5432/kulturbro"
