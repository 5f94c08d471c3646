"""Load and validate the data files in reference/ into one frozen ReferenceData (loaded once)."""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from checker.errors import ReferenceDataError

Lang = Literal["en", "nl", "de", "fr"]
LANGS: tuple[str, ...] = ("en", "nl", "de", "fr")
ALLERGEN_IDS = ("gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk", "nuts",
                "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs")
BUTYRIC_ACID_MOLAR_MASS = 88.106
REFERENCE_DIR = Path(os.environ.get("CHECKER_REFERENCE_DIR",
                                    Path(__file__).resolve().parent.parent / "reference"))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Model):
    """A public source that reference values rest on."""

    id: str
    title: str
    url: str | None = None


class Names(_Model):
    """Names of one thing per language; matching is on folded text, so accents are optional."""

    en: tuple[str, ...] = ()
    nl: tuple[str, ...] = ()
    de: tuple[str, ...] = ()
    fr: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.en + self.nl + self.de + self.fr


class ButyrateForm(_Model):
    """A butyrate form (salt, ester, acid) with its chemistry."""

    id: str  # sodium-butyrate, ..., butyrate-unspecified
    names: Names
    formula: str | None = None
    molar_mass: float | None = None  # g/mol; None for butyrate-unspecified
    butyrates_per_formula: int | None = None  # 2 for Ca/Mg/Zn, 3 for tributyrin
    metal: str | None = None  # sodium, potassium, calcium, magnesium, zinc
    metal_molar_mass: float | None = None
    note: str | None = None  # caveats: hydrates, unconfirmed figures
    sources: tuple[str, ...]

    @property
    def butyric_acid_fraction(self) -> float | None:
        if self.molar_mass is None or self.butyrates_per_formula is None:
            return None
        return self.butyrates_per_formula * BUTYRIC_ACID_MOLAR_MASS / self.molar_mass

    @property
    def metal_fraction(self) -> float | None:
        if self.metal_molar_mass is None or self.molar_mass is None:
            return None
        return self.metal_molar_mass / self.molar_mass  # one metal atom per formula unit


class DoseRange(_Model):
    """Daily butyric-acid-equivalent range seen in human studies (mg/day)."""

    butyric_acid_mg_per_day_min: float
    butyric_acid_mg_per_day_max: float
    rationale: str
    sources: tuple[str, ...]


class FunctionClass(_Model):
    """A technological function class ("anti-caking agent") with its printed names."""

    id: str  # English name, used in reports
    names: Names
    sources: tuple[str, ...]


class Additive(_Model):
    """A food additive with its E-number and the flags the rules need."""

    e_number: str  # "E470b"
    names: Names
    functions: tuple[str, ...] = ()  # FunctionClass ids
    banned_eu: bool = False
    azo_colour: bool = False
    sweetener: bool = False  # intense sweetener or polyol
    allergen: str | None = None  # Annex II id carried (e.g. soy lecithin -> handled by trigger words)
    # the same substance is also a nutrient or an active (vitamin C, calcium carbonate, lutein): count it as
    # an additive only when a function class or its E-number is printed with it (or in "other ingredients")
    only_with_function: bool = False
    note: str | None = None
    sources: tuple[str, ...]

    @field_validator("e_number")
    @classmethod
    def _e_number(cls, v: str) -> str:
        if not re.fullmatch(r"E\d{3,4}[a-z]?", v):
            raise ValueError(f"E-number {v!r} must look like E470b")
        return v


class Allergen(_Model):
    """One of the 14 Annex II allergens with the words that reveal it in an ingredient."""

    id: str
    names: Names
    triggers: tuple[str, ...]  # folded words in any language: lactose, wheat, soja, ...
    # short words that must match as whole words only, never as the start of a compound (ei, ble, wei)
    whole_word_triggers: tuple[str, ...] = ()
    exemptions: tuple[str, ...] = ()  # phrases that do not count (wheat maltodextrin, ...)
    sources: tuple[str, ...]


class PhraseSet(_Model):
    """Regular expressions (on folded text: lower-case, no accents) for one meaning, per language."""

    id: str
    patterns: Names  # each string is a Python regex
    sources: tuple[str, ...]


class Microbes(_Model):
    """Vocabulary for microorganisms in ingredient lists and tables."""

    genera: tuple[str, ...]  # Lactobacillus, Lactiplantibacillus, Bifidobacterium, ...
    genus_abbreviations: dict[str, str] = {}  # "L." -> ambiguous, "B." -> Bifidobacterium...
    species: tuple[str, ...] = ()  # current binomials, to resolve "B. longum" by genus initial + epithet
    species_renames: dict[str, str] = {}  # old binomial -> current one (Lactobacillus plantarum -> ...)
    inactivated: PhraseSet
    live: PhraseSet
    postbiotic: PhraseSet  # the label presents itself as a postbiotic
    sources: tuple[str, ...]


class QualityMark(_Model):
    """An independent-testing mark or a process standard."""

    id: str
    pattern: str  # regex on folded text
    independent: bool  # True: counts as independent testing; False: process standard (GMP...)
    note: str | None = None
    sources: tuple[str, ...]


class Claims(_Model):
    """Vocabulary for disease claims."""

    diseases: PhraseSet  # psoriasis, eczeem, IBS, Crohn ...
    verbs: PhraseSet  # cures, treats, relieves, soulage, geneest ...
    disclaimers: PhraseSet  # FDA "not intended to diagnose, treat, cure, or prevent any disease"
    sources: tuple[str, ...]


class ReferenceData(_Model):
    """Everything in reference/, validated; `version` is stored with every report."""

    version: str
    sources: dict[str, Source]
    butyrate_forms: tuple[ButyrateForm, ...]
    dose_range: DoseRange
    function_classes: tuple[FunctionClass, ...]
    additives: tuple[Additive, ...]
    allergens: tuple[Allergen, ...]
    particulars: dict[str, PhraseSet]  # keys: checker.models.PARTICULAR_KEYS (+ helpers)
    sections: dict[str, PhraseSet]  # ingredients heading, traces ("may contain"), free-from, ...
    microbes: Microbes
    quality: tuple[QualityMark, ...]
    claims: Claims
    nutrients: tuple[str, ...] = ()  # folded names of vitamins/minerals (kind "nutrient")

    @model_validator(mode="after")
    def _cross_check(self) -> ReferenceData:
        known = set(self.sources)
        bad_keys = [k for k, src in self.sources.items() if k != src.id]
        if bad_keys:
            raise ValueError(f"sources: key and id differ for {bad_keys}")
        for what, keys in (("butyrate form", [f.id for f in self.butyrate_forms]),
                           ("function class", [f.id for f in self.function_classes]),
                           ("additive", [a.e_number for a in self.additives]),
                           ("allergen", [a.id for a in self.allergens]),
                           ("quality mark", [q.id for q in self.quality])):
            dupes = sorted({k for k in keys if keys.count(k) > 1})
            if dupes:
                raise ValueError(f"{what} ids defined twice: {dupes}")
        for obj in self._all_sourced():
            missing = [s for s in obj.sources if s not in known]
            if not obj.sources or missing:
                name = f"{type(obj).__name__} {getattr(obj, 'id', '')!r}"
                raise ValueError(f"{name}: unknown or no sources {missing}")
        ids = {a.id for a in self.allergens}
        if ids != set(ALLERGEN_IDS):
            raise ValueError(f"allergens must be the 14 Annex II ids, got {sorted(ids)}")
        fn_ids = {f.id for f in self.function_classes}
        for add in self.additives:
            bad = [f for f in add.functions if f not in fn_ids]
            if bad:
                raise ValueError(f"additive {add.e_number}: unknown function classes {bad}")
            if add.allergen and add.allergen not in ids:
                raise ValueError(f"additive {add.e_number}: unknown allergen {add.allergen}")
        for ps in self._all_phrase_sets():
            for pat in ps.patterns.all():
                try:
                    re.compile(pat)
                except re.error as e:
                    raise ValueError(f"phrase set {ps.id}: bad regex {pat!r}: {e}") from e
        for mark in self.quality:
            try:
                re.compile(mark.pattern)
            except re.error as e:
                raise ValueError(f"quality mark {mark.id}: bad regex {mark.pattern!r}: {e}") from e
        r = self.dose_range
        if not 0 < r.butyric_acid_mg_per_day_min < r.butyric_acid_mg_per_day_max:
            raise ValueError("dose_range: min must be positive and below max")
        return self

    def _all_phrase_sets(self) -> list[PhraseSet]:
        m, c = self.microbes, self.claims
        return [*self.particulars.values(), *self.sections.values(), m.inactivated, m.live,
                m.postbiotic, c.diseases, c.verbs, c.disclaimers]

    def _all_sourced(self) -> list:
        return [*self.butyrate_forms, self.dose_range, *self.function_classes, *self.additives,
                *self.allergens, *self._all_phrase_sets(), self.microbes, *self.quality, self.claims]

    # lookups used by the parser and the rules
    def form(self, form_id: str) -> ButyrateForm | None:
        return next((f for f in self.butyrate_forms if f.id == form_id), None)

    def additive(self, e_number: str) -> Additive | None:
        return next((a for a in self.additives if a.e_number == e_number), None)


def load_reference(directory: Path | str | None = None) -> ReferenceData:
    """Read every YAML file of `directory` (one top-level key each) and validate the whole."""
    directory = Path(directory or REFERENCE_DIR)
    merged: dict = {}
    try:
        files = sorted(directory.glob("*.yaml"))
        if not files:
            raise ReferenceDataError(f"no reference data files in {directory}")
        for path in files:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise ReferenceDataError(f"{path.name}: top level must be a mapping")
            clash = set(data) & set(merged)
            if clash:
                raise ReferenceDataError(f"{path.name}: keys defined twice: {sorted(clash)}")
            merged.update(data)
        return ReferenceData.model_validate(merged)
    except yaml.YAMLError as e:
        raise ReferenceDataError(f"reference data is not valid YAML: {e}") from e
    except ValidationError as e:
        raise ReferenceDataError(f"reference data is invalid: {e}") from e
    except OSError as e:
        raise ReferenceDataError(f"cannot read reference data in {directory}: {e}") from e


@functools.cache
def default_reference() -> ReferenceData:
    """The reference data of this checkout, loaded and validated once per process (and, validated,
    pickled under the cache dir: a later process reads it back when no YAML file and no schema changed)."""
    return load_cached_reference(REFERENCE_DIR)


_KEYS: dict[int, tuple[ReferenceData, str]] = {}  # id -> (reference, cache key) of cache-backed references


def load_cached_reference(directory: Path | str) -> ReferenceData:
    """load_reference(directory), through the on-disk cache keyed by the sha256 of the YAML files, this
    module's source and the pydantic version."""
    from checker import cache

    key = _cache_key(Path(directory))
    ref = cache.load("reference", key) if key else None
    if not isinstance(ref, ReferenceData):
        ref = load_reference(directory)
        if key:
            cache.store("reference", key, ref)
    if key:
        _KEYS[id(ref)] = (ref, key)
    return ref


def reference_key(ref: ReferenceData) -> str | None:
    """The content hash a cache-backed reference was loaded under (None for any other reference), so
    that data derived from it (the fuzzy vocabulary) can be cached under a key of its own."""
    hit = _KEYS.get(id(ref))
    return hit[1] if hit is not None and hit[0] is ref else None


def _cache_key(directory: Path) -> str | None:
    from checker import cache

    try:
        import pydantic

        files = sorted(directory.glob("*.yaml"))
        if not files:
            return None
        return cache.fingerprint("reference", pydantic.VERSION, Path(__file__).read_bytes(),
                                 *cache.file_parts(files))
    except OSError:
        return None  # load_reference() reports the problem
