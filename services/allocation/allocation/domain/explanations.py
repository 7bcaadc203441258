"""Every decision in words a teacher understands, in Swedish, Finnish and English."""

from collections.abc import Callable
from dataclasses import dataclass

from allocation.domain.decisions import (
    Adjustment,
    Allocated,
    Basis,
    Change,
    Decision,
    Ranking,
    Rejected,
    RejectionReason,
    Waitlisted,
)
from allocation.domain.outreach import Offered, OfferState
from kulturbro_contracts.vocabulary import BookingPolicy, Language


def _english_ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def _english_choice(choice: int) -> str:
    if choice == 1:
        return "at the performance you wanted most"
    return f"at your {_english_ordinal(choice)} choice"


def _swedish_choice(choice: int) -> str:
    named = {1: "förstahandsval", 2: "andrahandsval", 3: "tredjehandsval", 4: "fjärdehandsval"}
    if choice == 1:
        return "på den föreställning ni helst ville gå på"
    return f"på ert {named[choice]}" if choice in named else f"på ert val nummer {choice}"


def _finnish_choice(choice: int) -> str:
    if choice == 1:
        return "esitykseen, johon halusitte eniten"
    return f"esitykseen, joka oli toivelistallanne {choice}. sijalla"


@dataclass(frozen=True)
class _Words:
    seats: Callable[[int], str]
    """A number of seats as a subject or in brackets."""
    seats_got: Callable[[int], str]
    """A number of seats as what the group got (Finnish inflects it differently)."""
    ordinal: Callable[[int], str]
    choice: Callable[[int], str]
    sentences: dict[str, str]


_ENGLISH = _Words(
    seats=lambda n: f"{n} seat" if n == 1 else f"{n} seats",
    seats_got=lambda n: f"{n} seat" if n == 1 else f"{n} seats",
    ordinal=_english_ordinal,
    choice=_english_choice,
    sentences={
        "allocated": "Your group got {seats_got} {choice}.",
        "preferred_full_draw": "The performances you preferred were full when your group's turn "
        "came.",
        "preferred_full": "The performances you preferred were already full.",
        "first_come": "Seats go to requests in the order they arrive.",
        "after_draw": "The draw had already been held, so the seats still free go to requests "
        "in the order they arrive.",
        "draw": "Your group was {rank} of {of} in the draw; schools and groups with fewer "
        "culture visits this term, for their number of pupils, came first, and a lottery "
        "decided between equals.",
        "district_share": "{district} was given {share}, in proportion to its pupils of the age "
        "the event is for.",
        "district_draw": "Your group was {rank} of {of} in the district's draw; schools and "
        "groups with fewer culture visits this term, for their number of pupils, came first, "
        "and a lottery decided between equals.",
        "promotion": "Seats became free after a cancellation, and your group was next in line "
        "on the waiting list.",
        "queue_fair": "The waiting list follows the order of the draw: groups with fewer culture "
        "visits this term come first.",
        "queue_first_come": "The waiting list is in the order the requests arrived.",
        "free_for_all": "After the release date, the seats the districts had not used became "
        "free for all and went to waiting groups in the order of the draw: groups with fewer "
        "culture visits this term first.",
        "waiting": "Your group is {position} on the waiting list and gets seats automatically "
        "if enough become free.",
        "no_room": "None of the performances you chose has room for your whole group ({seats}) "
        "now.",
        "no_room_draw": "When your group's turn came, none of the performances you chose had "
        "room for all of it ({seats}).",
        "no_room_district": "When your group's turn came, not enough of the district's seats were "
        "left for all of it ({seats}).",
        "moved": "The draw first gave your group seats {drawn}; after the draw it was moved to "
        "this performance, which you had also chosen, to make room for a group from a school "
        "that {fewer}.",
        "displaced": "The draw first gave your group seats {drawn}; after the draw they went to "
        "a group from a school that {fewer_than}.",
        "lifted_moved": "After the draw, room was made for your group by moving other groups to "
        "performances they had also chosen, since {fewest}.",
        "lifted_displaced": "After the draw, room was made for your group when a group from a "
        "school with more culture visits this term, for its number of pupils, gave up its "
        "seats, since {fewest}.",
        "lifted_free": "After the draw, seats became free as other groups were moved or gave up "
        "their seats, and they went to your group, since {fewest}.",
        "fewer": "had had fewer culture visits this term, for its number of pupils",
        "none": "had had no culture visit this term",
        "fewer_than": "had had fewer culture visits this term, for its number of pupils, than "
        "yours has even without these seats",
        "fewest": "your school was among those with the fewest culture visits this term, for "
        "their number of pupils",
        "no_visit": "your school had had no culture visit this term",
        "unplaced_district": "Your school is not in any district in the municipality's register, "
        "so your group waits for the seats the districts do not use.",
        "released_later": "Seats the districts do not use become free for all after the release "
        "date.",
        "held_back": "The draw left out {held}, held for groups that have had no culture visit "
        "this school year; what they do not take goes to the waiting list on the release date.",
        "offer_accepted": "The seats had been held for your class, since it had had no culture "
        "visit this school year, and you accepted them before the deadline.",
        "outreach_release": "On the release date, the seats held for groups that had had no "
        "culture visit this school year and not taken by them went to waiting groups in the "
        "order of the draw.",
        "offered": "A place for your whole class ({seats}) is held at this performance, since "
        "{reached}. Accept it before the deadline; after that the seats go to the waiting list.",
        "offer_released": "The place held for your class was not accepted before the deadline, "
        "so the seats went to the waiting list.",
        "offer_withdrawn": "The place held for your class can no longer be offered: the "
        "performance was cancelled or your class already has a booking for the event.",
        "reached_none": "your school has had no culture visit this school year",
        "reached_few": "your class has had no culture visit this school year and your school few, "
        "for its number of pupils",
        RejectionReason.NO_PARTICIPANTS: "The request has no pupils or adults. Give the number "
        "of participants and ask again.",
        RejectionReason.OCCURRENCE_NOT_OFFERED: "None of the performances you chose can be "
        "booked any longer. Choose another performance and ask again.",
        RejectionReason.GROUP_TOO_LARGE: "Your group ({seats}) is larger than any of the "
        "performances you chose, and a group is never split. Choose a larger performance or "
        "ask the organizer.",
        RejectionReason.ALREADY_REQUESTED: "Your group already has seats or a place on the "
        "waiting list for this event. Cancel that booking first if you want another time.",
        RejectionReason.SCHOOL_LIMIT_REACHED: "A school may have at most {cap} for this event, "
        "so that more schools get to go, and this request would take your school past it.",
    },
)

_SWEDISH = _Words(
    seats=lambda n: f"{n} plats" if n == 1 else f"{n} platser",
    seats_got=lambda n: f"{n} plats" if n == 1 else f"{n} platser",
    ordinal=lambda n: f"nummer {n}",
    choice=_swedish_choice,
    sentences={
        "allocated": "Er grupp fick {seats_got} {choice}.",
        "preferred_full_draw": "De föreställningar ni hellre ville gå på var fullbokade när det "
        "blev er grupps tur.",
        "preferred_full": "De föreställningar ni hellre ville gå på var redan fullbokade.",
        "first_come": "Platserna fördelas i den ordning förfrågningarna kommer in.",
        "after_draw": "Fördelningen var redan gjord, så platser som finns kvar går till "
        "förfrågningarna i den ordning de kommer in.",
        "draw": "Gruppen kom som {rank} av {of} i turordningen; skolor och grupper som haft "
        "färre kulturbesök den här terminen, räknat per elev, gick före, och lotten avgjorde "
        "mellan lika.",
        "district_share": "{district} tilldelades {share}, i proportion till hur många elever i "
        "evenemangets ålder som finns där.",
        "district_draw": "Gruppen kom som {rank} av {of} i stadsdelens turordning; skolor och "
        "grupper som haft färre kulturbesök den här terminen, räknat per elev, gick före, och "
        "lotten avgjorde mellan lika.",
        "promotion": "Platser blev lediga efter en avbokning, och er grupp stod näst i tur på "
        "väntelistan.",
        "queue_fair": "Väntelistan följer fördelningens turordning: grupper med färre "
        "kulturbesök den här terminen går först.",
        "queue_first_come": "Väntelistan går i den ordning förfrågningarna kom in.",
        "free_for_all": "Efter släppdatumet blev de platser som stadsdelarna inte använt fria "
        "för alla, och de gick till väntande grupper i fördelningens turordning: grupper med "
        "färre kulturbesök den här terminen först.",
        "waiting": "Er grupp står som {position} på väntelistan och får platser automatiskt om "
        "tillräckligt många blir lediga.",
        "no_room": "Ingen av de föreställningar ni valde har plats för hela gruppen ({seats}) "
        "just nu.",
        "no_room_draw": "När det blev er grupps tur fanns det inte plats för hela gruppen "
        "({seats}) på någon av de föreställningar ni valde.",
        "no_room_district": "När det blev er grupps tur räckte stadsdelens platser inte till "
        "hela gruppen ({seats}).",
        "moved": "Fördelningen gav först er grupp platser {drawn}; efteråt flyttades gruppen "
        "till den här föreställningen, som ni också valt, för att ge plats åt en grupp från en "
        "skola som {fewer}.",
        "displaced": "Fördelningen gav först er grupp platser {drawn}; efteråt gick de till en "
        "grupp från en skola som {fewer_than}.",
        "lifted_moved": "Efter fördelningen gjordes plats för er grupp genom att andra grupper "
        "flyttades till föreställningar som de också valt, eftersom {fewest}.",
        "lifted_displaced": "Efter fördelningen gjordes plats för er grupp när en grupp från en "
        "skola med fler kulturbesök den här terminen, räknat per elev, lämnade sina platser, "
        "eftersom {fewest}.",
        "lifted_free": "Efter fördelningen blev platser lediga när andra grupper flyttades eller "
        "lämnade sina platser, och de gick till er grupp, eftersom {fewest}.",
        "fewer": "haft färre kulturbesök den här terminen, räknat per elev",
        "none": "inte haft något kulturbesök den här terminen",
        "fewer_than": "haft färre kulturbesök den här terminen, räknat per elev, än er skola har "
        "även utan de här platserna",
        "fewest": "er skola hör till dem som haft minst kulturbesök den här terminen, räknat "
        "per elev",
        "no_visit": "er skola inte haft något kulturbesök den här terminen",
        "unplaced_district": "Er skola hör inte till någon stadsdel i kommunens register, så er "
        "grupp väntar på de platser som stadsdelarna inte använder.",
        "released_later": "Platser som stadsdelarna inte använder blir fria för alla efter "
        "släppdatumet.",
        "held_back": "{held} hölls utanför fördelningen för grupper som inte haft något "
        "kulturbesök det här läsåret; det de inte tar går till väntelistan på släppdatumet.",
        "offer_accepted": "Platserna var reserverade för er klass, eftersom den inte haft något "
        "kulturbesök det här läsåret, och ni tackade ja före sista dagen.",
        "outreach_release": "På släppdatumet gick de platser som reserverats för grupper utan "
        "kulturbesök det här läsåret, och som de inte tagit, till väntande grupper i "
        "fördelningens turordning.",
        "offered": "En plats för hela er klass ({seats}) är reserverad på den här föreställningen, "
        "eftersom {reached}. Tacka ja före sista dagen; därefter går platserna till väntelistan.",
        "offer_released": "Platsen som reserverats för er klass togs inte före sista dagen, så "
        "platserna gick till väntelistan.",
        "offer_withdrawn": "Platsen som reserverats för er klass kan inte längre erbjudas: "
        "föreställningen är inställd eller klassen har redan en bokning till evenemanget.",
        "reached_none": "er skola inte har haft något kulturbesök det här läsåret",
        "reached_few": "er klass inte har haft något kulturbesök det här läsåret och er skola få, "
        "räknat per elev",
        RejectionReason.NO_PARTICIPANTS: "Förfrågan har varken elever eller vuxna. Ange antalet "
        "deltagare och fråga igen.",
        RejectionReason.OCCURRENCE_NOT_OFFERED: "Ingen av de föreställningar ni valde går att "
        "boka längre. Välj en annan föreställning och fråga igen.",
        RejectionReason.GROUP_TOO_LARGE: "Er grupp ({seats}) är större än någon av de "
        "föreställningar ni valde, och en grupp delas aldrig. Välj en större föreställning "
        "eller kontakta arrangören.",
        RejectionReason.ALREADY_REQUESTED: "Er grupp har redan platser eller en plats på "
        "väntelistan till det här evenemanget. Avboka först den bokningen om ni vill ha en annan "
        "tid.",
        RejectionReason.SCHOOL_LIMIT_REACHED: "En skola får ha högst {cap} till det här "
        "evenemanget, så att fler skolor får gå, och den här förfrågan skulle ta er skola över "
        "gränsen.",
    },
)

_FINNISH = _Words(
    seats=lambda n: f"{n} paikka" if n == 1 else f"{n} paikkaa",
    seats_got=lambda n: f"{n} paikan" if n == 1 else f"{n} paikkaa",
    ordinal=lambda n: f"{n}.",
    choice=_finnish_choice,
    sentences={
        "allocated": "Ryhmänne sai {seats_got} {choice}.",
        "preferred_full_draw": "Esitykset, jotka olivat listallanne ylempänä, olivat täynnä, "
        "kun tuli ryhmänne vuoro.",
        "preferred_full": "Esitykset, jotka olivat listallanne ylempänä, olivat jo täynnä.",
        "first_come": "Paikat jaetaan pyyntöjen saapumisjärjestyksessä.",
        "after_draw": "Paikat oli jo jaettu, joten jäljellä olevat paikat annetaan pyyntöjen "
        "saapumisjärjestyksessä.",
        "draw": "Ryhmänne sijoittui jakojärjestyksessä {rank} sijalle {of} ryhmän joukosta. "
        "Etusijalla olivat koulut ja ryhmät, joilla on ollut tällä lukukaudella vähiten "
        "kulttuurikäyntejä oppilasmäärään nähden, ja tasatilanteet ratkaistiin arvalla.",
        "district_share": "Alueelle {district} varattiin {share} sen mukaan, montako tapahtuman "
        "ikäistä oppilasta alueella on.",
        "district_draw": "Ryhmänne sijoittui alueen jakojärjestyksessä {rank} sijalle {of} "
        "ryhmän joukosta. Etusijalla olivat koulut ja ryhmät, joilla on ollut tällä "
        "lukukaudella vähiten kulttuurikäyntejä oppilasmäärään nähden, ja tasatilanteet "
        "ratkaistiin arvalla.",
        "promotion": "Peruutuksen vuoksi paikkoja vapautui, ja ryhmänne oli jonossa seuraavana.",
        "queue_fair": "Jono etenee samassa järjestyksessä kuin jako: ensin ryhmät, joilla on "
        "ollut tällä lukukaudella vähemmän kulttuurikäyntejä.",
        "queue_first_come": "Jono etenee pyyntöjen saapumisjärjestyksessä.",
        "free_for_all": "Vapautuspäivän jälkeen paikat, joita alueet eivät käyttäneet, "
        "vapautuivat kaikille, ja ne jaettiin jonossa oleville ryhmille jaon järjestyksessä: "
        "ensin ryhmät, joilla on ollut tällä lukukaudella vähemmän kulttuurikäyntejä.",
        "waiting": "Ryhmänne on jonossa {position} sijalla ja saa paikat automaattisesti, jos "
        "niitä vapautuu tarpeeksi.",
        "no_room": "Yhdessäkään valitsemassanne esityksessä ei ole nyt tilaa koko ryhmällenne "
        "({seats}).",
        "no_room_draw": "Kun tuli ryhmänne vuoro, yhdessäkään valitsemassanne esityksessä ei "
        "ollut tilaa koko ryhmällenne ({seats}).",
        "no_room_district": "Kun tuli ryhmänne vuoro, alueen paikkoja ei ollut jäljellä "
        "tarpeeksi koko ryhmällenne ({seats}).",
        "moved": "Jako antoi ryhmällenne ensin paikat {drawn}; jaon jälkeen ryhmänne siirrettiin "
        "tähän esitykseen, jonka olitte myös valinneet, jotta tilaa saatiin ryhmälle koulusta, "
        "jolla {fewer}.",
        "displaced": "Jako antoi ryhmällenne ensin paikat {drawn}; jaon jälkeen ne annettiin "
        "ryhmälle koulusta, jolla {fewer_than}.",
        "lifted_moved": "Jaon jälkeen ryhmällenne tehtiin tilaa siirtämällä muita ryhmiä "
        "esityksiin, jotka ne olivat myös valinneet, koska {fewest}.",
        "lifted_displaced": "Jaon jälkeen ryhmällenne tehtiin tilaa, kun ryhmä koulusta, jolla on "
        "ollut tällä lukukaudella enemmän kulttuurikäyntejä oppilasmäärään nähden, luopui "
        "paikoistaan, koska {fewest}.",
        "lifted_free": "Jaon jälkeen paikkoja vapautui, kun muita ryhmiä siirrettiin tai ne "
        "luopuivat paikoistaan, ja ne annettiin ryhmällenne, koska {fewest}.",
        "fewer": "on ollut tällä lukukaudella vähemmän kulttuurikäyntejä oppilasmäärään nähden",
        "none": "ei ole ollut yhtään kulttuurikäyntiä tällä lukukaudella",
        "fewer_than": "on ollut tällä lukukaudella vähemmän kulttuurikäyntejä oppilasmäärään "
        "nähden kuin koulullanne on ilman näitäkin paikkoja",
        "fewest": "koulunne on niiden joukossa, joilla on ollut tällä lukukaudella vähiten "
        "kulttuurikäyntejä oppilasmäärään nähden",
        "no_visit": "koulullanne ei ole ollut yhtään kulttuurikäyntiä tällä lukukaudella",
        "unplaced_district": "Koulunne ei kuulu kunnan rekisterissä millekään alueelle, joten "
        "ryhmänne odottaa paikkoja, joita alueet eivät käytä.",
        "released_later": "Paikat, joita alueet eivät käytä, vapautuvat kaikille "
        "vapautuspäivän jälkeen.",
        "held_back": "{held} pidettiin arvonnan ulkopuolella ryhmille, joilla ei ole "
        "ollut yhtään kulttuurikäyntiä tänä lukuvuonna; paikat, joita ne eivät ota, siirtyvät "
        "jonoon vapautuspäivänä.",
        "offer_accepted": "Paikat oli varattu luokallenne, koska sillä ei ollut yhtään "
        "kulttuurikäyntiä tänä lukuvuonna, ja otitte ne vastaan ennen määräaikaa.",
        "outreach_release": "Vapautuspäivänä paikat, jotka oli varattu ryhmille ilman "
        "kulttuurikäyntiä tänä lukuvuonna ja joita ne eivät ottaneet, siirtyivät jonossa "
        "oleville ryhmille arvonnan järjestyksessä.",
        "offered": "Koko luokallenne ({seats}) on varattu paikka tähän esitykseen, koska "
        "{reached}. Ota se vastaan ennen määräaikaa; sen jälkeen paikat siirtyvät jonoon.",
        "offer_released": "Luokallenne varattua paikkaa ei otettu vastaan ennen määräaikaa, "
        "joten paikat siirtyivät jonoon.",
        "offer_withdrawn": "Luokallenne varattua paikkaa ei voi enää tarjota: esitys on peruttu "
        "tai luokallanne on jo varaus tähän tapahtumaan.",
        "reached_none": "koulullanne ei ole ollut yhtään kulttuurikäyntiä tänä lukuvuonna",
        "reached_few": "luokallanne ei ole ollut kulttuurikäyntiä tänä lukuvuonna ja koulullanne "
        "vähän oppilasmäärään nähden",
        RejectionReason.NO_PARTICIPANTS: "Pyynnössä ei ole oppilaita eikä aikuisia. Ilmoita "
        "osallistujien määrä ja lähetä pyyntö uudelleen.",
        RejectionReason.OCCURRENCE_NOT_OFFERED: "Yhtäkään valitsemaanne esitystä ei voi enää "
        "varata. Valitse toinen esitys ja lähetä pyyntö uudelleen.",
        RejectionReason.GROUP_TOO_LARGE: "Ryhmänne koko ({seats}) on suurempi kuin yhdenkään "
        "valitsemanne esityksen paikkamäärä, eikä ryhmää koskaan jaeta. Valitse suurempi "
        "esitys tai ota yhteyttä järjestäjään.",
        RejectionReason.ALREADY_REQUESTED: "Ryhmällänne on jo paikat tai paikka jonossa tähän "
        "tapahtumaan. Peru ensin se varaus, jos haluatte toisen ajan.",
        RejectionReason.SCHOOL_LIMIT_REACHED: "Yhdellä koululla voi olla tähän tapahtumaan "
        "enintään {cap}, jotta useampi koulu pääsee mukaan, ja tämä pyyntö veisi koulunne yli "
        "rajan.",
    },
)

_LANGUAGES = {Language.SV: _SWEDISH, Language.FI: _FINNISH, Language.EN: _ENGLISH}


def explain(decision: Decision, *, held_back: int = 0) -> dict[Language, str]:
    """The decision explained in each language, ready for a `LocalizedText`; `held_back`: the
    seats a draw left out for outreach, told to the groups it could not seat."""
    return {
        language: _explain(decision, words, held_back) for language, words in _LANGUAGES.items()
    }


def explain_offer(offer: Offered) -> dict[Language, str]:
    """Why held-back seats are offered to this class, and until when it may take them."""
    return {
        language: words.sentences["offered"].format(
            seats=words.seats(offer.seats),
            reached=words.sentences["reached_few" if offer.school_had_visit else "reached_none"],
        )
        for language, words in _LANGUAGES.items()
    }


def explain_offer_end(state: OfferState) -> dict[Language, str]:
    """Why an offer can no longer be accepted."""
    key = "offer_released" if state is OfferState.EXPIRED else "offer_withdrawn"
    return {language: words.sentences[key] for language, words in _LANGUAGES.items()}


def _explain(decision: Decision, words: _Words, held_back: int = 0) -> str:
    keys = _sentences(decision)
    if held_back and isinstance(decision, Waitlisted) and decision.basis in _DRAWN:
        keys.insert(len(keys) - 1, "held_back")
    said = [words.sentences[key] for key in keys]
    seats = decision.request.seats
    ranking = decision.ranking if not isinstance(decision, Rejected) else None
    adjustment = decision.adjustment if not isinstance(decision, Rejected) else None
    without_visits = adjustment is not None and adjustment.for_school_without_visits
    facts = {
        "seats": words.seats(seats),
        "seats_got": words.seats_got(seats),
        "choice": words.choice(decision.choice) if isinstance(decision, Allocated) else "",
        "position": words.ordinal(decision.position) if isinstance(decision, Waitlisted) else "",
        "cap": words.seats(decision.school_cap or 0) if isinstance(decision, Rejected) else "",
        "rank": words.ordinal(ranking.rank) if ranking else "",
        "of": str(ranking.of) if ranking else "",
        "district": ranking.district if ranking and ranking.district else "",
        "share": words.seats(ranking.district_share or 0) if ranking else "",
        "drawn": words.choice(adjustment.drawn_choice or 1) if adjustment else "",
        "fewer": words.sentences["none" if without_visits else "fewer"],
        "fewer_than": words.sentences["none" if without_visits else "fewer_than"],
        "fewest": words.sentences["no_visit" if without_visits else "fewest"],
        "held": words.seats(held_back),
    }
    return " ".join(sentence.format(**facts) for sentence in said)


def _sentences(decision: Decision) -> list[str]:
    if isinstance(decision, Rejected):
        return [decision.reason]
    if isinstance(decision, Allocated):
        return _allocated(decision)
    return _waitlisted(decision)


_DRAWN = frozenset({Basis.DRAW, Basis.DISTRICT_SHARE})


def _allocated(decision: Allocated) -> list[str]:
    said = ["allocated"]
    fair_order = decision.policy is not BookingPolicy.INSTANT
    basis = decision.basis
    adjustment = decision.adjustment
    if adjustment is not None and adjustment.change is Change.MOVED:
        return [*said, *_place_in_draw(decision.ranking), "moved"]
    if adjustment is not None:
        return [*said, *_place_in_draw(decision.ranking), "no_room_draw", _lifted(adjustment)]
    if decision.choice > 1:
        said.append("preferred_full_draw" if basis in _DRAWN else "preferred_full")
    if basis is Basis.ARRIVAL:
        said.append("after_draw" if fair_order else "first_come")
    elif basis is Basis.PROMOTION:
        said += ["promotion", "queue_fair" if fair_order else "queue_first_come"]
    elif basis is Basis.FREE_FOR_ALL:
        said.append("free_for_all")
    elif basis is Basis.OFFER:
        said.append("offer_accepted")
    elif basis is Basis.OUTREACH_RELEASE:
        said.append("outreach_release")
    else:
        said += _place_in_draw(decision.ranking)
    return said


def _waitlisted(decision: Waitlisted) -> list[str]:
    ranking = decision.ranking
    if decision.basis is Basis.DISTRICT_SHARE and decision.request.district is None:
        return ["unplaced_district", "waiting", "released_later"]
    if decision.basis is Basis.DISTRICT_SHARE:
        return [*_place_in_draw(ranking), "no_room_district", "waiting", "released_later"]
    if decision.adjustment is not None:
        return [*_place_in_draw(ranking), "displaced", "waiting"]
    if decision.basis is Basis.DRAW:
        return [*_place_in_draw(ranking), "no_room_draw", "waiting"]
    return ["no_room", "waiting"]


def _lifted(adjustment: Adjustment) -> str:
    if adjustment.displacing:
        return "lifted_displaced"
    return "lifted_moved" if adjustment.moving else "lifted_free"


def _place_in_draw(ranking: Ranking | None) -> list[str]:
    if ranking is None:
        return []
    if ranking.district_share is None:
        return ["draw"]
    return ["district_share", "district_draw"]
