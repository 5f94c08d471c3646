"""Plain dataclasses passed between the pipeline steps (no I/O, no framework)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["active", "microorganism", "additive", "nutrient", "other"]
State = Literal["live", "inactivated", "unstated"]
Basis = Literal["unit", "serving", "day"]
Severity = Literal["error", "warning", "info"]
MICROORGANISM = "microorganism"  # the id (and kind) of every microorganism active or ingredient


# ---------------------------------------------------------------- OCR (step 2)
@dataclass(frozen=True)
class OcrWord:
    """One word Tesseract read; bbox (x, y, w, h) in input-image pixels."""

    text: str
    confidence: float  # 0..100
    bbox: tuple[int, int, int, int]
    line: int  # index into OcrResult.lines
    start: int  # char offset of the word in OcrResult.text
    end: int


@dataclass(frozen=True)
class OcrLine:
    """One line Tesseract read; bbox (x, y, w, h) in input-image pixels; start/end offsets in the text."""

    text: str
    start: int
    end: int
    bbox: tuple[int, int, int, int]
    confidence: float  # mean over its words with confidence >= 0 (0 when none)
    block: int = 0  # Tesseract block and paragraph numbers (a blank line separates paragraphs)
    paragraph: int = 0


@dataclass(frozen=True)
class OcrResult:
    """What the OCR step returns: full text plus words with boxes."""

    text: str
    words: tuple[OcrWord, ...]
    mean_confidence: float  # mean over words, 0..100 (0 when no words)
    languages: str  # e.g. "eng+nld+deu+fra"
    engine: str  # e.g. "tesseract 5.3.0"
    seconds: float
    passes: tuple[str, ...] = ()  # names of the preparations/passes tried, in order
    lines: tuple[OcrLine, ...] = ()  # OcrWord.line indexes this


# ---------------------------------------------------------------- parsing (step 3)
@dataclass(frozen=True)
class Amount:
    """A quantity as printed. `unit` is normalised: mg g ug IU % cfu cells ml."""

    value: float
    unit: str
    text: str  # the printed evidence, e.g. "1.200 mg"
    value_max: float | None = None  # for printed ranges "100-200 mg"

    def mg(self) -> float | None:
        """Mass in mg, or None when the unit is not a mass."""
        factor = {"mg": 1.0, "g": 1000.0, "ug": 0.001}.get(self.unit)
        return None if factor is None else self.value * factor


@dataclass
class Ingredient:
    """One entry of the ingredient list, sub-ingredients flattened after their parent."""

    text: str  # as printed, including its function class: "antiklontermiddel: magnesiumstearaat"
    name: str  # display name (reference English name when recognised, else as printed)
    kind: Kind = "other"
    id: str | None = None  # reference id: "E470b", "sodium-butyrate", "microorganism", ...
    e_number: str | None = None  # "E470b"
    function: str | None = None  # English function class: "anti-caking agent"
    allergens: list[str] = field(default_factory=list)  # Annex II ids
    amount: Amount | None = None  # amount printed in the list itself ("(64 %)", "600 mg")
    parent: int | None = None  # index of the parent ingredient in the list
    span: tuple[int, int] | None = None  # char offsets in ParsedLabel.text (for boxes)


@dataclass
class Active:
    """A recognised active: a butyrate form or a microorganism, with what the label says of it."""

    id: str  # sodium-butyrate | calcium-butyrate | magnesium-butyrate | potassium-butyrate |
    # zinc-butyrate | butyric-acid | tributyrin | butyrate-unspecified | microorganism
    name: str  # as printed
    evidence: str  # the text the amount (or mention) rests on
    amount: Amount | None = None  # mass per `basis`
    basis: Basis | None = None  # what the amount is per
    declared_butyric_acid: Amount | None = None  # "of which butyric acid 480 mg"
    in_ingredients: bool = False  # named in the ingredient list
    # microorganisms only
    species: str | None = None
    strain: str | None = None
    state: State | None = None
    count: Amount | None = None  # cell or CFU count per `basis` (unit "cfu" or "cells")


@dataclass
class Serving:
    """Serving size and daily use. None means the label does not say."""

    units_per_serving: float | None = None  # "Serving Size 2 Capsules" -> 2
    unit: str | None = None  # singular English: capsule, softgel, tablet, sachet, scoop, g, ml, ...
    units_per_day_min: float | None = None  # from directions: "1 to 2 capsules a day" -> 1
    units_per_day_max: float | None = None  # -> 2
    servings_per_day_min: float | None = None
    servings_per_day_max: float | None = None
    evidence: str | None = None  # the direction sentence


@dataclass
class Particular:
    """A mandatory particular: present or not, with the printed value or evidence."""

    present: bool
    value: str | None = None  # e.g. "60 capsules", "see base", "NB24-1187"
    evidence: str | None = None


PARTICULAR_KEYS = ("ingredients", "daily_dose", "overdose_warning", "diet_statement",
                   "children_warning", "net_quantity", "best_before", "lot", "operator",
                   "storage", "independent_testing")


@dataclass
class Claim:
    """A disease claim found in the label text."""

    text: str  # the sentence
    term: str  # the disease or verb that made it a claim


@dataclass
class ParsedLabel:
    """Everything the parser read from the label text (step 3 output)."""

    text: str
    language: str | None = None  # nl | en | de | fr
    ingredients: list[Ingredient] = field(default_factory=list)
    actives: list[Active] = field(default_factory=list)
    serving: Serving = field(default_factory=Serving)
    particulars: dict[str, Particular] = field(default_factory=dict)  # keys: PARTICULAR_KEYS
    traces: list[str] = field(default_factory=list)  # allergen ids from "may contain"
    claims: list[Claim] = field(default_factory=list)
    postbiotic_wording: str | None = None  # evidence when the label calls itself a postbiotic
    process_standards: list[str] = field(default_factory=list)  # GMP, HACCP... (not testing)


# ---------------------------------------------------------------- rules (step 4)
@dataclass(frozen=True)
class Finding:
    """One rule that fired."""

    rule: str
    severity: Severity
    message: str
    evidence: str | None = None
    template: str | None = None  # messages.py key the message was rendered from (for other languages)
    params: tuple[tuple[str, object], ...] = ()  # the values filled into that template


@dataclass(frozen=True)
class DailyDose:
    """Daily amounts of one active, computed from its amount and the serving (mg; None = unknown)."""

    per_unit_mg: float | None
    per_day_mg_min: float | None
    per_day_mg_max: float | None
    butyric_acid_mg_per_day_max: float | None
    sodium_mg_per_day_max: float | None
