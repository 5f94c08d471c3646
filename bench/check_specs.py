#!/usr/bin/env python3
"""Validate label spec YAMLs (format of ../shared/corpus/README.md) and the consistency of their truth.

Usage:
  python bench/check_specs.py DIR_OR_FILE... [--rules ../shared/spec/rules.md] [--range 240,3200]

Errors (exit code 1):
  - format: id = file name, lang, 1+ blocks with known styles, table rows of two cells, truth keys
  - finding ids from the rules.md catalog only, no duplicates
  - verdict derived from the severities in rules.md (any error -> fail, any warning -> review,
    else pass; ocr.unreadable -> unreadable, and then no label.* finding)
  - additives written E + digits + optional lower-case letter; allergens valid Annex II ids
  - actives: known ids; microorganisms with a species and a state of live/inactivated/unstated
  - rules that follow mechanically from the truth itself:
      allergen.present  <-> allergens not empty
      additive.banned-eu / azo-colour / sweetener <-> the additives list
      dose.sodium       <-> a sodium butyrate with per_day_mg
      active.form-unspecified <-> a butyrate-unspecified active
      active.none       <-> no butyrate form and no inactivated/unstated microorganism
      postbiotic.inactivation-missing <-> an unstated microorganism
      postbiotic.strain-missing <-> an inactivated/unstated microorganism without strain
      postbiotic.live-organisms -> a live microorganism
      postbiotic.quantity-missing -> an inactivated microorganism without per_day_mg
      dose.missing      -> a butyrate form without per_day_mg
      dose.low / dose.high: when every butyrate form has per_day_mg and a known fraction, the
        summed butyric-acid equivalent decides (reference range --range, mg/day)
Warnings (printed, exit code unaffected): 8-15 blocks, strain or species not printed in the text,
unsorted or duplicate lists, label.daily-dose-missing together with per_day_mg.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_RULES = [HERE.parent.parent / "shared" / "spec" / "rules.md", Path("/work/shared/spec/rules.md")]

STYLES = {"title", "subtitle", "heading", "body", "table", "small"}
LANGS = {"nl", "en", "de", "fr"}
VERDICTS = {"pass", "review", "fail", "unreadable"}
ALLERGENS = {"gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk", "nuts",
             "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs"}
E_RE = re.compile(r"E\d{3,4}[a-z]?")

# butyric-acid mass fraction per form (notes/domain.md section 5; zinc computed the same way:
# Zn(C4H7O2)2, M = 65.38 + 2 x 87.098 = 239.58 g/mol)
BA = 88.106
FRACTIONS = {
    "butyric-acid": 1.0,
    "sodium-butyrate": BA / 110.09,
    "potassium-butyrate": BA / 126.20,
    "calcium-butyrate": 2 * BA / 214.27,
    "magnesium-butyrate": 2 * BA / 198.50,
    "zinc-butyrate": 2 * BA / (65.38 + 2 * 87.098),
    "tributyrin": 3 * BA / 302.37,
}
BUTYRATE_IDS = set(FRACTIONS) | {"butyrate-unspecified"}
MICRO_IDS = {"microorganism", "bacterium"}
STATES = {"live", "inactivated", "unstated"}

BANNED = {"E171"}
AZO = {"E102", "E104", "E110", "E122", "E124", "E129"}
SWEETENERS = {"E420", "E421", "E950", "E951", "E952", "E953", "E954", "E955", "E957", "E959",
              "E960", "E960a", "E960b", "E960c", "E961", "E962", "E964", "E965", "E966", "E967",
              "E968", "E969"}


def load_catalog(path: Path) -> dict[str, str]:
    """Rule id -> severity, from the markdown tables of rules.md."""
    cat: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*`([a-z]+\.[a-z0-9-]+)`\s*\|\s*(error|warning|info)\s*\|", line)
        if m:
            cat[m.group(1)] = m.group(2)
    if not cat:
        raise SystemExit(f"no rule table found in {path}")
    return cat


def spec_text(spec: dict) -> str:
    parts = []
    for b in spec.get("blocks") or []:
        if isinstance(b, dict):
            if b.get("style") == "table":
                for row in b.get("rows") or []:
                    parts.extend(str(c) for c in row)
            else:
                parts.append(str(b.get("text", "")))
    return "\n".join(parts)


def norm(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def check(path: Path, catalog: dict[str, str], lo: float, hi: float) -> tuple[list[str], list[str]]:
    errs: list[str] = []
    warns: list[str] = []
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        return [f"not valid YAML: {e}"], []
    if not isinstance(spec, dict):
        return ["top level is not a mapping"], []
    extra = set(spec) - {"id", "lang", "blocks", "truth"}
    if extra:
        errs.append(f"unknown top-level keys {sorted(extra)}")
    if spec.get("id") != path.stem:
        errs.append(f"id {spec.get('id')!r} does not match file name {path.stem!r}")
    if spec.get("lang") not in LANGS:
        errs.append(f"lang {spec.get('lang')!r} not one of {sorted(LANGS)}")

    blocks = spec.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        errs.append("blocks missing or empty")
        blocks = []
    elif not 8 <= len(blocks) <= 15:
        warns.append(f"{len(blocks)} blocks (realistic labels here have 8-15)")
    for i, b in enumerate(blocks):
        if not isinstance(b, dict) or b.get("style") not in STYLES:
            errs.append(f"block {i}: style must be one of {sorted(STYLES)}")
            continue
        if b["style"] == "table":
            rows = b.get("rows")
            if not isinstance(rows, list) or not rows:
                errs.append(f"block {i}: table without rows")
            else:
                for j, row in enumerate(rows):
                    if not isinstance(row, list) or len(row) != 2 or not all(isinstance(c, str) for c in row):
                        errs.append(f"block {i} row {j}: must be two strings")
        elif not isinstance(b.get("text"), str) or not b["text"].strip():
            errs.append(f"block {i}: {b['style']} block without text")
    if not any(isinstance(b, dict) and b.get("style") == "title" for b in blocks):
        warns.append("no title block")
    text = spec_text(spec)

    truth = spec.get("truth")
    if not isinstance(truth, dict):
        return errs + ["truth missing"], warns
    missing = {"actives", "additives", "allergens", "findings", "verdict"} - set(truth)
    if missing:
        errs.append(f"truth lacks {sorted(missing)}")
    extra = set(truth) - {"actives", "additives", "allergens", "findings", "verdict", "ignore"}
    if extra:
        errs.append(f"truth has unknown keys {sorted(extra)}")

    # findings and verdict
    findings = truth.get("findings") or []
    if not isinstance(findings, list):
        errs.append("findings must be a list")
        findings = []
    unknown = [f for f in findings if f not in catalog]
    if unknown:
        errs.append(f"finding ids not in the rules.md catalog: {unknown}")
    if len(set(findings)) != len(findings):
        errs.append("duplicate finding ids")
    for f in truth.get("ignore") or []:
        if f not in catalog:
            errs.append(f"ignored id {f!r} not in the catalog")
    fs = set(findings)
    sev = {catalog[f] for f in fs if f in catalog}
    if "ocr.unreadable" in fs:
        want = "unreadable"
        bad = sorted(f for f in fs if f.startswith("label."))
        if bad:
            errs.append(f"ocr.unreadable suppresses label.* findings, found {bad}")
    else:
        want = "fail" if "error" in sev else "review" if "warning" in sev else "pass"
    verdict = truth.get("verdict")
    if verdict not in VERDICTS:
        errs.append(f"verdict {verdict!r} not one of {sorted(VERDICTS)}")
    elif verdict != want:
        errs.append(f"verdict {verdict!r} but the severities give {want!r}")

    # additives
    additives = truth.get("additives")
    if additives is not None:
        if not isinstance(additives, list):
            errs.append("additives must be a list or null")
            additives = []
        bad = [a for a in additives if not (isinstance(a, str) and E_RE.fullmatch(a))]
        if bad:
            errs.append(f"additives not written like E470b: {bad}")
        if len(set(additives)) != len(additives):
            errs.append("duplicate additives")
        if list(additives) != sorted(additives, key=lambda e: (int(re.sub(r'\D', '', e) or 0), e)):
            warns.append("additives not in E-number order")
        ad = set(additives)
        for rule, group in (("additive.banned-eu", BANNED), ("additive.azo-colour", AZO),
                            ("additive.sweetener", SWEETENERS)):
            if bool(ad & group) != (rule in fs):
                errs.append(f"{rule} {'missing' if ad & group else 'without a matching additive'}"
                            f" (additives {sorted(ad & group) or '-'})")

    # allergens
    allergens = truth.get("allergens") or []
    bad = [a for a in allergens if a not in ALLERGENS]
    if bad:
        errs.append(f"allergens not Annex II ids: {bad}")
    if len(set(allergens)) != len(allergens):
        errs.append("duplicate allergens")
    if bool(allergens) != ("allergen.present" in fs):
        errs.append("allergen.present must fire exactly when allergens is not empty")

    # actives
    actives = truth.get("actives") or []
    butyrates, micros = [], []
    for i, a in enumerate(actives):
        if not isinstance(a, dict):
            errs.append(f"active {i}: not a mapping")
            continue
        aid = a.get("id")
        pd = a.get("per_day_mg")
        if pd is not None and not (isinstance(pd, (int, float)) and pd > 0):
            errs.append(f"active {i}: per_day_mg must be a positive number")
        if aid in BUTYRATE_IDS:
            butyrates.append(a)
            extra = set(a) - {"id", "per_day_mg"}
            if extra:
                errs.append(f"active {i} ({aid}): unexpected keys {sorted(extra)}")
        elif aid in MICRO_IDS:
            micros.append(a)
            if a.get("state") not in STATES:
                errs.append(f"active {i}: state {a.get('state')!r} not one of {sorted(STATES)}")
            if not a.get("species"):
                errs.append(f"active {i}: microorganism without species")
            elif norm(a["species"].split()[-1]) not in norm(text):
                warns.append(f"active {i}: species {a['species']!r} not found in the label text")
            if a.get("strain") and norm(a["strain"]) not in norm(text):
                errs.append(f"active {i}: strain {a['strain']!r} not printed on the label")
            extra = set(a) - {"id", "state", "species", "strain", "per_day_mg"}
            if extra:
                errs.append(f"active {i}: unexpected keys {sorted(extra)}")
        else:
            errs.append(f"active {i}: unknown id {aid!r}")

    def must(rule: str, cond: bool, why: str) -> None:
        if cond and rule not in fs:
            errs.append(f"{rule} missing: {why}")
        if not cond and rule in fs:
            errs.append(f"{rule} present, but it is not the case that {why}")

    if "ocr.unreadable" not in fs:
        must("dose.sodium", any(b["id"] == "sodium-butyrate" and b.get("per_day_mg") for b in butyrates),
             "there is a sodium butyrate with a daily amount")
        must("active.form-unspecified", any(b["id"] == "butyrate-unspecified" for b in butyrates),
             "there is a butyrate-unspecified active")
        postbiotic_micro = any(m.get("state") in ("inactivated", "unstated") for m in micros)
        must("active.none", not butyrates and not postbiotic_micro,
             "there is no butyrate and no inactivated/unstated microorganism")
        must("postbiotic.inactivation-missing", any(m.get("state") == "unstated" for m in micros),
             "there is an unstated microorganism")
        must("postbiotic.strain-missing",
             any(m.get("state") in ("inactivated", "unstated") and not m.get("strain") for m in micros),
             "there is an inactivated/unstated microorganism without strain")
        if "postbiotic.live-organisms" in fs and not any(m.get("state") == "live" for m in micros):
            errs.append("postbiotic.live-organisms without a live microorganism")
        if "postbiotic.quantity-missing" in fs and not any(
                m.get("state") == "inactivated" and "per_day_mg" not in m for m in micros):
            errs.append("postbiotic.quantity-missing without an inactivated microorganism lacking an amount")
        if "dose.missing" in fs and all("per_day_mg" in b for b in butyrates):
            errs.append("dose.missing but every butyrate form has a daily amount")
        if "label.daily-dose-missing" in fs and any("per_day_mg" in a for a in actives):
            warns.append("label.daily-dose-missing although an active has per_day_mg")

        known = [b for b in butyrates if b["id"] in FRACTIONS]
        if butyrates and len(known) == len(butyrates) and all(b.get("per_day_mg") for b in known):
            total = sum(b["per_day_mg"] * FRACTIONS[b["id"]] for b in known)
            ba = f"there is a butyric-acid equivalent {total:.0f} mg/day"
            must("dose.low", total < lo, f"{ba} below {lo:g}")
            must("dose.high", total > hi, f"{ba} above {hi:g}")
            for b in known:  # per-form view: flag labels where summing or not would change the answer
                each = b["per_day_mg"] * FRACTIONS[b["id"]]
                if len(known) > 1 and ((each < lo) != (total < lo) or (each > hi) != (total > hi)):
                    warns.append(f"dose.low/high differ between the summed ({total:.0f} mg) and "
                                 f"per-form ({b['id']} {each:.0f} mg) reading")
                if min(abs(each - lo), abs(each - hi)) < 0.05 * lo and len(known) == 1:
                    warns.append(f"{b['id']}: {each:.0f} mg butyric acid/day is within 5 % of a range limit")
        elif "dose.low" in fs or "dose.high" in fs:
            if not any(b.get("per_day_mg") for b in known):
                errs.append("dose.low/high without a butyrate form whose daily amount and fraction are known")
    return errs, warns


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="spec YAML files or directories of them")
    ap.add_argument("--rules", help="rules.md with the catalog (default ../shared/spec/rules.md)")
    ap.add_argument("--range", default="240,3200", help="reference range of butyric acid, mg/day (lo,hi)")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    args = ap.parse_args(argv)
    rules = Path(args.rules) if args.rules else next((p for p in DEFAULT_RULES if p.exists()), None)
    if rules is None or not rules.exists():
        ap.error("rules.md not found; pass --rules")
    catalog = load_catalog(rules)
    lo, hi = (float(x) for x in args.range.split(","))
    files: list[Path] = []
    for p in map(Path, args.paths):
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    if not files:
        ap.error("no spec files found")
    n_err = 0
    for f in files:
        errs, warns = check(f, catalog, lo, hi)
        status = "FAIL" if errs else "ok"
        print(f"{status:4}  {f}")
        for e in errs:
            print(f"      error: {e}")
        if not args.quiet:
            for w in warns:
                print(f"      warning: {w}")
        n_err += bool(errs)
    print(f"{len(files)} specs, {n_err} with errors ({len(catalog)} rules from {rules})")
    return 1 if n_err else 0


if __name__ == "__main__":
    sys.exit(main())
