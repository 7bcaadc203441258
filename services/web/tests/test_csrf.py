"""A form's token is good only with the cookie it was made for, under our secret."""

from web import csrf

SECRET = "a-secret-that-is-long-enough-for-tests"


def test_the_token_of_the_cookie_is_valid() -> None:
    cookie = csrf.new_cookie_value()
    assert csrf.is_valid(cookie, csrf.form_token(cookie, SECRET), SECRET)


def test_a_missing_cookie_or_field_is_refused() -> None:
    cookie = csrf.new_cookie_value()
    token = csrf.form_token(cookie, SECRET)
    assert not csrf.is_valid(None, token, SECRET)
    assert not csrf.is_valid(cookie, None, SECRET)
    assert not csrf.is_valid(cookie, "", SECRET)


def test_another_cookies_token_or_another_secret_is_refused() -> None:
    mine, theirs = csrf.new_cookie_value(), csrf.new_cookie_value()
    assert mine != theirs
    assert not csrf.is_valid(mine, csrf.form_token(theirs, SECRET), SECRET)
    assert not csrf.is_valid(mine, csrf.form_token(mine, SECRET + "x"), SECRET)
    # The cookie itself is not the token: a page elsewhere cannot guess the field from it.
    assert not csrf.is_valid(mine, mine, SECRET)
