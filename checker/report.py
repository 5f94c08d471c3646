"""Findings and parsed label -> the JSON report of spec/report.md (plus a plain-text summary)."""
from __future__ import annotations

from typing import Any

import checker
from checker import rules
from checker.dosing import daily_dose, servings_per_day, units_per_day
from checker.models import (
    PARTICULAR_KEYS,
    Active,
    Amount,
    Finding,
    Ingredient,
    OcrResult,
    ParsedLabel,
    Serving,
)
from checker.reference import ReferenceData, default_reference

SCHEMA = "label-check/1"
VERDICT_WORDS = {
    "pass": "PASS - no problems that need action",
    "review": "REVIEW - warnings a pharmacist should look at",
    "fail": "FAIL - the label breaks a rule or the product is not what it claims",
    "unreadable": "UNREADABLE - the photo gives no usable text; take a better photo",
}
PRODUCT_NAME_MAX = 80
SEVERITY_HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "For information"}


def _num(value: float | None) -> float | int | None:
    """A JSON number rounded to 0.1 (whole numbers without ".0"); None stays None."""
    if value is None:
        return None
    value = round(float(value), 1)
    return int(value) if value.is_integer() else value


def _mg(amount: Amount | None) -> float | int | None:
    return None if amount is None else _num(amount.mg())


def _versions(ref: ReferenceData | None) -> dict[str, Any]:
    return {"checker": checker.__version__, "reference": ref.version if ref else None,
            "rules": rules.RULES_VERSION}


def _ocr(ocr: OcrResult | None) -> dict[str, Any] | None:
    if ocr is None:
        return None
    return {"engine": ocr.engine, "languages": ocr.languages,
            "mean_confidence": _num(ocr.mean_confidence), "seconds": round(ocr.seconds, 2),
            "text": ocr.text, "passes": list(ocr.passes),
            # [text, [x, y, w, h], start, end, line]: lets the workbench outline evidence line by line
            "words": [[w.text, list(w.bbox), w.start, w.end, w.line] for w in ocr.words]}


def _serving(serving: Serving) -> dict[str, Any]:
    s_lo, s_hi = servings_per_day(serving)
    u_lo, u_hi = units_per_day(serving)
    return {"units_per_serving": _num(serving.units_per_serving), "unit": serving.unit,
            "servings_per_day_min": _num(s_lo), "servings_per_day_max": _num(s_hi),
            "units_per_day_min": _num(u_lo), "units_per_day_max": _num(u_hi),
            "evidence": serving.evidence}


def bbox_for(ocr: OcrResult | None, text: str, span: tuple[int, int] | None) -> list[int] | None:
    """[x, y, w, h] around the OCR words that overlap `span` of `text`; None without OCR words."""
    words = rules.ocr_words_for(ocr, text, span)
    if not words:
        return None
    x0 = min(w.bbox[0] for w in words)
    y0 = min(w.bbox[1] for w in words)
    x1 = max(w.bbox[0] + w.bbox[2] for w in words)
    y1 = max(w.bbox[1] + w.bbox[3] for w in words)
    return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]


def _ingredient(ing: Ingredient, label: ParsedLabel, ocr: OcrResult | None) -> dict[str, Any]:
    return {"text": ing.text, "name": ing.name, "id": ing.id, "kind": ing.kind,
            "e_number": ing.e_number, "function": ing.function, "allergens": list(ing.allergens),
            "amount": _mg(ing.amount), "amount_text": ing.amount.text if ing.amount else None,
            "parent": ing.parent, "bbox": bbox_for(ocr, label.text, ing.span)}


def _count(amount: Amount | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"value": amount.value, "value_max": amount.value_max, "unit": amount.unit, "text": amount.text}


def _active(active: Active, serving: Serving, ref: ReferenceData) -> dict[str, Any]:
    dose = daily_dose(active, serving, ref)
    microbe = active.id == rules.MICROORGANISM
    return {"id": active.id, "name": active.name,
            "per_unit_mg": _num(dose.per_unit_mg),
            "per_day_mg_min": _num(dose.per_day_mg_min), "per_day_mg_max": _num(dose.per_day_mg_max),
            "butyric_acid_mg_per_day_max": _num(dose.butyric_acid_mg_per_day_max),
            "sodium_mg_per_day_max": _num(dose.sodium_mg_per_day_max),
            "species": active.species if microbe else None,
            "strain": active.strain if microbe else None,
            "state": (active.state or "unstated") if microbe else None,
            "declared_butyric_acid_mg": _mg(active.declared_butyric_acid),
            "count": _count(active.count), "amount_text": active.amount.text if active.amount else None,
            "basis": active.basis, "in_ingredients": active.in_ingredients, "evidence": active.evidence}


def _particulars(label: ParsedLabel) -> dict[str, bool | str]:
    out: dict[str, bool | str] = {}
    for key in PARTICULAR_KEYS:
        p = label.particulars.get(key)
        out[key] = False if p is None or not p.present else (p.value or True)
    return out


def _finding(f: Finding, label: ParsedLabel, ocr: OcrResult | None) -> dict[str, Any]:
    span = rules.locate(label.text, f.evidence or "")
    return {"rule": f.rule, "severity": f.severity, "message": f.message, "evidence": f.evidence,
            "bbox": bbox_for(ocr, label.text, span), "template": f.template, "params": dict(f.params)}


def product_name(text: str) -> str | None:
    """The product as the label names it: its first line with a few letters (the title), shortened."""
    for line in text.splitlines():
        line = line.strip(" \t-·|*")
        if sum(ch.isalpha() for ch in line) >= 3:
            return line[:PRODUCT_NAME_MAX]
    return None


def build_report(label: ParsedLabel, findings: list[Finding], ref: ReferenceData, *,
                 input: dict[str, Any] | None = None, ocr: OcrResult | None = None,
                 check_id: str | None = None) -> dict[str, Any]:
    """The report.md contract for one checked label."""
    return {
        "schema": SCHEMA,
        "id": check_id,
        "input": dict(input) if input else {},
        "verdict": rules.verdict(findings),
        "language": label.language,
        "ocr": _ocr(ocr),
        "serving": _serving(label.serving),
        "product": {"name": product_name(label.text), "barcode": None},
        "ingredients": [_ingredient(i, label, ocr) for i in label.ingredients],
        "actives": [_active(a, label.serving, ref) for a in label.actives],
        "allergens": sorted(rules.label_allergens(label, ref)),
        "traces": sorted(set(label.traces)),
        "particulars": _particulars(label),
        "findings": [_finding(f, label, ocr) for f in findings],
        "versions": _versions(ref),
    }


def error_report(filename: str | None, error: Exception, *, input: dict[str, Any] | None = None,
                 ref: ReferenceData | None = None) -> dict[str, Any]:
    """A report-shaped answer for a check that could not run: verdict null plus error code and message."""
    if ref is None:
        try:
            ref = default_reference()
        except Exception:  # the reference data may be the very thing that failed
            ref = None
    return {
        "schema": SCHEMA,
        "id": None,
        "input": {"filename": filename, **(input or {})},
        "verdict": None,
        "language": None,
        "ocr": None,
        "serving": None,
        "product": {"name": None, "barcode": None},
        "ingredients": [],
        "actives": [],
        "allergens": [],
        "traces": [],
        "particulars": {},
        "findings": [],
        "error": {"code": getattr(error, "code", "internal_error"),
                  "message": getattr(error, "message", None) or str(error) or type(error).__name__},
        "versions": _versions(ref),
    }


# ---------------------------------------------------------------- plain text
def _amount_words(value: float | int | None, unit: str = "mg") -> str:
    return "?" if value is None else f"{value:g} {unit}"


def _active_line(a: dict[str, Any]) -> str:
    if a["id"] == rules.MICROORGANISM:
        name = " ".join(p for p in (a.get("species") or a["name"], a.get("strain")) if p)
        line = f"  - {name} ({a.get('state') or 'unstated'})"
        if a.get("per_day_mg_max") is not None:
            line += f": {_amount_words(a['per_day_mg_max'])}/day"
        return line
    lo, hi = a.get("per_day_mg_min"), a.get("per_day_mg_max")
    per_day = _amount_words(hi) if lo in (None, hi) else f"{lo:g}-{hi:g} mg"
    line = f"  - {a['name']} [{a['id']}]: {per_day}/day"
    if a.get("butyric_acid_mg_per_day_max") is not None:
        line += f", up to {a['butyric_acid_mg_per_day_max']:g} mg butyric acid/day"
    if a.get("sodium_mg_per_day_max") is not None:
        line += f", {a['sodium_mg_per_day_max']:g} mg sodium/day"
    return line


def to_text(report: dict[str, Any]) -> str:
    """A short human summary of a report for the command line."""
    name = (report.get("input") or {}).get("filename") or "label"
    if report.get("error"):
        err = report["error"]
        return f"{name}: ERROR {err['code']}: {err['message']}"
    verdict = report.get("verdict")
    lines = [f"{name}: {VERDICT_WORDS.get(verdict, verdict)}"]
    if report.get("language"):
        lines.append(f"Language: {report['language']}")
    if report.get("actives"):
        lines.append("Actives:")
        lines.extend(_active_line(a) for a in report["actives"])
    additives = [f"{i['e_number']} {i['name']}" for i in report.get("ingredients") or [] if i.get("e_number")]
    if additives:
        lines.append("Additives: " + ", ".join(additives))
    if report.get("allergens"):
        lines.append("Allergens: " + ", ".join(report["allergens"]))
    if report.get("traces"):
        lines.append("May contain: " + ", ".join(report["traces"]))
    findings = report.get("findings") or []
    for severity, heading in SEVERITY_HEADINGS.items():
        group = [f for f in findings if f["severity"] == severity]
        if group:
            lines.append(f"{heading}:")
            for f in group:
                lines.append(f"  - [{f['rule']}] {f['message']}")
                if f.get("evidence"):
                    lines.append(f"      evidence: \"{f['evidence']}\"")
    if not findings:
        lines.append("No findings.")
    return "\n".join(lines)
