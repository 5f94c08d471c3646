"""Jinja filters that turn report values into plain words and numbers (in the page's language)."""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

LANGUAGES = {"nl": _l("Dutch"), "en": _l("English"), "de": _l("German"), "fr": _l("French")}
VERDICTS = {
    "pass": (_l("Pass"), _l("No problems found: the label passed every check.")),
    "review": (_l("Needs review"), _l("Some things on this label need a closer look.")),
    "fail": (_l("Fail"), _l("This label has at least one serious problem.")),
    "unreadable": (_l("Unreadable"), _l("The photo could not be read well enough to check the label.")),
}
SEVERITIES = (  # (severity, heading)
    ("error", _l("Problems")),
    ("warning", _l("Check these")),
    ("info", _l("Good to know")),
)
PARTICULARS = (  # (key, what the label must show)
    ("ingredients", _l("Ingredient list")),
    ("daily_dose", _l("Recommended daily dose")),
    ("overdose_warning", _l("Warning not to exceed the daily dose")),
    ("diet_statement", _l("Not a substitute for a varied diet")),
    ("children_warning", _l("Keep out of reach of children")),
    ("net_quantity", _l("Net quantity")),
    ("best_before", _l("Best before date")),
    ("lot", _l("Lot or batch number")),
    ("operator", _l("Name and address of the business")),
    ("storage", _l("Storage conditions")),
    ("independent_testing", _l("Independent testing")),
)
STATES = {"live": _l("live"), "inactivated": _l("inactivated"),
          "unstated": _l("live or inactivated not stated")}
# serving units as the parser names them -> (singular, plural) in the page's language
UNITS = {
    "capsule": (_l("capsule"), _l("capsules")), "softgel": (_l("softgel"), _l("softgels")),
    "tablet": (_l("tablet"), _l("tablets")), "sachet": (_l("sachet"), _l("sachets")),
    "scoop": (_l("scoop"), _l("scoops")), "teaspoon": (_l("teaspoon"), _l("teaspoons")),
    "drop": (_l("drop"), _l("drops")), "gummy": (_l("gummy"), _l("gummies")),
    "ampoule": (_l("ampoule"), _l("ampoules")), "serving": (_l("serving"), _l("servings")),
    "unit": (_l("unit"), _l("units")),
}
MASS_UNITS = ("g", "ml", "mg")


def _decimal_comma() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "nl"


def number(value: Any, unit: str = "") -> str:
    """1200.0 -> '1200', 250.64 -> '251', 3.456 -> '3.5'; None -> an em dash."""
    if value is None or isinstance(value, bool):
        return "\u2014"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"
    if _decimal_comma():
        text = text.replace(".", ",")
    return f"{text} {unit}".strip()


def mg_range(low: Any, high: Any) -> str:
    """'1200 mg' when both ends agree, '600\u20131200 mg' for a range, an em dash when unknown."""
    if low is None and high is None:
        return "\u2014"
    if low is None or high is None or number(low) == number(high):
        return number(high if high is not None else low, "mg")
    return f"{number(low)}\u2013{number(high, 'mg')}"


def _plural(count: Any, unit: str) -> str:
    if unit in MASS_UNITS:
        return unit
    one, many = UNITS.get(unit, (unit, f"{unit}s"))
    return str(one if count == 1 else many)


def _span(lo: Any, hi: Any) -> str:
    """'2' or '1 to 2'."""
    return number(hi) if lo in (None, hi) else gettext("%(low)s to %(high)s", low=number(lo), high=number(hi))


def serving_text(serving: Any) -> str:
    """'1 capsule per serving, 2 times a day (2 capsules a day)'; '' when the label says nothing."""
    if not isinstance(serving, dict):
        return ""
    unit = serving.get("unit") or "unit"
    parts = []
    per_serving = serving.get("units_per_serving")
    if per_serving is not None:
        parts.append(gettext("%(count)s %(unit)s per serving", count=number(per_serving),
                             unit=_plural(per_serving, unit)))
    lo, hi = serving.get("servings_per_day_min"), serving.get("servings_per_day_max")
    if hi is not None:
        once = hi == 1 and lo in (None, hi)
        parts.append(ngettext("%(times)s time a day", "%(times)s times a day", 1 if once else 2,
                              times=_span(lo, hi)))
    ulo, uhi = serving.get("units_per_day_min"), serving.get("units_per_day_max")
    text = ", ".join(parts)
    if uhi is not None:
        daily = gettext("%(count)s %(unit)s a day", count=_span(ulo, uhi), unit=_plural(uhi, unit))
        text = f"{text} ({daily})" if text else daily
    return text


def when(iso: Any) -> str:
    """'2026-11-29T14:57:04+00:00' -> '2026-11-29 14:57 UTC'."""
    text = str(iso or "")
    if text.endswith("+00:00"):
        return text[:16].replace("T", " ") + " UTC"
    return text.replace("T", " ")


def language(code: Any) -> str:
    return str(LANGUAGES.get(code, code or gettext("unknown")))


def verdict_title(verdict: Any) -> str:
    if verdict in VERDICTS:
        return str(VERDICTS[verdict][0])
    return str(verdict) if verdict else gettext("No verdict")


def verdict_text(verdict: Any) -> str:
    return str(VERDICTS[verdict][1]) if verdict in VERDICTS else ""


def state(value: Any) -> str:
    return str(STATES.get(value, value or ""))


FILTERS = {"number": number, "mg_range": mg_range, "language": language, "verdict_title": verdict_title,
           "verdict_text": verdict_text, "state": state, "serving_text": serving_text, "when": when}
