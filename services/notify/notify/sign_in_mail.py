"""The sign-in link mail, in the account's language."""

from kulturbro_contracts.access import SignInLink
from kulturbro_contracts.vocabulary import Language

SUBJECTS = {
    Language.SV: "Din inloggningslänk till Kulturbro",
    Language.FI: "Kirjautumislinkkisi Kulturbrohon",
    Language.EN: "Your sign-in link to Kulturbro",
}
BODIES = {
    Language.SV: "Hej!\n\nLogga in på Kulturbro med den här länken. Den fungerar en gång och "
    "till {expires} (UTC):\n\n{link}\n\nBad du inte om länken kan du strunta i det här mejlet.\n",
    Language.FI: "Hei!\n\nKirjaudu Kulturbrohon tällä linkillä. Se toimii kerran ja "
    "{expires} (UTC) asti:\n\n{link}\n\nJos et pyytänyt linkkiä, voit jättää viestin huomiotta.\n",
    Language.EN: "Hello,\n\nSign in to Kulturbro with this link. It works once, until "
    "{expires} (UTC):\n\n{link}\n\nIf you did not ask for it, you can ignore this mail.\n",
}


def compose(link: SignInLink) -> tuple[str, str]:
    expires = link.expires_at.strftime("%Y-%m-%d %H:%M")
    return SUBJECTS[link.language], BODIES[link.language].format(expires=expires, link=link.link)
