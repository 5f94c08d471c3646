"""A small, self-contained ReferenceData and label builders for isolated dosing/rules/report tests."""
from __future__ import annotations

from checker.models import (
    PARTICULAR_KEYS,
    Active,
    Amount,
    Claim,
    Ingredient,
    ParsedLabel,
    Particular,
    Serving,
)
from checker.parsing.one_per_active import one_per_active
from checker.reference import ALLERGEN_IDS, ReferenceData

C, H, OX, NA, K, CA, MG, ZN = 12.011, 1.008, 15.999, 22.990, 39.098, 40.078, 24.305, 65.38
BUTYRATE_ANION = 4 * C + 7 * H + 2 * OX  # 87.098

SRC = ["test"]


def _form(form_id: str, en: str, molar_mass: float | None, per: int | None,
          metal: str | None = None, metal_mass: float | None = None) -> dict:
    return {"id": form_id, "names": {"en": [en]}, "molar_mass": molar_mass, "butyrates_per_formula": per,
            "metal": metal, "metal_molar_mass": metal_mass, "sources": SRC}


def _additive(e: str, en: str, nl: str | None = None, **flags) -> dict:
    names = {"en": [en]} | ({"nl": [nl]} if nl else {})
    return {"e_number": e, "names": names, "sources": SRC, **flags}


def _phrases(pid: str) -> dict:
    return {"id": pid, "patterns": {"en": [pid]}, "sources": SRC}


DOSE_MIN, DOSE_MAX = 150.0, 3600.0

DATA = {
    "version": "test-1",
    "sources": {"test": {"id": "test", "title": "test fixture"}},
    "butyrate_forms": [
        _form("sodium-butyrate", "sodium butyrate", BUTYRATE_ANION + NA, 1, "sodium", NA),
        _form("potassium-butyrate", "potassium butyrate", BUTYRATE_ANION + K, 1, "potassium", K),
        _form("calcium-butyrate", "calcium butyrate", 2 * BUTYRATE_ANION + CA, 2, "calcium", CA),
        _form("magnesium-butyrate", "magnesium butyrate", 2 * BUTYRATE_ANION + MG, 2, "magnesium", MG),
        _form("zinc-butyrate", "zinc butyrate", 2 * BUTYRATE_ANION + ZN, 2, "zinc", ZN),
        _form("butyric-acid", "butyric acid", 88.106, 1),
        _form("tributyrin", "tributyrin", 15 * C + 26 * H + 6 * OX, 3),
        _form("butyrate-unspecified", "butyrate", None, None),
    ],
    "dose_range": {"butyric_acid_mg_per_day_min": DOSE_MIN, "butyric_acid_mg_per_day_max": DOSE_MAX,
                   "rationale": "test", "sources": SRC},
    "function_classes": [{"id": "colour", "names": {"en": ["colour"]}, "sources": SRC}],
    "additives": [
        _additive("E171", "titanium dioxide", "titaandioxide", banned_eu=True, functions=["colour"],
                  note="Banned since Regulation (EU) 2022/63."),
        _additive("E110", "sunset yellow FCF", "zonnegeel", azo_colour=True, functions=["colour"]),
        _additive("E955", "sucralose", sweetener=True),
        _additive("E965", "maltitol", sweetener=True),
        _additive("E470b", "magnesium salts of fatty acids"),
        _additive("E551", "silicon dioxide"),
        _additive("E322", "lecithins"),
        _additive("E999", "test milk additive", allergen="milk"),
    ],
    "allergens": [{"id": a, "names": {"en": [a], "nl": [f"{a}-nl"]}, "triggers": [a], "sources": SRC}
                  for a in ALLERGEN_IDS],
    "particulars": {k: _phrases(k) for k in PARTICULAR_KEYS},
    "sections": {"ingredients": _phrases("ingredients")},
    "microbes": {"genera": ["Lactobacillus", "Bifidobacterium"], "inactivated": _phrases("inactivated"),
                 "live": _phrases("live"), "postbiotic": _phrases("postbiotic"), "sources": SRC},
    "quality": [{"id": "iso17025", "pattern": "17025", "independent": True, "sources": SRC}],
    "claims": {"diseases": _phrases("diseases"), "verbs": _phrases("verbs"),
               "disclaimers": _phrases("disclaimers"), "sources": SRC},
}


def small_reference() -> ReferenceData:
    """The fixture reference data (dose range 150-3600 mg butyric acid a day)."""
    return ReferenceData.model_validate(DATA)


# ---------------------------------------------------------------- label builders
def mg(value: float, value_max: float | None = None, unit: str = "mg") -> Amount:
    text = f"{value:g}-{value_max:g} {unit}" if value_max else f"{value:g} {unit}"
    return Amount(value=value, unit=unit, text=text, value_max=value_max)


def butyrate(form_id: str = "sodium-butyrate", amount: float | None = 600, basis: str | None = "unit",
             name: str | None = None, **kw) -> Active:
    name = name or form_id.replace("-", " ").capitalize()
    return Active(id=form_id, name=name, evidence=f"{name} {amount:g} mg" if amount else name,
                  amount=mg(amount) if amount is not None else None, basis=basis if amount else None,
                  in_ingredients=kw.pop("in_ingredients", True), **kw)


def microbe(state: str | None = "inactivated", strain: str | None = "L-137", amount: float | None = 50,
            species: str = "Lactobacillus plantarum", count: Amount | None = None, **kw) -> Active:
    return Active(id="microorganism", name=species, evidence=f"{species} {strain or ''}".strip(),
                  amount=mg(amount) if amount is not None else None, basis="unit" if amount else None,
                  species=species, strain=strain, state=state, count=count, **{"in_ingredients": True, **kw})


def all_particulars(**overrides: Particular | None) -> dict[str, Particular]:
    """Every particular present (value "x"), with `overrides` (None removes the key)."""
    out = {k: Particular(present=True, value=None, evidence=k) for k in PARTICULAR_KEYS}
    for key, value in overrides.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def good_label(**changes) -> ParsedLabel:
    """A complete, passing label: 600 mg tributyrin per capsule, 1 capsule a day, every particular
    (`changes` replace fields; the actives are made one per active, as the parser does)."""
    label = ParsedLabel(
        text="Ingredients: tributyrin, rice flour.",
        language="en",
        ingredients=[Ingredient(text="tributyrin", name="tributyrin", kind="active", id="tributyrin"),
                     Ingredient(text="rice flour", name="rice flour")],
        actives=[butyrate("tributyrin", 600)],
        serving=Serving(units_per_serving=1, unit="capsule", units_per_day_min=1, units_per_day_max=1,
                        evidence="Take 1 capsule a day"),
        particulars=all_particulars(),
        claims=[],
    )
    for key, value in changes.items():
        setattr(label, key, value)
    # as the parser hands a label over: mentions of one organism merged, a butyrate blurb dropped
    label.actives = one_per_active(label.actives)
    return label


__all__ = ["Claim", "DATA", "DOSE_MAX", "DOSE_MIN", "all_particulars", "butyrate", "good_label", "mg",
           "microbe", "small_reference"]
