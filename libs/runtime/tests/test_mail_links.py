"""Links in mails that act without signing in: read back as made, refused when not ours."""

import pytest

from kulturbro_runtime.mail_links import (
    UNSUBSCRIBE,
    InvalidMailLink,
    MailLink,
    read_mail_link,
    sign_mail_link,
)

SECRET = "s" * 40
ANNA = MailLink(purpose=UNSUBSCRIBE, municipality_id="malmo", subject_id="anna")


def test_a_signed_link_is_read_back() -> None:
    token = sign_mail_link(ANNA, SECRET)
    assert read_mail_link(token, UNSUBSCRIBE, SECRET) == ANNA
    assert "=" not in token, "it goes into a URL as it is"


def test_a_link_with_another_body_or_signature_is_refused() -> None:
    body, signature = sign_mail_link(ANNA, SECRET).split(".")
    bert = sign_mail_link(ANNA.model_copy(update={"subject_id": "bert"}), SECRET).split(".")[0]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    for token in (f"{bert}.{signature}", f"{body}.{flipped}", body, f"{body}.", ""):
        with pytest.raises(InvalidMailLink, match="signature does not match"):
            read_mail_link(token, UNSUBSCRIBE, SECRET)


def test_a_link_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidMailLink, match="signature does not match"):
        read_mail_link(sign_mail_link(ANNA, "t" * 40), UNSUBSCRIBE, SECRET)


def test_a_link_for_another_purpose_is_refused() -> None:
    sign_in = sign_mail_link(ANNA.model_copy(update={"purpose": "sign-in"}), SECRET)
    with pytest.raises(InvalidMailLink, match="the link is for sign-in, not unsubscribe"):
        read_mail_link(sign_in, UNSUBSCRIBE, SECRET)


def test_a_signed_body_that_is_no_link_is_refused() -> None:
    # Only a holder of the secret could sign it; still it must not get further than a refusal.
    from kulturbro_runtime.mail_links import _signature

    for body in ("bm90IGpzb24", "e30"):  # "not json", "{}"
        with pytest.raises(InvalidMailLink, match="not readable"):
            read_mail_link(f"{body}.{_signature(body, SECRET)}", UNSUBSCRIBE, SECRET)


def test_a_link_with_characters_no_signature_has_is_refused_not_an_error() -> None:
    body = sign_mail_link(ANNA, SECRET).split(".")[0]
    with pytest.raises(InvalidMailLink, match="signature does not match"):
        read_mail_link(f"{body}.å", UNSUBSCRIBE, SECRET)


def test_the_unsubscribe_url_points_at_the_directory_and_carries_a_link_for_that_teacher() -> None:
    from urllib.parse import parse_qs, urlsplit

    from kulturbro_runtime.mail_links import UNSUBSCRIBE_PATH, unsubscribe_url

    url = urlsplit(unsubscribe_url("https://k.example", "malmo", "anna", SECRET))
    assert url.path == f"/api/directory{UNSUBSCRIBE_PATH}"
    token = parse_qs(url.query)["token"][0]
    assert read_mail_link(token, UNSUBSCRIBE, SECRET) == ANNA
