"""Every kind of mail, in Swedish, Finnish and English, from the packaged or a municipality's
templates: what a teacher must know is in it, in local time, and the HTML is escaped."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from kulturbro_contracts.vocabulary import BookingPolicy, Language
from notify.compose import Composed, Composer

from .builders import EXPLANATION, MUNICIPALITY, STOCKHOLM, an_event, contexts

KINDS = sorted(contexts())
COMPOSER = Composer()


def compose(
    kind: str,
    language: Language = Language.SV,
    *,
    time_zone: str = STOCKHOLM,
    composer: Composer = COMPOSER,
    municipality_id: str = MUNICIPALITY,
    **changes: Any,
) -> Composed:
    context = contexts()[kind] | changes
    return composer.compose(
        kind, language, context, municipality_id=municipality_id, time_zone=time_zone
    )


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_every_language(kind: str, language: Language) -> None:
    mail = compose(kind, language)

    assert mail.subject and "\n" not in mail.subject and mail.subject == mail.subject.strip()
    assert mail.text.endswith("\n") and "\n\n\n" not in mail.text
    assert mail.html.startswith("<!DOCTYPE html>") and f'<html lang="{language}">' in mail.html
    assert f"<title>{mail.subject}</title>" in mail.html
    for leftover in ("{{", "}}", "{%", "%}"):
        assert leftover not in mail.text and leftover not in mail.html
    if kind not in ("sign_in_link", "bus_run_sheet"):
        title = an_event()["title"][language]
        assert title in mail.text and title in mail.html
        assert title in mail.subject or kind == "digest"


INVITATION_TIMES = {
    Language.SV: (
        "tisdag 3 mars 2026 kl. 10:00–11:00, på svenska",
        "onsdag 4 mars 2026 kl. 10:00–11:00, på finska",
        "Boka senast fredag 13 februari 2026 kl. 16:00.",
    ),
    Language.FI: (
        "tiistai 3. maaliskuuta 2026 klo 10.00–11.00, ruotsiksi",
        "keskiviikko 4. maaliskuuta 2026 klo 10.00–11.00, suomeksi",
        "Varausaika päättyy: perjantai 13. helmikuuta 2026 klo 16.00.",
    ),
    Language.EN: (
        "Tuesday 3 March 2026 at 10:00–11:00, in Swedish",
        "Wednesday 4 March 2026 at 10:00–11:00, in Finnish",
        "Book by Friday 13 February 2026 at 16:00.",
    ),
}


@pytest.mark.parametrize("language", list(Language))
def test_an_invitation_shows_the_occurrences_in_local_time_and_until_when_to_book(
    language: Language,
) -> None:
    mail = compose("invitation", language)

    for fact in INVITATION_TIMES[language]:
        assert fact in mail.text
        assert fact in mail.html
    assert "https://k.example/e/100" in mail.text
    assert 'href="https://k.example/e/100"' in mail.html


def test_an_invitation_shows_the_event_venue_and_its_accessibility() -> None:
    mail = compose("invitation")

    assert "Hej Anna!" in mail.text
    assert "Pippi på scen passar för dina grupper 3B och 4A." in mail.text
    assert "En föreställning om vänskap och mod." in mail.text
    assert "Teater · 60 minuter · åk 3, åk 4" in mail.text
    assert "Plats: Stadsteatern, Östra Rönneholmsvägen 20, Centrum" in mail.text
    for facility in ("Entré utan trappsteg: ja", "Hörslinga: ja", "Toaletter: ja"):
        assert facility in mail.text
    for facility in ("Kapprum: nej", "Plats att äta medhavd lunch: nej"):
        assert facility in mail.text
    assert "högst 30 personer, vuxna inräknade, och 2 vuxna ska följa med" in mail.text
    assert "lottas platserna rättvist" in mail.text
    assert "Avboka senast 7 dagar i förväg." in mail.text
    assert "<strong>Stadsteatern</strong>, Östra Rönneholmsvägen 20, Centrum" in mail.html
    assert "Hörslinga</td>" in mail.html


def test_one_group_is_named_as_one() -> None:
    assert "passar för din grupp 3B." in compose("invitation", groups=["3B"]).text
    assert "sopii ryhmällesi 3B." in compose("invitation", Language.FI, groups=["3B"]).text


def test_times_are_in_the_municipalitys_time_zone() -> None:
    mail = compose("invitation", Language.FI, time_zone="Europe/Helsinki")
    first = an_event()["occurrences"][0]
    early = first | {"starts_at": datetime(2026, 3, 3, 6, 5, tzinfo=UTC)}
    early_mail = compose("reminder", Language.FI, time_zone="Europe/Helsinki", occurrence=early)

    assert "tiistai 3. maaliskuuta 2026 klo 11.00–12.00" in mail.text
    assert "Aika: tiistai 3. maaliskuuta 2026 klo 8.05–12.00" in early_mail.text


def test_an_occurrence_over_midnight_shows_both_days() -> None:
    first = an_event()["occurrences"][0]
    overnight = first | {"ends_at": first["starts_at"] + timedelta(hours=16)}

    mail = compose("reminder", Language.EN, occurrence=overnight)

    assert "Tuesday 3 March 2026 at 10:00 – Wednesday 4 March 2026 at 02:00" in mail.text


def test_booking_without_a_closing_time_is_open_while_places_last() -> None:
    event = an_event(booking_closes_at=None, booking_policy=BookingPolicy.INSTANT)

    sv = compose("invitation", event=event)
    en = compose("invitation", Language.EN, event=event)

    assert "Boka senast" not in sv.text
    assert "Bokningen är öppen så länge det finns platser kvar." in sv.text
    assert "Platserna går till dem som bokar först" in sv.text
    assert "Booking is open while places last." in en.text


def test_the_digest_lists_each_event_with_its_link() -> None:
    mail = compose("digest")

    assert mail.subject == "Nytt i kulturutbudet vecka 8: 2 evenemang för dina grupper"
    assert "1. Pippi på scen" in mail.text and "2. Dans!" in mail.text
    assert "Läs mer och boka: https://k.example/e/101" in mail.text
    assert mail.html.count('href="https://k.example/e/10') == 2


def test_a_booking_received_lists_the_wishes_best_first() -> None:
    mail = compose("booking_received", Language.EN)

    wishes = mail.text.index("1. Wednesday 4 March"), mail.text.index("2. Tuesday 3 March")
    assert wishes[0] < wishes[1]
    assert "Pupils: 24" in mail.text and "Adults: 2" in mail.text and "Bus: requested" in mail.text
    assert "Booking closes on Friday 13 February 2026 at 16:00." in mail.text


@pytest.mark.parametrize("kind", ["booking_confirmed", "booking_waitlisted", "booking_rejected"])
@pytest.mark.parametrize("language", list(Language))
def test_a_decision_is_explained_verbatim(kind: str, language: Language) -> None:
    mail = compose(kind, language)

    assert EXPLANATION[language] in mail.text
    assert EXPLANATION[language] in mail.html


def test_an_explanation_missing_in_the_teachers_language_comes_in_another() -> None:
    mail = compose("booking_rejected", Language.FI, explanation={"sv": "Lottningen avgjorde."})

    assert "Lottningen avgjorde." in mail.text


def test_seats_waiting_position_and_promotion_are_told() -> None:
    assert "3B har fått 26 platser till Pippi på scen" in compose("booking_confirmed").text
    assert "stod på väntelistan" in compose("booking_promoted").text
    assert "som nummer 4" in compose("booking_waitlisted").text
    assert "now has 1 place." in compose("booking_promoted", Language.EN, seats=1).text


def test_a_changed_time_shows_the_new_and_the_old() -> None:
    mail = compose("occurrence_changed")

    assert "Ny tid: tisdag 3 mars 2026 kl. 12:00–13:00" in mail.text
    assert "Tidigare tid: tisdag 3 mars 2026 kl. 10:00–11:00" in mail.text


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("kind", ["invitation", "digest", "offer", "offer_reminder"])
def test_invitations_digests_and_offers_say_how_to_change_or_stop_them(
    kind: str, language: Language
) -> None:
    mail = compose(kind, language)

    link = contexts()[kind]["unsubscribe_url"]
    assert link in mail.text and f'href="{link}"' in mail.html


def test_a_moved_venue_shows_the_new_and_the_old_and_a_new_title_its_old_name() -> None:
    moved = compose("event_changed", Language.EN)
    assert "Previous venue: Gamla teatern, Torget 1" in moved.text
    assert "Previous name" not in moved.text
    assert f"Venue: {an_event()['venue']['name']}" in moved.text

    renamed = compose(
        "event_changed", Language.EN, changed=["title"], previous={"title": {"en": "Pippi"}}
    )
    assert "is now called" in renamed.text and "Previous name: Pippi" in renamed.text
    assert "Previous venue" not in renamed.text


def test_a_cancelled_occurrence_gives_the_reason_only_when_there_is_one() -> None:
    assert "Orsak: Skådespelaren är sjuk." in compose("occurrence_cancelled").text
    assert "Orsak" not in compose("occurrence_cancelled", reason="").text


def test_a_booking_cancelled_before_it_had_seats_names_no_time() -> None:
    mail = compose("booking_cancelled", Language.EN, occurrence=None)

    assert "The booking for 3B at Pippi on stage has been cancelled." in mail.text


def test_the_organizer_summary_counts_seats_and_lists_new_bookings() -> None:
    mail = compose("organizer_summary")

    assert "26 av 60 platser bokade." in mail.text
    assert "- 3B, Ekskolan: 24 elever, 2 vuxna, buss (bekräftad)" in mail.text
    assert "- 4A, Björkskolan: 1 elev, 1 vuxen (på väntelistan)" in mail.text
    assert "Inga nya bokningar." in mail.text


@pytest.mark.parametrize(
    ("language", "subject", "expires"),
    [
        (Language.SV, "Din inloggningslänk till Kulturbro", "till tisdag 3 mars 2026 kl. 10:15:"),
        (Language.EN, "Your sign-in link to Kulturbro", "until Tuesday 3 March 2026 at 10:15:"),
    ],
)
def test_the_sign_in_mail_gives_the_link_and_its_expiry_in_local_time(
    language: Language, subject: str, expires: str
) -> None:
    mail = compose("sign_in_link", language)

    assert mail.subject == subject
    assert "https://k.example/sign-in?token=abc" in mail.text
    assert expires in mail.text


def test_the_finnish_sign_in_mail_keeps_its_wording() -> None:
    mail = compose("sign_in_link", Language.FI)

    assert mail.subject == "Kirjautumislinkkisi Kulturbrohon"
    assert mail.text == (
        "Hei!\n\nKirjaudu Kulturbrohon tällä linkillä. Se toimii kerran ja klo 10.15 asti "
        "(tiistai 3. maaliskuuta 2026):\n\nhttps://k.example/sign-in?token=abc\n\n"
        "Jos et pyytänyt linkkiä, voit jättää viestin huomiotta.\n"
    )


def test_html_escapes_what_people_wrote_and_text_keeps_it() -> None:
    title = {"sv": '<script>alert("x")</script> & Co'}
    event = an_event(title=title, description={"sv": "<b>fet</b>"})

    mail = compose("invitation", event=event, name="<Anna>")

    assert "<script>" not in mail.html and "<b>fet</b>" not in mail.html
    assert "&lt;script&gt;" in mail.html and "&amp; Co" in mail.html
    assert "&lt;b&gt;fet&lt;/b&gt;" in mail.html and "Hej &lt;Anna&gt;!" in mail.html
    assert '<script>alert("x")</script> & Co' in mail.text and "<b>fet</b>" in mail.text
    assert mail.subject.endswith('<script>alert("x")</script> & Co')


def test_a_subject_stays_on_one_line() -> None:
    event = an_event(title={"sv": "Pippi\npå  scen"})

    assert compose("invitation", event=event).subject.endswith(": Pippi på scen")


def test_a_missing_variable_fails_loudly() -> None:
    context = contexts()["booking_confirmed"]
    del context["seats"]

    with pytest.raises(UndefinedError, match="seats"):
        COMPOSER.compose(
            "booking_confirmed", Language.SV, context, municipality_id="x", time_zone=STOCKHOLM
        )


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        compose("sign_in_link", expires_at=datetime(2026, 3, 3, 9))


def test_a_context_stored_as_json_reads_the_same() -> None:
    python = contexts()["reminder"]
    stored = python | {
        "event": an_event(),
        "occurrence": {
            key: value.isoformat() if isinstance(value, datetime) else str(value)
            for key, value in python["occurrence"].items()
        },
    }

    assert stored["occurrence"]["starts_at"] == "2026-03-03T09:00:00+00:00"
    assert compose("reminder", **stored) == compose("reminder")


def test_an_event_changed_in_a_new_object_is_not_shown_as_it_was() -> None:
    first = compose("invitation")
    changed = compose("invitation", event=an_event(venue={"name": "Konsthallen"}))

    assert "Plats: Stadsteatern" in first.text and "Stadsteatern" not in changed.text
    assert "Plats: Konsthallen" in changed.text and "<strong>Konsthallen</strong>" in changed.html


def write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)


def test_a_municipalitys_template_comes_before_the_common_override_and_the_packaged_one(
    tmp_path: Path,
) -> None:
    rejected = "booking_rejected.txt.j2"
    body = "{% block body %}{{ explanation|text }}{% endblock %}"
    write(
        tmp_path / MUNICIPALITY / "sv" / rejected, "{% block subject %}Malmö{% endblock %}" + body
    )
    write(tmp_path / "sv" / rejected, "{% block subject %}Alla{% endblock %}" + body)
    write(tmp_path / MUNICIPALITY / "_layout.html.j2", "<!DOCTYPE html>{{ subject }}")
    composer = Composer(tmp_path)

    def subject(municipality_id: str, language: Language) -> str:
        mail = compose(
            "booking_rejected", language, composer=composer, municipality_id=municipality_id
        )
        return mail.subject

    assert subject(MUNICIPALITY, Language.SV) == "Malmö"
    assert subject("lund", Language.SV) == "Alla"
    assert subject(MUNICIPALITY, Language.EN) == "No places this time: Pippi on stage"
    assert compose("reminder", composer=composer).html == (
        "<!DOCTYPE html>Påminnelse: Pippi på scen, tisdag 3 mars 2026"
    )
    assert compose("reminder", composer=composer, municipality_id="lund").html.endswith("</html>")


def test_a_text_template_without_its_blocks_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "sv" / "reminder.txt.j2", "Hej {{ name }}")

    with pytest.raises(ValueError, match="needs a block subject and a block body"):
        compose("reminder", composer=Composer(tmp_path))


def test_a_municipality_id_cannot_leave_the_template_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="template folder"):
        compose("reminder", composer=Composer(tmp_path), municipality_id="..")
