"""Rules of spec/rules.md: (parsed label, reference data, OCR) -> findings; one function per rule id."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from checker import messages
from checker.dosing import butyric_acid_per_day_max, daily_dose
from checker.models import Active, Finding, Ingredient, OcrResult, OcrWord, ParsedLabel, Severity
from checker.parsing.one_per_active import MICROORGANISM, UNSPECIFIED, has_mass, microbe_state
from checker.reference import ALLERGEN_IDS, Additive, Names, ReferenceData
from checker.textnorm import fold_keep_offsets, join_unique

RULES_VERSION = "1.0"

SEVERITY: dict[str, Severity] = {
    "ocr.unreadable": "error",
    "active.none": "error",
    "active.form-unspecified": "warning",
    "dose.missing": "warning",
    "dose.low": "warning",
    "dose.high": "warning",
    "dose.sodium": "info",
    "postbiotic.live-organisms": "error",
    "postbiotic.inactivation-missing": "warning",
    "postbiotic.strain-missing": "warning",
    "postbiotic.quantity-missing": "warning",
    "additive.banned-eu": "error",
    "additive.azo-colour": "warning",
    "additive.sweetener": "info",
    "allergen.present": "info",
    "label.ingredients-missing": "error",
    "label.daily-dose-missing": "error",
    "label.overdose-warning-missing": "warning",
    "label.diet-statement-missing": "warning",
    "label.children-warning-missing": "warning",
    "label.net-quantity-missing": "warning",
    "label.best-before-missing": "warning",
    "label.lot-missing": "warning",
    "label.operator-missing": "warning",
    "label.storage-missing": "info",
    "quality.independent-testing-missing": "warning",
    "claim.disease": "error",
    # own rules (not in the catalog): an error the OCR could not read with confidence
    "additive.banned-eu-unconfirmed": "warning",
    "claim.disease-unconfirmed": "warning",
}

# rule id -> PARTICULAR_KEYS key; the rule fires when the particular is missing
LABEL_RULES: dict[str, str] = {
    "label.ingredients-missing": "ingredients",
    "label.daily-dose-missing": "daily_dose",
    "label.overdose-warning-missing": "overdose_warning",
    "label.diet-statement-missing": "diet_statement",
    "label.children-warning-missing": "children_warning",
    "label.net-quantity-missing": "net_quantity",
    "label.best-before-missing": "best_before",
    "label.lot-missing": "lot",
    "label.operator-missing": "operator",
    "label.storage-missing": "storage",
}

SODIUM_SALT = "sodium-butyrate"

# A photo is unreadable with fewer than MIN_READABLE_WORDS words of >= 3 letters read with confidence
# >= WORD_CONFIDENCE, or with a mean confidence below MIN_MEAN_CONFIDENCE, unless plenty of words were
# read well anyway (glare can add much low-confidence noise to a label that reads fine elsewhere).
MIN_READABLE_WORDS = 8
WORD_CONFIDENCE = 50.0
MIN_MEAN_CONFIDENCE = 40.0
ENOUGH_READABLE_WORDS = 60
# An error finding whose trigger words were all read below this confidence becomes "unconfirmed".
TRIGGER_CONFIDENCE = 50.0

E_NUMBER = re.compile(r"E\d{3,4}[a-z]?")
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Context:
    """What every rule may look at."""

    label: ParsedLabel
    ref: ReferenceData
    ocr: OcrResult | None = None
    lang: str = "en"

    def finding(self, rule: str, evidence: str | None, template: str | None = None,
                **values: object) -> Finding:
        severity = SEVERITY[rule]
        message = messages.render(template or rule, self.lang, **values)
        return Finding(rule=rule, severity=severity, message=message, evidence=evidence,
                       template=template or rule, params=tuple(values.items()))


# ---------------------------------------------------------------- helpers
def _butyrate_forms(label: ParsedLabel) -> dict[str, list[Active]]:
    """Butyrate actives grouped by form id (a form printed in two languages is one form)."""
    groups: dict[str, list[Active]] = {}
    for active in label.actives:
        if active.id != MICROORGANISM:
            groups.setdefault(active.id, []).append(active)
    return groups


def _microbes(label: ParsedLabel, *states: str) -> list[Active]:
    """Microorganisms (one per organism) in the given states."""
    return [a for a in label.actives if a.id == MICROORGANISM and microbe_state(a) in states]


def _microbe_name(active: Active) -> str:
    name = active.species or active.name
    return f"{name} {active.strain}" if active.strain else name


def _fmt(value: float) -> str:
    """A figure as a pharmacist reads it: whole mg from 100 up, else one decimal at most."""
    if abs(value) >= 100 or abs(value - round(value)) < 0.05:
        return str(int(round(value)))
    return f"{value:.1f}"


PROCESS_STANDARD_NAMES = {"cgmp": "cGMP"}


def _standard_name(standard: str) -> str:
    """"iso-22000" -> "ISO 22000", "gmp" -> "GMP"; printed names pass unchanged."""
    if standard != standard.lower():
        return standard
    return PROCESS_STANDARD_NAMES.get(standard) or " ".join(
        part.upper() if part.isalpha() and len(part) <= 5 else part for part in standard.split("-"))


def _e_number(ingredient: Ingredient) -> str | None:
    for value in (ingredient.e_number, ingredient.id):
        if value and E_NUMBER.fullmatch(value):
            return value
    return None


def _additives(ctx: Context) -> Iterator[tuple[Ingredient, Additive]]:
    """Additives of the ingredient list, each E-number once, in label order."""
    seen: set[str] = set()
    for ingredient in ctx.label.ingredients:
        e_number = _e_number(ingredient)
        additive = ctx.ref.additive(e_number) if e_number else None
        if additive is not None and additive.e_number not in seen:
            seen.add(additive.e_number)
            yield ingredient, additive


def _names_in(names: Names, lang: str) -> tuple[str, ...]:
    return getattr(names, lang, ()) or names.en


def _additive_name(additive: Additive, ingredient: Ingredient, lang: str) -> str:
    names = _names_in(additive.names, lang)
    return names[0] if names else ingredient.name


def label_allergens(label: ParsedLabel, ref: ReferenceData) -> dict[str, list[str]]:
    """Annex II allergens of the ingredients (traces excluded) -> texts of the ingredients carrying them."""
    found: dict[str, list[str]] = {}
    for ingredient in label.ingredients:
        ids = list(ingredient.allergens)
        e_number = _e_number(ingredient)
        additive = ref.additive(e_number) if e_number else None
        if additive is not None and additive.allergen:
            ids.append(additive.allergen)
        for allergen in ids:
            texts = found.setdefault(allergen, [])
            if ingredient.text not in texts:
                texts.append(ingredient.text)
    order = {a: i for i, a in enumerate(ALLERGEN_IDS)}
    return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))


# ---------------------------------------------------------------- OCR
def readable_words(ocr: OcrResult) -> list[OcrWord]:
    """Words of at least three letters that Tesseract read with fair confidence."""
    return [w for w in ocr.words
            if w.confidence >= WORD_CONFIDENCE and len(LETTER.findall(w.text)) >= 3]


def is_unreadable(ocr: OcrResult | None) -> bool:
    """True when the OCR gives no usable text (almost no words, or very low confidence)."""
    if ocr is None:
        return False
    count = len(readable_words(ocr))
    if count < MIN_READABLE_WORDS:
        return True
    return ocr.mean_confidence < MIN_MEAN_CONFIDENCE and count < ENOUGH_READABLE_WORDS


def ocr_words_for(ocr: OcrResult | None, text: str, span: tuple[int, int] | None) -> list[OcrWord]:
    """OCR words overlapping `span` of `text` (the text the parser read, normally ocr.text)."""
    if ocr is None or span is None or span[1] <= span[0]:
        return []
    start, end = span
    if text != ocr.text:  # the parser read a changed text: find the same characters in the OCR text
        piece = text[start:end]
        start = ocr.text.find(piece) if piece else -1
        if start < 0:
            return []
        end = start + len(piece)
    return [w for w in ocr.words if w.start < end and w.end > start]


def locate(text: str, needle: str, within: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """Span of `needle` in `text` ignoring case and accents, inside `within` when given."""
    if not needle:
        return None
    lo, hi = within or (0, len(text))
    index = fold_keep_offsets(text[lo:hi]).find(fold_keep_offsets(needle))
    return None if index < 0 else (lo + index, lo + index + len(needle))


def _read_with_doubt(ctx: Context, span: tuple[int, int] | None) -> bool:
    """True when every OCR word under `span` was read with low confidence (nothing else backs it)."""
    words = ocr_words_for(ctx.ocr, ctx.label.text, span)
    return bool(words) and max(w.confidence for w in words) < TRIGGER_CONFIDENCE


# ---------------------------------------------------------------- reading
def rule_ocr_unreadable(ctx: Context) -> list[Finding]:
    ocr = ctx.ocr
    if not is_unreadable(ocr):
        return []
    return [ctx.finding("ocr.unreadable", None, words=len(readable_words(ocr)),
                        confidence=_fmt(ocr.mean_confidence))]


# ---------------------------------------------------------------- actives and dose
def rule_active_none(ctx: Context) -> list[Finding]:
    if _butyrate_forms(ctx.label) or _microbes(ctx.label, "inactivated", "unstated"):
        return []
    live = _microbes(ctx.label, "live")
    return [ctx.finding("active.none", join_unique(a.evidence or a.name for a in live))]


def rule_active_form_unspecified(ctx: Context) -> list[Finding]:
    actives = _butyrate_forms(ctx.label).get(UNSPECIFIED, [])
    if not actives:
        return []
    first = actives[0]
    return [ctx.finding("active.form-unspecified", join_unique(a.evidence or a.name for a in actives),
                        name=first.name)]


def rule_dose_missing(ctx: Context) -> list[Finding]:
    out = []
    for actives in _butyrate_forms(ctx.label).values():
        if not any(has_mass(a) for a in actives):
            out.append(ctx.finding("dose.missing", join_unique(a.evidence or a.name for a in actives),
                                   name=actives[0].name))
    return out


def _daily_butyric_acid(ctx: Context) -> tuple[float, bool, list[Active]]:
    """(sum of known daily butyric-acid maxima, whether some form's figure is unknown, actives used)."""
    total, unknown, used = 0.0, False, []
    for actives in _butyrate_forms(ctx.label).values():
        figures = [(butyric_acid_per_day_max(a, ctx.label.serving, ctx.ref), a) for a in actives]
        known = [(ba, a) for ba, a in figures if ba is not None]
        if not known:
            unknown = True
            continue
        ba, active = max(known, key=lambda pair: pair[0])
        total += ba
        used.append(active)
    return total, unknown, used


def _dose_finding(ctx: Context, rule: str, total: float, used: list[Active]) -> Finding:
    r = ctx.ref.dose_range
    evidence = join_unique([*(a.evidence for a in used), ctx.label.serving.evidence])
    return ctx.finding(rule, evidence, ba=_fmt(total), names=", ".join(a.name for a in used),
                       min=_fmt(r.butyric_acid_mg_per_day_min), max=_fmt(r.butyric_acid_mg_per_day_max))


def rule_dose_low(ctx: Context) -> list[Finding]:
    total, unknown, used = _daily_butyric_acid(ctx)
    # an unknown form could make up the difference, so "too low" needs every form known
    if unknown or not used or total >= ctx.ref.dose_range.butyric_acid_mg_per_day_min:
        return []
    return [_dose_finding(ctx, "dose.low", total, used)]


def rule_dose_high(ctx: Context) -> list[Finding]:
    total, _unknown, used = _daily_butyric_acid(ctx)
    if not used or total <= ctx.ref.dose_range.butyric_acid_mg_per_day_max:
        return []
    return [_dose_finding(ctx, "dose.high", total, used)]


def rule_dose_sodium(ctx: Context) -> list[Finding]:
    doses = [(daily_dose(a, ctx.label.serving, ctx.ref), a)
             for a in _butyrate_forms(ctx.label).get(SODIUM_SALT, [])]
    doses = [(d, a) for d, a in doses if d.sodium_mg_per_day_max is not None]
    if not doses:
        return []
    dose, active = max(doses, key=lambda pair: pair[0].sodium_mg_per_day_max)
    evidence = join_unique([active.evidence, ctx.label.serving.evidence])
    return [ctx.finding("dose.sodium", evidence, name=active.name, sodium=round(dose.sodium_mg_per_day_max),
                        dose=_fmt(dose.per_day_mg_max))]


# ---------------------------------------------------------------- microorganisms
def rule_postbiotic_live_organisms(ctx: Context) -> list[Finding]:
    if not ctx.label.postbiotic_wording:
        return []
    return [ctx.finding("postbiotic.live-organisms", join_unique([ctx.label.postbiotic_wording, a.evidence]),
                        name=_microbe_name(a), count=a.count.text if a.count else "CFU")
            for a in _microbes(ctx.label, "live")]


def rule_postbiotic_inactivation_missing(ctx: Context) -> list[Finding]:
    return [ctx.finding("postbiotic.inactivation-missing", a.evidence or a.name, name=_microbe_name(a))
            for a in _microbes(ctx.label, "unstated")]


def rule_postbiotic_strain_missing(ctx: Context) -> list[Finding]:
    return [ctx.finding("postbiotic.strain-missing", a.evidence or a.name, name=_microbe_name(a))
            for a in _microbes(ctx.label, "inactivated", "unstated") if not a.strain]


def rule_postbiotic_quantity_missing(ctx: Context) -> list[Finding]:
    return [ctx.finding("postbiotic.quantity-missing", a.evidence or a.name, name=_microbe_name(a))
            for a in _microbes(ctx.label, "inactivated") if a.amount is None and a.count is None]


# ---------------------------------------------------------------- additives and allergens
def _additive_span(ctx: Context, ingredient: Ingredient) -> tuple[int, int] | None:
    """Span of the additive's own name: the ingredient span after its function class ("Farbstoff:")."""
    if ingredient.span is None:
        return None
    start, end = ingredient.span
    colon = ctx.label.text.rfind(":", start, end)
    return (colon + 1, end) if colon >= 0 and colon + 1 < end else ingredient.span


def rule_additive_banned_eu(ctx: Context) -> list[Finding]:
    out = []
    for ingredient, additive in _additives(ctx):
        if not additive.banned_eu:
            continue
        note = f" {additive.note}" if additive.note and ctx.lang == "en" else ""
        values = {"name": _additive_name(additive, ingredient, ctx.lang), "e_number": additive.e_number}
        if _read_with_doubt(ctx, _additive_span(ctx, ingredient)):
            out.append(ctx.finding("additive.banned-eu-unconfirmed", ingredient.text,
                                   "additive.banned-eu#unconfirmed", **values))
        else:
            out.append(ctx.finding("additive.banned-eu", ingredient.text, note=note, **values))
    return out


def _flagged_additives(ctx: Context, rule: str, flag: str) -> list[Finding]:
    return [ctx.finding(rule, ingredient.text, name=_additive_name(additive, ingredient, ctx.lang),
                        e_number=additive.e_number)
            for ingredient, additive in _additives(ctx) if getattr(additive, flag)]


def rule_additive_azo_colour(ctx: Context) -> list[Finding]:
    return _flagged_additives(ctx, "additive.azo-colour", "azo_colour")


def rule_additive_sweetener(ctx: Context) -> list[Finding]:
    return _flagged_additives(ctx, "additive.sweetener", "sweetener")


def rule_allergen_present(ctx: Context) -> list[Finding]:
    by_id = {a.id: a for a in ctx.ref.allergens}
    out = []
    for allergen, texts in label_allergens(ctx.label, ctx.ref).items():
        names = _names_in(by_id[allergen].names, ctx.lang) if allergen in by_id else ()
        out.append(ctx.finding("allergen.present", join_unique(texts), allergen=allergen,
                               allergen_name=names[0] if names else allergen, ingredients=", ".join(texts)))
    return out


# ---------------------------------------------------------------- particulars, quality, claims
def _particular_missing(label: ParsedLabel, key: str) -> bool:
    particular = label.particulars.get(key)
    return particular is None or not particular.present


def _label_rule(rule: str) -> Callable[[Context], list[Finding]]:
    key = LABEL_RULES[rule]

    def check(ctx: Context) -> list[Finding]:
        return [ctx.finding(rule, None)] if _particular_missing(ctx.label, key) else []

    check.__name__ = "rule_" + rule.replace(".", "_").replace("-", "_")
    return check


def rule_quality_independent_testing_missing(ctx: Context) -> list[Finding]:
    if not _particular_missing(ctx.label, "independent_testing"):
        return []
    standards = list(dict.fromkeys(_standard_name(s) for s in ctx.label.process_standards))
    if standards:
        return [ctx.finding("quality.independent-testing-missing", join_unique(standards),
                            "quality.independent-testing-missing#process", standards=", ".join(standards))]
    return [ctx.finding("quality.independent-testing-missing", None)]


def rule_claim_disease(ctx: Context) -> list[Finding]:
    out, seen = [], set()
    for claim in ctx.label.claims:
        if claim.text in seen:
            continue
        seen.add(claim.text)
        sentence = locate(ctx.label.text, claim.text)
        term_span = locate(ctx.label.text, claim.term, sentence) or locate(ctx.label.text, claim.term)
        if _read_with_doubt(ctx, term_span):
            out.append(ctx.finding("claim.disease-unconfirmed", claim.text, "claim.disease#unconfirmed",
                                   term=claim.term))
        else:
            out.append(ctx.finding("claim.disease", claim.text, term=claim.term))
    return out


RULES: tuple[Callable[[Context], list[Finding]], ...] = (
    rule_active_none,
    rule_active_form_unspecified,
    rule_dose_missing,
    rule_dose_low,
    rule_dose_high,
    rule_dose_sodium,
    rule_postbiotic_live_organisms,
    rule_postbiotic_inactivation_missing,
    rule_postbiotic_strain_missing,
    rule_postbiotic_quantity_missing,
    rule_additive_banned_eu,
    rule_additive_azo_colour,
    rule_additive_sweetener,
    rule_allergen_present,
    *(_label_rule(rule) for rule in LABEL_RULES),
    rule_quality_independent_testing_missing,
    rule_claim_disease,
)


def evaluate(label: ParsedLabel, ref: ReferenceData, *, ocr: OcrResult | None = None,
             lang: str = "en") -> list[Finding]:
    """All findings for a label; an unreadable photo gives only `ocr.unreadable`."""
    ctx = Context(label=label, ref=ref, ocr=ocr, lang=lang)
    unreadable = rule_ocr_unreadable(ctx)
    if unreadable:  # a verdict built on OCR noise is worse than none
        return unreadable
    return [finding for rule in RULES for finding in rule(ctx)]


def verdict(findings: list[Finding]) -> str:
    """pass | review | fail | unreadable, from the findings' severities (rules.md)."""
    if any(f.rule == "ocr.unreadable" for f in findings):
        return "unreadable"
    severities = {f.severity for f in findings}
    if "error" in severities:
        return "fail"
    if "warning" in severities:
        return "review"
    return "pass"
