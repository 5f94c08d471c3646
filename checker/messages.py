"""Finding messages per rule id, in English and Dutch; render() falls back to English."""
from __future__ import annotations

import re
import string
from typing import Any, NamedTuple

DEFAULT_LANG = "en"
FIELD = re.compile(r"\{\w+\}")  # a placeholder in a message template

# Keys are rule ids; a key with a suffix after "#" is a variant of that rule's message.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "ocr.unreadable": (
            "The photo gives no usable text ({words} readable words, mean OCR confidence {confidence}%). "
            "Take a new photo: hold the phone closer and parallel to the label, make sure the text is "
            "sharp (tap to focus), and use even light without glare, reflections or shadows."),
        "active.none": (
            "No butyrate form and no inactivated microorganism was found, so this product is not a "
            "postbiotic (it looks like another supplement, or a probiotic of live organisms only)."),
        "active.form-unspecified": (
            "\"{name}\" is listed without the salt or ester it is (sodium, calcium, magnesium butyrate, "
            "tributyrin...), so its butyric-acid content cannot be worked out."),
        "dose.missing": (
            "The label gives no amount of {name} per unit, serving or day, so the dose cannot be checked."),
        "dose.low": (
            "At the highest recommended use the product supplies about {ba} mg butyric acid per day "
            "(from {names}), below the {min}-{max} mg/day range used in human studies."),
        "dose.high": (
            "At the highest recommended use the product supplies about {ba} mg butyric acid per day "
            "(from {names}), above the {min}-{max} mg/day range used in human studies."),
        "dose.sodium": (
            "{name} supplies about {sodium} mg sodium per day (at {dose} mg {name} a day); "
            "relevant for people on a sodium-restricted diet."),
        "postbiotic.live-organisms": (
            "The label presents the product as a postbiotic, but {name} is declared as live ({count}). "
            "A postbiotic consists of inactivated microorganisms; a live count contradicts that."),
        "postbiotic.inactivation-missing": (
            "The label does not say whether {name} is inactivated (heat-killed, heat-treated...) or alive."),
        "postbiotic.strain-missing": (
            "{name} is named without a strain designation (such as \"L-137\" or \"DSM 17938\"); the "
            "effects of a postbiotic are strain-specific."),
        "postbiotic.quantity-missing": (
            "No amount (mass or cell count) is given for the inactivated {name}."),
        "additive.banned-eu": "{name} ({e_number}) is not authorised in food in the EU.{note}",
        "additive.banned-eu#unconfirmed": (
            "The text may name {name} ({e_number}), which is not authorised in food in the EU, but the "
            "photo is not clear enough to be sure. Check the printed label."),
        "additive.azo-colour": (
            "Contains {name} ({e_number}): the label must warn that it \"may have an adverse effect on "
            "activity and attention in children\" (Regulation (EC) 1333/2008, Annex V)."),
        "additive.sweetener": "Contains the sweetener {name} ({e_number}).",
        "allergen.present": "Contains {allergen_name} (EU allergen \"{allergen}\") in: {ingredients}.",
        "label.ingredients-missing": "No ingredient list was found.",
        "label.daily-dose-missing": "The recommended daily portion is not stated.",
        "label.overdose-warning-missing": "The warning not to exceed the recommended daily dose is missing.",
        "label.diet-statement-missing": (
            "The statement that a food supplement is not a substitute for a varied diet is missing."),
        "label.children-warning-missing": (
            "The warning to keep the product out of the reach of young children is missing."),
        "label.net-quantity-missing": "The net quantity (weight, volume or number of units) is missing.",
        "label.best-before-missing": (
            "No best-before or use-by date was found (nor a note saying where it is printed)."),
        "label.lot-missing": "No lot or batch number was found (nor a note saying where it is printed).",
        "label.operator-missing": "The name and address of the business operator are missing.",
        "label.storage-missing": "No storage conditions are given.",
        "quality.independent-testing-missing": (
            "No independent testing is stated (an accredited laboratory, a certificate of analysis or a "
            "certification scheme such as Informed Sport or Kölner Liste)."),
        "quality.independent-testing-missing#process": (
            "No independent testing is stated. The standards named ({standards}) concern the production "
            "process; they are no test of the product by an outside laboratory."),
        "claim.disease": (
            "The label claims the product prevents, treats or cures a disease (\"{term}\"). Such claims "
            "are not allowed for foods in the EU."),
        "claim.disease#unconfirmed": (
            "The text may claim that the product treats a disease (\"{term}\"), but the photo is not "
            "clear enough to be sure. Check the printed label."),
    },
    "nl": {
        "ocr.unreadable": (
            "De foto levert geen bruikbare tekst op ({words} leesbare woorden, gemiddelde OCR-zekerheid "
            "{confidence}%). Maak een nieuwe foto: houd de telefoon dichterbij en evenwijdig aan het "
            "etiket, zorg dat de tekst scherp is (tik om scherp te stellen) en gebruik gelijkmatig licht "
            "zonder schittering, weerspiegeling of schaduw."),
        "active.none": (
            "Er is geen butyraatvorm en geen geïnactiveerd micro-organisme gevonden: dit product is geen "
            "postbioticum (het lijkt een ander supplement of een probioticum met alleen levende "
            "organismen)."),
        "active.form-unspecified": (
            "\"{name}\" staat op het etiket zonder het zout of de ester (natrium-, calcium-, "
            "magnesiumbutyraat, tributyrine...), dus het boterzuurgehalte is niet te berekenen."),
        "dose.missing": (
            "Het etiket noemt geen hoeveelheid {name} per eenheid, portie of dag; de dosis is niet te "
            "controleren."),
        "dose.low": (
            "Bij het hoogste aanbevolen gebruik levert het product ongeveer {ba} mg boterzuur per dag "
            "(uit {names}), minder dan de {min}-{max} mg/dag uit onderzoek bij mensen."),
        "dose.high": (
            "Bij het hoogste aanbevolen gebruik levert het product ongeveer {ba} mg boterzuur per dag "
            "(uit {names}), meer dan de {min}-{max} mg/dag uit onderzoek bij mensen."),
        "dose.sodium": (
            "{name} levert ongeveer {sodium} mg natrium per dag (bij {dose} mg {name} per dag); "
            "van belang bij een natriumbeperkt dieet."),
        "postbiotic.live-organisms": (
            "Het etiket noemt het product een postbioticum, maar {name} wordt als levend opgegeven "
            "({count}). Een postbioticum bestaat uit geïnactiveerde micro-organismen; een kiemgetal "
            "spreekt dat tegen."),
        "postbiotic.inactivation-missing": (
            "Het etiket zegt niet of {name} geïnactiveerd (hitte-gedood...) of levend is."),
        "postbiotic.strain-missing": (
            "{name} wordt genoemd zonder stamaanduiding (zoals \"L-137\" of \"DSM 17938\"); de werking "
            "van een postbioticum is stamspecifiek."),
        "postbiotic.quantity-missing": (
            "Er is geen hoeveelheid (massa of aantal cellen) opgegeven voor het geïnactiveerde {name}."),
        "additive.banned-eu": "{name} ({e_number}) is in de EU niet toegestaan in levensmiddelen.{note}",
        "additive.banned-eu#unconfirmed": (
            "De tekst noemt mogelijk {name} ({e_number}), dat in de EU niet is toegestaan in "
            "levensmiddelen, maar de foto is niet duidelijk genoeg. Controleer het etiket zelf."),
        "additive.azo-colour": (
            "Bevat {name} ({e_number}): het etiket moet vermelden \"kan de activiteit of oplettendheid "
            "van kinderen nadelig beïnvloeden\" (Verordening (EG) 1333/2008, bijlage V)."),
        "additive.sweetener": "Bevat de zoetstof {name} ({e_number}).",
        "allergen.present": "Bevat {allergen_name} (EU-allergeen \"{allergen}\") in: {ingredients}.",
        "label.ingredients-missing": "Er is geen ingrediëntenlijst gevonden.",
        "label.daily-dose-missing": "De aanbevolen dagelijkse portie ontbreekt.",
        "label.overdose-warning-missing": (
            "De waarschuwing de aanbevolen dagelijkse dosis niet te overschrijden ontbreekt."),
        "label.diet-statement-missing": (
            "De vermelding dat een voedingssupplement geen vervanging is van een gevarieerde voeding "
            "ontbreekt."),
        "label.children-warning-missing": (
            "De waarschuwing het product buiten het bereik van jonge kinderen te bewaren ontbreekt."),
        "label.net-quantity-missing": "De netto hoeveelheid (gewicht, volume of aantal) ontbreekt.",
        "label.best-before-missing": (
            "Er is geen houdbaarheidsdatum gevonden (ook geen verwijzing naar waar die staat)."),
        "label.lot-missing": (
            "Er is geen partij- of lotnummer gevonden (ook geen verwijzing naar waar het staat)."),
        "label.operator-missing": "Naam en adres van de verantwoordelijke onderneming ontbreken.",
        "label.storage-missing": "Er staan geen bewaarvoorschriften op het etiket.",
        "quality.independent-testing-missing": (
            "Er wordt geen onafhankelijke controle vermeld (een geaccrediteerd laboratorium, een "
            "analysecertificaat of een keurmerk zoals Informed Sport of NZVT)."),
        "quality.independent-testing-missing#process": (
            "Er wordt geen onafhankelijke controle vermeld. De genoemde normen ({standards}) gaan over het "
            "productieproces; ze zijn geen test van het product door een extern laboratorium."),
        "claim.disease": (
            "Het etiket beweert dat het product een ziekte voorkomt, behandelt of geneest (\"{term}\"). "
            "Dat is in de EU voor levensmiddelen niet toegestaan."),
        "claim.disease#unconfirmed": (
            "De tekst beweert mogelijk dat het product een ziekte behandelt (\"{term}\"), maar de foto is "
            "niet duidelijk genoeg. Controleer het etiket zelf."),
    },
}


class _Blank(dict):
    """Leaves an unknown placeholder visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def template(key: str, lang: str | None = None) -> str:
    """The message template for a rule id (or variant key) in `lang`, else English."""
    table = MESSAGES.get(lang or DEFAULT_LANG, {})
    text = table.get(key) or MESSAGES[DEFAULT_LANG].get(key)
    if text is None:
        raise KeyError(f"no message for {key!r}")
    return text


def render(rule: str, lang: str | None = None, **values: object) -> str:
    """Fill in the template of `rule` for `lang` (falling back to English)."""
    text = template(rule, lang)
    return string.Formatter().vformat(text, (), _Blank({k: _show(v) for k, v in values.items()}))


def _show(value: object) -> object:
    """Numbers as people write them: 1200, 960.4 (no trailing .0)."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return value


# ---------------------------------------------------------------- explanations for the report page
class Explanation(NamedTuple):
    """What a finding means, why it matters to the person holding the product, and the rule behind it."""

    means: str
    why: str
    law: str


_SUPPLEMENTS = "Directive 2002/46/EC"
_FIC = "Regulation (EU) 1169/2011"
_ADDITIVES = "Regulation (EC) 1333/2008"
_ISAPP = "ISAPP consensus definition of postbiotics (Salminen et al., 2021)"
_ISAPP_NL = "ISAPP-consensusdefinitie van postbiotica (Salminen e.a., 2021)"

# rule id -> language -> (means, why, law). Ids with "-unconfirmed" use their base rule's entry.
EXPLANATIONS: dict[str, dict[str, Explanation]] = {
    "ocr.unreadable": {
        "en": Explanation(
            "The photo gave too little readable text to judge the label.",
            "Nothing on the label was checked: a verdict built on misread words would be wrong either way.",
            "Not a legal rule: a condition for any check."),
        "nl": Explanation(
            "De foto leverde te weinig leesbare tekst op om het etiket te beoordelen.",
            "Er is niets gecontroleerd: een oordeel op verkeerd gelezen woorden zou hoe dan ook fout zijn.",
            "Geen wettelijke regel: een voorwaarde voor elke controle."),
    },
    "active.none": {
        "en": Explanation(
            "No butyrate form and no inactivated microorganism was found on the label.",
            "Whoever buys this as a butyrate or postbiotic supplement does not get one: it may be a "
            "probiotic with live bacteria or a different supplement altogether.",
            f"{_ISAPP}; food information must not mislead: {_FIC}, Art. 7."),
        "nl": Explanation(
            "Er is geen butyraatvorm en geen geïnactiveerd micro-organisme op het etiket gevonden.",
            "Wie dit koopt als butyraat- of postbioticasupplement, krijgt dat niet: het kan een probioticum "
            "met levende bacteriën zijn, of een heel ander supplement.",
            f"{_ISAPP_NL}; voedselinformatie mag niet misleiden: Verordening (EU) 1169/2011, art. 7."),
    },
    "active.form-unspecified": {
        "en": Explanation(
            "The label says \"butyrate\" without saying which salt or ester it is.",
            "The forms differ in how much butyric acid and sodium they give (sodium butyrate about 80 % "
            "butyric acid, tributyrin about 87 %), so the real dose cannot be worked out or compared.",
            f"Amounts per daily portion: {_SUPPLEMENTS}, Art. 8; the ingredient's name: {_FIC}, Art. 18."),
        "nl": Explanation(
            "Het etiket noemt \"butyraat\" zonder te zeggen welk zout of welke ester het is.",
            "De vormen leveren verschillend veel boterzuur en natrium (natriumbutyraat ongeveer 80 % "
            "boterzuur, tributyrine ongeveer 87 %), dus de echte dosis is niet te berekenen of te "
            "vergelijken.",
            "Hoeveelheden per dagportie: Richtlijn 2002/46/EG, art. 8; naam van het ingrediënt: "
            "Verordening (EU) 1169/2011, art. 18."),
    },
    "dose.missing": {
        "en": Explanation(
            "The label gives no amount of the butyrate form.",
            "Without an amount nobody can tell whether a capsule holds a useful dose or hardly any.",
            f"{_SUPPLEMENTS}, Art. 8: the amount of each substance per recommended daily portion."),
        "nl": Explanation(
            "Het etiket noemt geen hoeveelheid van de butyraatvorm.",
            "Zonder hoeveelheid weet niemand of een capsule een zinvolle dosis bevat of bijna niets.",
            "Richtlijn 2002/46/EG, art. 8: de hoeveelheid van elke stof per aanbevolen dagportie."),
    },
    "dose.low": {
        "en": Explanation(
            "At the highest use the label allows, the product gives less butyric acid a day than the "
            "amounts used in studies in people.",
            "The product may not do what the buyer expects from it; compare it with products that give more.",
            "No legal minimum: the range comes from human studies (see the reference data)."),
        "nl": Explanation(
            "Bij het hoogste gebruik dat het etiket toestaat, levert het product minder boterzuur per dag "
            "dan de hoeveelheden uit onderzoek bij mensen.",
            "Het product doet mogelijk niet wat de koper ervan verwacht; vergelijk het met producten die "
            "meer leveren.",
            "Geen wettelijk minimum: het bereik komt uit onderzoek bij mensen (zie de referentiegegevens)."),
    },
    "dose.high": {
        "en": Explanation(
            "At the highest use the label allows, the product gives more butyric acid a day than the "
            "amounts used in studies in people.",
            "More than has been studied, often with more sodium and more stomach or bowel complaints; "
            "worth discussing with a doctor or pharmacist.",
            "No legal maximum for butyrate in the EU: the range comes from human studies (see the "
            "reference data)."),
        "nl": Explanation(
            "Bij het hoogste gebruik dat het etiket toestaat, levert het product meer boterzuur per dag dan "
            "de hoeveelheden uit onderzoek bij mensen.",
            "Meer dan onderzocht is, vaak met meer natrium en meer maag- of darmklachten; bespreek het met "
            "een arts of apotheker.",
            "Geen wettelijk maximum voor butyraat in de EU: het bereik komt uit onderzoek bij mensen (zie de "
            "referentiegegevens)."),
    },
    "dose.sodium": {
        "en": Explanation(
            "Sodium butyrate brings sodium with it: about 209 mg sodium per 1000 mg.",
            "Relevant for people with high blood pressure, heart or kidney disease, or on a low-salt diet.",
            f"For information. Salt = sodium × 2.5 ({_FIC}, Annex I)."),
        "nl": Explanation(
            "Natriumbutyraat brengt natrium mee: ongeveer 209 mg natrium per 1000 mg.",
            "Van belang bij hoge bloeddruk, hart- of nierziekte, of een zoutarm dieet.",
            "Ter informatie. Zout = natrium × 2,5 (Verordening (EU) 1169/2011, bijlage I)."),
    },
    "postbiotic.live-organisms": {
        "en": Explanation(
            "The product is called a postbiotic, but it lists live microorganisms (a CFU count).",
            "A postbiotic is made of inactivated microorganisms; a count of live cells means the label "
            "contradicts itself and the buyer cannot know what is in the pack.",
            f"{_ISAPP}; misleading food information: {_FIC}, Art. 7."),
        "nl": Explanation(
            "Het product heet een postbioticum, maar noemt levende micro-organismen (een kiemgetal, KVE).",
            "Een postbioticum bestaat uit geïnactiveerde micro-organismen; een aantal levende cellen "
            "betekent dat het etiket zichzelf tegenspreekt en de koper niet weet wat erin zit.",
            f"{_ISAPP_NL}; misleidende voedselinformatie: Verordening (EU) 1169/2011, art. 7."),
    },
    "postbiotic.inactivation-missing": {
        "en": Explanation(
            "The label does not say whether the microorganism is alive or inactivated (e.g. heat-killed).",
            "That is the difference between a probiotic and a postbiotic, with different effects, "
            "storage and safety.",
            f"{_ISAPP} (the inactivation method should be stated); {_FIC}, Art. 7."),
        "nl": Explanation(
            "Het etiket zegt niet of het micro-organisme levend of geïnactiveerd (bijv. hitte-gedood) is.",
            "Dat is het verschil tussen een probioticum en een postbioticum, met een andere werking, "
            "bewaring en veiligheid.",
            f"{_ISAPP_NL} (de inactiveringsmethode hoort vermeld); Verordening (EU) 1169/2011, art. 7."),
    },
    "postbiotic.strain-missing": {
        "en": Explanation(
            "The microorganism is named without its strain (such as \"L-137\" or \"DSM 17938\").",
            "Effects belong to one strain: evidence for one strain says nothing about another of the same "
            "species.",
            f"{_ISAPP} (strain-level identity); EFSA asks for strain-level identification for claims on "
            "microorganisms."),
        "nl": Explanation(
            "Het micro-organisme wordt genoemd zonder stam (zoals \"L-137\" of \"DSM 17938\").",
            "Een werking hoort bij één stam: bewijs voor de ene stam zegt niets over een andere stam van "
            "dezelfde soort.",
            f"{_ISAPP_NL} (identiteit op stamniveau); EFSA vraagt identificatie op stamniveau voor "
            "gezondheidsclaims over micro-organismen."),
    },
    "postbiotic.quantity-missing": {
        "en": Explanation(
            "No amount (mass or number of cells) is given for the inactivated microorganism.",
            "Studies use a set amount; without one the product cannot be compared with them.",
            f"{_SUPPLEMENTS}, Art. 8; {_ISAPP} (quantity per dose)."),
        "nl": Explanation(
            "Er is geen hoeveelheid (massa of aantal cellen) van het geïnactiveerde micro-organisme gegeven.",
            "Onderzoek gebruikt een vaste hoeveelheid; zonder hoeveelheid is het product daarmee niet te "
            "vergelijken.",
            f"Richtlijn 2002/46/EG, art. 8; {_ISAPP_NL} (hoeveelheid per dosis)."),
    },
    "additive.banned-eu": {
        "en": Explanation(
            "The product contains an additive that is not authorised in food in the EU.",
            "It may not be sold as food in the EU. Titanium dioxide (E171) was withdrawn because damage to "
            "genetic material could not be ruled out (EFSA, 2021).",
            f"{_ADDITIVES}, Art. 4 and Annex II; for E171 Regulation (EU) 2022/63."),
        "nl": Explanation(
            "Het product bevat een additief dat in de EU niet in levensmiddelen is toegestaan.",
            "Het mag in de EU niet als levensmiddel verkocht worden. Titaandioxide (E171) is verboden omdat "
            "schade aan het erfelijk materiaal niet uit te sluiten was (EFSA, 2021).",
            "Verordening (EG) 1333/2008, art. 4 en bijlage II; voor E171 Verordening (EU) 2022/63."),
    },
    "additive.azo-colour": {
        "en": Explanation(
            "The product contains one of six colours that need a warning about children.",
            "These colours have been linked to hyperactivity in children; the warning must be on the label.",
            f"{_ADDITIVES}, Art. 24 and Annex V."),
        "nl": Explanation(
            "Het product bevat een van de zes kleurstoffen waarvoor een waarschuwing over kinderen nodig is.",
            "Deze kleurstoffen worden in verband gebracht met hyperactiviteit bij kinderen; de waarschuwing "
            "moet op het etiket staan.",
            "Verordening (EG) 1333/2008, art. 24 en bijlage V."),
    },
    "additive.sweetener": {
        "en": Explanation(
            "The product contains an intense sweetener or a polyol.",
            "For information: aspartame is a source of phenylalanine (a concern in phenylketonuria); "
            "polyols can act as a laxative in larger amounts.",
            f"{_ADDITIVES}; extra label wording: {_FIC}, Annex III."),
        "nl": Explanation(
            "Het product bevat een intensieve zoetstof of een polyol.",
            "Ter informatie: aspartaam is een bron van fenylalanine (van belang bij fenylketonurie); "
            "polyolen kunnen in grotere hoeveelheden laxerend werken.",
            "Verordening (EG) 1333/2008; extra vermeldingen: Verordening (EU) 1169/2011, bijlage III."),
    },
    "allergen.present": {
        "en": Explanation(
            "An ingredient contains one of the 14 allergens that EU law names.",
            "People with this allergy or intolerance must avoid the product; the allergen must stand out "
            "in the ingredient list (bold, capitals or underlined).",
            f"{_FIC}, Art. 9(1)(c), Art. 21 and Annex II."),
        "nl": Explanation(
            "Een ingrediënt bevat een van de 14 allergenen die de EU-wet noemt.",
            "Mensen met deze allergie of intolerantie moeten het product vermijden; het allergeen moet "
            "opvallen in de ingrediëntenlijst (vet, hoofdletters of onderstreept).",
            "Verordening (EU) 1169/2011, art. 9, lid 1, c), art. 21 en bijlage II."),
    },
    "label.ingredients-missing": {
        "en": Explanation(
            "No ingredient list was found.",
            "Without it nobody can check for allergens, additives or what the capsules are made of.",
            f"{_FIC}, Art. 9(1)(b) and Art. 18."),
        "nl": Explanation(
            "Er is geen ingrediëntenlijst gevonden.",
            "Zonder lijst kan niemand nagaan welke allergenen, additieven of capsulematerialen erin zitten.",
            "Verordening (EU) 1169/2011, art. 9, lid 1, b), en art. 18."),
    },
    "label.daily-dose-missing": {
        "en": Explanation(
            "The label does not say how much to take a day.",
            "Without a recommended daily portion the product cannot be used safely or compared.",
            f"{_SUPPLEMENTS}, Art. 6(3)(b)."),
        "nl": Explanation(
            "Het etiket zegt niet hoeveel je per dag neemt.",
            "Zonder aanbevolen dagportie is het product niet veilig te gebruiken of te vergelijken.",
            "Richtlijn 2002/46/EG, art. 6, lid 3, b)."),
    },
    "label.overdose-warning-missing": {
        "en": Explanation(
            "The warning not to take more than the recommended daily dose is missing.",
            "Every food supplement must carry it: more is not better, and some substances harm in excess.",
            f"{_SUPPLEMENTS}, Art. 6(3)(c)."),
        "nl": Explanation(
            "De waarschuwing niet meer dan de aanbevolen dagelijkse dosis te nemen ontbreekt.",
            "Elk voedingssupplement moet die vermelden: meer is niet beter, en sommige stoffen schaden in "
            "overmaat.",
            "Richtlijn 2002/46/EG, art. 6, lid 3, c)."),
    },
    "label.diet-statement-missing": {
        "en": Explanation(
            "The statement that a supplement does not replace a varied diet is missing.",
            "The law requires it on every food supplement.",
            f"{_SUPPLEMENTS}, Art. 6(3)(d)."),
        "nl": Explanation(
            "De vermelding dat een supplement geen gevarieerde voeding vervangt ontbreekt.",
            "De wet eist die op elk voedingssupplement.",
            "Richtlijn 2002/46/EG, art. 6, lid 3, d)."),
    },
    "label.children-warning-missing": {
        "en": Explanation(
            "The warning to keep the product out of reach of young children is missing.",
            "Children can swallow capsules meant for adults; every supplement must carry this warning.",
            f"{_SUPPLEMENTS}, Art. 6(3)(e)."),
        "nl": Explanation(
            "De waarschuwing het product buiten bereik van jonge kinderen te houden ontbreekt.",
            "Kinderen kunnen capsules voor volwassenen inslikken; elk supplement moet deze waarschuwing "
            "dragen.",
            "Richtlijn 2002/46/EG, art. 6, lid 3, e)."),
    },
    "label.net-quantity-missing": {
        "en": Explanation(
            "The net quantity (weight, volume or number of capsules) is missing.",
            "Buyers need it to know what they pay for and to compare prices.",
            f"{_FIC}, Art. 9(1)(e) and Art. 23."),
        "nl": Explanation(
            "De netto hoeveelheid (gewicht, volume of aantal capsules) ontbreekt.",
            "Kopers hebben die nodig om te weten wat ze betalen en om prijzen te vergelijken.",
            "Verordening (EU) 1169/2011, art. 9, lid 1, e), en art. 23."),
    },
    "label.best-before-missing": {
        "en": Explanation(
            "No best-before or use-by date was found, nor a note on where it is printed.",
            "After that date the amounts on the label are no longer guaranteed.",
            f"{_FIC}, Art. 9(1)(f) and Art. 24."),
        "nl": Explanation(
            "Er is geen houdbaarheidsdatum gevonden, en ook geen verwijzing naar waar die staat.",
            "Na die datum zijn de hoeveelheden op het etiket niet meer gegarandeerd.",
            "Verordening (EU) 1169/2011, art. 9, lid 1, f), en art. 24."),
    },
    "label.lot-missing": {
        "en": Explanation(
            "No lot or batch number was found, nor a note on where it is printed.",
            "Without a lot number a faulty batch cannot be traced or recalled.",
            "Directive 2011/91/EU, Art. 3 and 4."),
        "nl": Explanation(
            "Er is geen partij- of lotnummer gevonden, en ook geen verwijzing naar waar het staat.",
            "Zonder lotnummer is een foute partij niet op te sporen of terug te roepen.",
            "Richtlijn 2011/91/EU, art. 3 en 4."),
    },
    "label.operator-missing": {
        "en": Explanation(
            "The name and address of the company responsible are missing.",
            "Buyers and authorities need to know who answers for the product and where to complain.",
            f"{_FIC}, Art. 8 and Art. 9(1)(h)."),
        "nl": Explanation(
            "Naam en adres van het verantwoordelijke bedrijf ontbreken.",
            "Kopers en toezichthouders moeten weten wie voor het product instaat en waar ze kunnen klagen.",
            "Verordening (EU) 1169/2011, art. 8 en art. 9, lid 1, h)."),
    },
    "label.storage-missing": {
        "en": Explanation(
            "No storage conditions are given.",
            "Heat and damp can spoil capsules; the label should say how to keep them when it matters.",
            f"{_FIC}, Art. 9(1)(g) and Art. 25 (when special storage is needed)."),
        "nl": Explanation(
            "Er staan geen bewaarvoorschriften op het etiket.",
            "Warmte en vocht kunnen capsules bederven; het etiket hoort te zeggen hoe je ze bewaart als dat "
            "ertoe doet.",
            "Verordening (EU) 1169/2011, art. 9, lid 1, g), en art. 25 (als bijzondere bewaring nodig is)."),
    },
    "quality.independent-testing-missing": {
        "en": Explanation(
            "The label names no independent test of the product (an outside laboratory or a "
            "certification scheme).",
            "Supplements are not tested before they are sold; an outside test shows the content and "
            "purity match the label. GMP or HACCP only describe how a factory works.",
            "No legal duty: good practice. HACCP is required of every food business anyway "
            "(Regulation (EC) 852/2004)."),
        "nl": Explanation(
            "Het etiket noemt geen onafhankelijke test van het product (een extern laboratorium of een "
            "keurmerk).",
            "Supplementen worden niet getest voordat ze verkocht worden; een externe test laat zien dat "
            "gehalte en zuiverheid kloppen. GMP of HACCP beschrijven alleen hoe een fabriek werkt.",
            "Geen wettelijke plicht: goede praktijk. HACCP is voor elk levensmiddelenbedrijf toch al "
            "verplicht (Verordening (EG) 852/2004)."),
    },
    "claim.disease": {
        "en": Explanation(
            "The label claims the product prevents, treats or cures a disease.",
            "Foods and supplements may not make such claims; someone may put off treatment that works.",
            f"{_FIC}, Art. 7(3); {_SUPPLEMENTS}, Art. 6(2)."),
        "nl": Explanation(
            "Het etiket beweert dat het product een ziekte voorkomt, behandelt of geneest.",
            "Levensmiddelen en supplementen mogen dat niet beweren; iemand kan een werkzame behandeling "
            "uitstellen.",
            "Verordening (EU) 1169/2011, art. 7, lid 3; Richtlijn 2002/46/EG, art. 6, lid 2."),
    },
}
UNCONFIRMED_SUFFIX = "-unconfirmed"


def explain(rule: str, lang: str | None = None) -> Explanation | None:
    """The explanation of a rule id in `lang` (else English); an "-unconfirmed" id uses its base rule."""
    entry = EXPLANATIONS.get(rule) or EXPLANATIONS.get(rule.removesuffix(UNCONFIRMED_SUFFIX))
    if entry is None:
        return None
    return entry.get(lang or DEFAULT_LANG) or entry[DEFAULT_LANG]


def localise(finding: dict[str, Any], lang: str | None = None) -> tuple[str, str]:
    """(message, language it is in) of a report finding for `lang`.

    A finding that carries its `params` (and `template` for a variant) is rendered afresh; a rule whose
    message needs no values is rendered from its template; otherwise the stored message is kept as it is.
    """
    stored = str(finding.get("message") or "")
    stored_lang = str(finding.get("lang") or DEFAULT_LANG)
    lang = lang or DEFAULT_LANG
    if lang == stored_lang and stored:
        return stored, stored_lang
    key = str(finding.get("template") or finding.get("rule") or "")
    params = finding.get("params")
    try:
        text = template(key, lang)
    except KeyError:
        return stored, stored_lang
    if isinstance(params, dict):
        return render(key, lang, **params), lang
    if not FIELD.search(text) and stored == template(key, DEFAULT_LANG):  # not a variant with values
        return text, lang
    return stored, stored_lang
