"""Daily amounts of an active from its printed amount and the serving (mg; None = the label does not say)."""
from __future__ import annotations

from checker.models import MICROORGANISM, Active, Amount, DailyDose, Serving
from checker.reference import ReferenceData

SODIUM_SALT = "sodium-butyrate"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _mass_range(amount: Amount | None) -> tuple[float, float] | None:
    """(low, high) mass in mg of a printed amount; None when it is not a mass."""
    if amount is None:
        return None
    low = amount.mg()
    if low is None:
        return None
    high = amount.value_max * (low / amount.value) if amount.value_max and amount.value else low
    return low, max(low, high)


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


def units_per_day(serving: Serving) -> tuple[float | None, float | None]:
    """Units (capsules, scoops...) a day: from the directions, else servings/day x units/serving."""
    lo, hi = _positive(serving.units_per_day_min), _positive(serving.units_per_day_max)
    if lo is not None or hi is not None:
        return (lo if lo is not None else hi), (hi if hi is not None else lo)
    per_serving = _positive(serving.units_per_serving)
    s_lo, s_hi = servings_per_day(serving, derive=False)
    if per_serving is None or s_lo is None or s_hi is None:
        return None, None
    return s_lo * per_serving, s_hi * per_serving


def servings_per_day(serving: Serving, *, derive: bool = True) -> tuple[float | None, float | None]:
    """Servings a day: units/day / units/serving when both are known, else as printed."""
    per_serving = _positive(serving.units_per_serving)
    u_lo, u_hi = _positive(serving.units_per_day_min), _positive(serving.units_per_day_max)
    if derive and per_serving is not None and (u_lo is not None or u_hi is not None):
        u_lo, u_hi = (u_lo if u_lo is not None else u_hi), (u_hi if u_hi is not None else u_lo)
        return u_lo / per_serving, u_hi / per_serving
    lo, hi = _positive(serving.servings_per_day_min), _positive(serving.servings_per_day_max)
    if lo is None and hi is None:
        return None, None
    return (lo if lo is not None else hi), (hi if hi is not None else lo)


def _per_day(mass: tuple[float, float], basis: str | None,
             serving: Serving) -> tuple[float | None, float | None]:
    low, high = mass
    if basis == "day":
        return low, high
    if basis == "unit":
        u_lo, u_hi = units_per_day(serving)
    elif basis == "serving":
        u_lo, u_hi = servings_per_day(serving)
    else:
        return None, None
    if u_lo is None or u_hi is None:
        return None, None
    return low * u_lo, high * u_hi


def _per_unit(mass: tuple[float, float], basis: str | None, serving: Serving) -> float | None:
    if basis == "unit":
        return mass[0]
    per_serving = _positive(serving.units_per_serving)
    if basis == "serving" and per_serving is not None:
        return mass[0] / per_serving
    return None


def daily_dose(active: Active, serving: Serving, ref: ReferenceData) -> DailyDose:
    """Per-unit and daily mass of an active, its butyric-acid equivalent and (sodium salt) sodium."""
    mass = _mass_range(active.amount)
    if mass is None:
        return DailyDose(None, None, None, None, None)
    per_unit = _per_unit(mass, active.basis, serving)
    day_min, day_max = _per_day(mass, active.basis, serving)
    form = ref.form(active.id) if active.id != MICROORGANISM else None
    ba = sodium = None
    if day_max is not None and form is not None:
        if form.butyric_acid_fraction is not None:
            ba = day_max * form.butyric_acid_fraction
        if active.id == SODIUM_SALT and form.metal_fraction is not None:
            sodium = day_max * form.metal_fraction
    return DailyDose(_round(per_unit), _round(day_min), _round(day_max), _round(ba), _round(sodium))


def declared_butyric_acid_per_day_max(active: Active, serving: Serving) -> float | None:
    """Highest daily butyric acid the label itself declares for an active ("of which butyric acid")."""
    mass = _mass_range(active.declared_butyric_acid)
    if mass is None:
        return None
    return _round(_per_day(mass, active.basis, serving)[1])


def butyric_acid_per_day_max(active: Active, serving: Serving, ref: ReferenceData) -> float | None:
    """Computed daily butyric-acid equivalent, else the declared one; None for microorganisms."""
    if active.id == MICROORGANISM:
        return None
    computed = daily_dose(active, serving, ref).butyric_acid_mg_per_day_max
    if computed is not None:
        return computed
    return declared_butyric_acid_per_day_max(active, serving)
