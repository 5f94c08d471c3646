"""Jinja filters that turn report values into plain words and numbers for the report page."""
from __future__ import annotations

from typing import Any

LANGUAGES = {"nl": "Dutch", "en": "English", "de": "German", "fr": "French"}
VERDICTS = {
    "pass": ("Pass", "No problems found: the label passed every check."),
    "review": ("Needs review", "Some things on this label need a closer look."),
    "fail": ("Fail", "This label has at least one serious problem."),
    "unreadable": ("Unreadable", "The photo could not be read well enough to check the label."),
}
SEVERITIES = (  # (severity, heading)
    ("error", "Problems"),
    ("warning", "Check these"),
    ("info", "Good to know"),
)
PARTICULARS = (  # (key, what the label must show)
    ("ingredients", "Ingredient list"),
    ("daily_dose", "Recommended daily dose"),
    ("overdose_warning", "Warning not to exceed the daily dose"),
    ("diet_statement", "Not a substitute for a varied diet"),
    ("children_warning", "Keep out of reach of children"),
    ("net_quantity", "Net quantity"),
    ("best_before", "Best before date"),
    ("lot", "Lot or batch number"),
    ("operator", "Name and address of the business"),
    ("storage", "Storage conditions"),
    ("independent_testing", "Independent testing"),
)
STATES = {"live": "live", "inactivated": "inactivated", "unstated": "live or inactivated not stated"}


def number(value: Any, unit: str = "") -> str:
    """1200.0 -> '1200', 250.64 -> '251', 3.456 -> '3.5'; None -> an em dash."""
    if value is None or isinstance(value, bool):
        return "\u2014"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"
    return f"{text} {unit}".strip()


def mg_range(low: Any, high: Any) -> str:
    """'1200 mg' when both ends agree, '600\u20131200 mg' for a range, an em dash when unknown."""
    if low is None and high is None:
        return "\u2014"
    if low is None or high is None or number(low) == number(high):
        return number(high if high is not None else low, "mg")
    return f"{number(low)}\u2013{number(high, 'mg')}"


def _plural(count: Any, unit: str) -> str:
    return unit if count == 1 or unit in ("g", "ml", "mg") else f"{unit}s"


def serving_text(serving: Any) -> str:
    """'1 capsule per serving, 2 times a day (2 capsules a day)'; '' when the label says nothing."""
    if not isinstance(serving, dict):
        return ""
    unit = serving.get("unit") or "unit"
    parts = []
    per_serving = serving.get("units_per_serving")
    if per_serving is not None:
        parts.append(f"{number(per_serving)} {_plural(per_serving, unit)} per serving")
    lo, hi = serving.get("servings_per_day_min"), serving.get("servings_per_day_max")
    if hi is not None:
        times = number(hi) if lo in (None, hi) else f"{number(lo)} to {number(hi)}"
        parts.append(f"{times} {'time' if hi == 1 and lo in (None, hi) else 'times'} a day")
    ulo, uhi = serving.get("units_per_day_min"), serving.get("units_per_day_max")
    text = ", ".join(parts)
    if uhi is not None:
        units = number(uhi) if ulo in (None, uhi) else f"{number(ulo)} to {number(uhi)}"
        daily = f"{units} {_plural(uhi, unit)} a day"
        text = f"{text} ({daily})" if text else daily
    return text


def when(iso: Any) -> str:
    """'2026-11-29T14:57:04+00:00' -> '2026-11-29 14:57 UTC'."""
    text = str(iso or "")
    if text.endswith("+00:00"):
        return text[:16].replace("T", " ") + " UTC"
    return text.replace("T", " ")


def language(code: Any) -> str:
    return LANGUAGES.get(code, code or "unknown")


def verdict_title(verdict: Any) -> str:
    return VERDICTS.get(verdict, (str(verdict or "No verdict"), ""))[0]


def verdict_text(verdict: Any) -> str:
    return VERDICTS.get(verdict, ("", ""))[1]


def state(value: Any) -> str:
    return STATES.get(value, value or "")


FILTERS = {"number": number, "mg_range": mg_range, "language": language, "verdict_title": verdict_title,
           "verdict_text": verdict_text, "state": state, "serving_text": serving_text, "when": when}
