"""What each open indicator means, exactly, in sv, fi and en: served with the data, so that a page
or a spreadsheet can show how a figure was computed."""

from dataclasses import dataclass

from stats.domain.indicators import BASES, MIN_UNITS, Base, Indicator

LICENCE = {
    "id": "CC-BY-4.0",
    "name": "Creative Commons Attribution 4.0 International",
    "url": "https://creativecommons.org/licenses/by/4.0/",
}
ATTRIBUTION = "Kulturbro"


@dataclass(frozen=True)
class Definition:
    indicator: Indicator
    unit: dict[str, str]
    decimals: int
    label: dict[str, str]
    definition: dict[str, str]


VISIT = {
    "sv": "Ett besök är en grupps tilldelade platser vid en föreställning som inte ställts in, om "
    "gruppen inte rapporterats utebliven.",
    "fi": "Käynti on ryhmälle myönnetyt paikat esitykseen, jota ei ole peruttu, ellei ryhmän ole "
    "ilmoitettu jääneen tulematta.",
    "en": "A visit is a group's seats allocated at an occurrence that was not cancelled, unless "
    "the group was reported not to have come.",
}
PUPILS = {
    "sv": "Elever: summan av antalet barn och elever i kommunens grupper i förskola, skola och "
    "gymnasium enligt skolregistret (äldreboenden räknas inte).",
    "fi": "Oppilaat: kunnan varhaiskasvatuksen, koulujen ja toisen asteen ryhmien lasten ja "
    "oppilaiden määrä oppilasrekisterin mukaan (hoivakoteja ei lasketa).",
    "en": "Pupils: the sum of the children and pupils in the municipality's preschool, school and "
    "upper secondary groups as the student register gives them (elderly care is not counted).",
}
YEAR = {
    "sv": "Läsåret räknas från 1 juli till 30 juni, efter föreställningens dag i kommunens "
    "tidszon.",
    "fi": "Lukuvuosi lasketaan 1.7.–30.6. esityksen päivän mukaan kunnan aikavyöhykkeellä.",
    "en": "The school year runs from 1 July to 30 June, by the day of the occurrence in the "
    "municipality's time zone.",
}
WITHHELD = {
    "sv": f"Ett värde som bygger på färre än {MIN_UNITS} {{base}} visas inte, och inte heller ett "
    "annat värde som skulle avslöja det ur totalen.",
    "fi": f"Arvoa, joka perustuu alle {MIN_UNITS} {{base}}, ei julkaista, eikä toista arvoa, josta "
    "se voitaisiin päätellä kokonaismäärästä.",
    "en": f"A value built from fewer than {MIN_UNITS} {{base}} is withheld, and so is another that "
    "would give it away from the total.",
}
BASE_WORDS = {
    Base.GROUPS: {"sv": "grupper", "fi": "ryhmään", "en": "groups"},
    Base.SCHOOLS: {"sv": "skolor", "fi": "kouluun", "en": "schools"},
    Base.VISITS: {"sv": "besök", "fi": "käyntiin", "en": "visits"},
    Base.EVALUATIONS: {"sv": "utvärderingar", "fi": "arviointiin", "en": "evaluations"},
}
COUNT = {"sv": "antal", "fi": "lukumäärä", "en": "count"}
SHARE = {"sv": "andel (0–1)", "fi": "osuus (0–1)", "en": "share (0–1)"}
RATE = {"sv": "per elev", "fi": "oppilasta kohden", "en": "per pupil"}
PER_1000 = {"sv": "per 1 000 elever", "fi": "1 000 oppilasta kohden", "en": "per 1,000 pupils"}
INDEX = {"sv": "index (0–1)", "fi": "indeksi (0–1)", "en": "index (0–1)"}
SCORE = {"sv": "medelbetyg (1–5)", "fi": "keskiarvo (1–5)", "en": "mean score (1–5)"}

_TEXTS: dict[Indicator, tuple[dict[str, str], int, dict[str, str], dict[str, str]]] = {
    Indicator.PUPILS: (
        COUNT,
        0,
        {"sv": "Elever", "fi": "Oppilaat", "en": "Pupils"},
        PUPILS,
    ),
    Indicator.PUPILS_REACHED: (
        COUNT,
        0,
        {"sv": "Nådda elever", "fi": "Tavoitetut oppilaat", "en": "Pupils reached"},
        {
            "sv": "Eleverna i de grupper som hade minst ett besök under läsåret.",
            "fi": "Niiden ryhmien oppilaat, joilla oli lukuvuoden aikana vähintään yksi käynti.",
            "en": "The pupils of the groups that had at least one visit in the school year.",
        },
    ),
    Indicator.PUPILS_REACHED_SHARE: (
        SHARE,
        3,
        {
            "sv": "Andel nådda elever",
            "fi": "Tavoitettujen oppilaiden osuus",
            "en": "Share of pupils reached",
        },
        {
            "sv": "Nådda elever delat med elever.",
            "fi": "Tavoitetut oppilaat jaettuna oppilaiden määrällä.",
            "en": "Pupils reached divided by pupils.",
        },
    ),
    Indicator.VISITS_PER_PUPIL: (
        RATE,
        2,
        {
            "sv": "Kulturbesök per elev",
            "fi": "Kulttuurikäynnit oppilasta kohden",
            "en": "Culture visits per pupil",
        },
        {
            "sv": "Summan av elever vid alla besök (de närvarande om det rapporterats, annars de "
            "bokade) delat med elever.",
            "fi": "Kaikkien käyntien oppilasmäärien summa (paikalla olleet, jos ilmoitettu, muuten "
            "varatut) jaettuna oppilaiden määrällä.",
            "en": "The pupils at every visit added up (those reported present, else those booked) "
            "divided by pupils.",
        },
    ),
    Indicator.GINI: (
        INDEX,
        3,
        {
            "sv": "Jämlikhet mellan skolor (Gini)",
            "fi": "Koulujen välinen tasa-arvo (Gini)",
            "en": "Equity across schools (Gini)",
        },
        {
            "sv": "Gini-koefficienten av kulturbesök per elev över kommunens skolor med elever: 0 "
            "när alla skolor fått lika många besök per elev, nära 1 när en skola fått alla.",
            "fi": "Kulttuurikäyntien oppilasta kohden Gini-kerroin kunnan koulujen kesken: 0, kun "
            "kaikki koulut ovat saaneet yhtä monta käyntiä oppilasta kohden, lähes 1, kun yksi on "
            "saanut kaikki.",
            "en": "The Gini coefficient of culture visits per pupil across the municipality's "
            "schools with pupils: 0 when every school had as many visits per pupil, near 1 when "
            "one had them all.",
        },
    ),
    Indicator.EVENTS_PER_1000_PUPILS: (
        PER_1000,
        1,
        {
            "sv": "Evenemang per 1 000 elever",
            "fi": "Tapahtumat 1 000 oppilasta kohden",
            "en": "Events offered per 1,000 pupils",
        },
        {
            "sv": "Evenemang för skolans målgrupper med minst en föreställning under läsåret, per "
            "1 000 elever.",
            "fi": "Koulujen kohderyhmille tarjotut tapahtumat, joilla on lukuvuonna vähintään yksi "
            "esitys, 1 000 oppilasta kohden.",
            "en": "Events for school target groups with at least one occurrence in the school "
            "year, per 1,000 pupils.",
        },
    ),
    Indicator.OCCURRENCES_PER_1000_PUPILS: (
        PER_1000,
        1,
        {
            "sv": "Föreställningar per 1 000 elever",
            "fi": "Esitykset 1 000 oppilasta kohden",
            "en": "Occurrences offered per 1,000 pupils",
        },
        {
            "sv": "Föreställningar som inte ställts in under läsåret, per 1 000 elever.",
            "fi": "Lukuvuoden esitykset, joita ei ole peruttu, 1 000 oppilasta kohden.",
            "en": "Occurrences in the school year that were not cancelled, per 1,000 pupils.",
        },
    ),
    Indicator.VISITS: (
        COUNT,
        0,
        {"sv": "Besök", "fi": "Käynnit", "en": "Visits"},
        VISIT,
    ),
    Indicator.CAPACITY_USED: (
        SHARE,
        3,
        {"sv": "Nyttjad kapacitet", "fi": "Käytetty kapasiteetti", "en": "Capacity used"},
        {
            "sv": "Tilldelade platser delat med erbjudna platser vid föreställningarna.",
            "fi": "Myönnetyt paikat jaettuna esitysten tarjotuilla paikoilla.",
            "en": "Seats allocated divided by the seats the occurrences offered.",
        },
    ),
    Indicator.BUS_SHARE: (
        SHARE,
        3,
        {
            "sv": "Andel besök med kulturbuss",
            "fi": "Kulttuuribussilla tehtyjen käyntien osuus",
            "en": "Share of visits with the culture bus",
        },
        {
            "sv": "Besök som transporttjänsten planerat en kulturbuss till, delat med besök.",
            "fi": "Käynnit, joille kuljetuspalvelu on suunnitellut kulttuuribussin, jaettuna "
            "käynneillä.",
            "en": "Visits for which the transport service planned a culture bus, divided by "
            "visits.",
        },
    ),
    Indicator.EVALUATION_SCORE: (
        SCORE,
        2,
        {
            "sv": "Genomsnittligt betyg",
            "fi": "Arvioinnin keskiarvo",
            "en": "Average evaluation score",
        },
        {
            "sv": "Medelvärdet av lärarnas betyg på besöket som helhet (1–5).",
            "fi": "Opettajien koko käynnille antamien arvosanojen keskiarvo (1–5).",
            "en": "The mean of the teachers' scores for the visit as a whole (1 to 5).",
        },
    ),
}


def _definition(indicator: Indicator) -> Definition:
    unit, decimals, label, text = _TEXTS[indicator]
    base = BASE_WORDS[BASES[indicator]]
    full = {
        language: " ".join(
            (text[language], YEAR[language], WITHHELD[language].format(base=base[language]))
        )
        for language in text
    }
    return Definition(indicator, unit, decimals, label, full)


DEFINITIONS: dict[Indicator, Definition] = {i: _definition(i) for i in Indicator}
