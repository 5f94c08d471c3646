"""Finding messages per rule id, in English and Dutch; render() falls back to English."""
from __future__ import annotations

import string

DEFAULT_LANG = "en"

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
