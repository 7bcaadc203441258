"""The pages behind the "change or stop invitations" link in mails, in the teacher's language.

They load nothing from elsewhere and send no referrer, since they are opened from mails with the
signed link in their address.
"""

from dataclasses import dataclass
from html import escape

from kulturbro_contracts.vocabulary import InvitationPreference, Language

# What the link may choose; getting invitations at once again takes signing in.
CHOICES = (InvitationPreference.WEEKLY_DIGEST, InvitationPreference.NONE)


@dataclass(frozen=True)
class Words:
    title: str
    question: str
    choices: dict[InvitationPreference, str]
    done: dict[InvitationPreference, str]
    later: str


WORDS = {
    Language.SV: Words(
        title="Inbjudningar från Kulturbro",
        question="Vill du sluta få inbjudningar från Kulturbro?",
        choices={
            InvitationPreference.WEEKLY_DIGEST: "Skicka en sammanfattning i veckan i stället",
            InvitationPreference.NONE: "Inga fler inbjudningar",
        },
        done={
            InvitationPreference.WEEKLY_DIGEST: "Klart: du får en sammanfattning av "
            "inbjudningarna en gång i veckan.",
            InvitationPreference.NONE: "Klart: du får inga fler inbjudningar från Kulturbro.",
        },
        later="Du kan ändra det när du vill bland dina inställningar i Kulturbro.",
    ),
    Language.FI: Words(
        title="Kulturbron kutsut",
        question="Haluatko lopettaa Kulturbron kutsujen vastaanottamisen?",
        choices={
            InvitationPreference.WEEKLY_DIGEST: "Lähetä sen sijaan viikoittainen kooste",
            InvitationPreference.NONE: "Ei enää kutsuja",
        },
        done={
            InvitationPreference.WEEKLY_DIGEST: "Valmis: saat kutsuista koosteen kerran viikossa.",
            InvitationPreference.NONE: "Valmis: et saa enää kutsuja Kulturbrosta.",
        },
        later="Voit muuttaa tätä milloin tahansa Kulturbron asetuksissa.",
    ),
    Language.EN: Words(
        title="Invitations from Kulturbro",
        question="Would you like to stop receiving invitations from Kulturbro?",
        choices={
            InvitationPreference.WEEKLY_DIGEST: "Send a weekly summary instead",
            InvitationPreference.NONE: "No more invitations",
        },
        done={
            InvitationPreference.WEEKLY_DIGEST: "Done: you will get a summary of invitations "
            "once a week.",
            InvitationPreference.NONE: "Done: you will get no more invitations from Kulturbro.",
        },
        later="You can change this whenever you like in your Kulturbro settings.",
    ),
}


def choice_page(language: Language) -> str:
    """The question with one button per choice; the form posts back to the page's own address,
    token and all, and only that post changes anything."""
    words = WORDS[language]
    buttons = "".join(
        f'<button type="submit" name="invitations" value="{choice.value}">'
        f"{escape(words.choices[choice])}</button>"
        for choice in CHOICES
    )
    body = f'<p>{escape(words.question)}</p><form method="post">{buttons}</form>'
    return _page(language, words.title, body)


def done_page(language: Language, invitations: InvitationPreference) -> str:
    words = WORDS[language]
    body = f"<p>{escape(words.done[invitations])}</p><p>{escape(words.later)}</p>"
    return _page(language, words.title, body)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}"
    "button{display:block;width:100%;margin:.75rem 0;padding:.75rem;font-size:1rem}"
)


def _page(language: Language, title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="{language.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'\">"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
