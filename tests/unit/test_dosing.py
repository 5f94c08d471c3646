"""Daily dose arithmetic: units, servings, ranges, butyric-acid and sodium figures; unknown stays None."""
from __future__ import annotations

import pytest
from rules_ref import butyrate, mg, microbe, small_reference

from checker.dosing import (
    butyric_acid_per_day_max,
    daily_dose,
    declared_butyric_acid_per_day_max,
    servings_per_day,
    units_per_day,
)
from checker.models import Amount, DailyDose, Serving
from checker.reference import default_reference

REF = small_reference()


def S(ups=None, lo=None, hi=None, slo=None, shi=None, unit="capsule") -> Serving:  # noqa: N802
    return Serving(units_per_serving=ups, unit=unit, units_per_day_min=lo, units_per_day_max=hi,
                   servings_per_day_min=slo, servings_per_day_max=shi)


def _grams(active, grams):
    active.amount = mg(grams, unit="g")
    return active


@pytest.mark.parametrize("active, serving, expected", [
    # 600 mg per capsule, 1 capsule twice a day
    (butyrate("sodium-butyrate", 600), S(1, 2, 2), DailyDose(600, 1200, 1200, 960.4, 250.6)),
    # 1-2 softgels a day: a range gives min and max; BA from the max
    (butyrate("tributyrin", 450), S(None, 1, 2), DailyDose(450, 450, 900, 786.7, None)),
    # "Serving Size 2 Capsules" with 1200 mg per serving, "take 2 capsules once daily"
    (butyrate("sodium-butyrate", 1200, "serving"), S(2, 2, 2), DailyDose(600, 1200, 1200, 960.4, 250.6)),
    # same, but the directions only say "once daily" (servings per day)
    (butyrate("sodium-butyrate", 1200, "serving"), S(2, slo=1, shi=1),
     DailyDose(600, 1200, 1200, 960.4, 250.6)),
    # serving of 2 capsules, 2 to 4 capsules a day -> 1 to 2 servings
    (butyrate("sodium-butyrate", 1200, "serving"), S(2, 2, 4), DailyDose(600, 1200, 2400, 1920.8, 501.2)),
    # a serving that is itself the daily dose ("Per 2 capsules (dagdosering)", take 2 a day) counts once
    (butyrate("calcium-butyrate", 600, "serving"), S(2, 2, 2), DailyDose(300, 600, 600, 493.4, None)),
    # amount per day: the amount itself, whatever the serving says
    (butyrate("calcium-butyrate", 600, "day"), S(2, 2, 2), DailyDose(None, 600, 600, 493.4, None)),
    (butyrate("magnesium-butyrate", 400, "day"), S(), DailyDose(None, 400, 400, 355.1, None)),
    # per unit, directions in servings: servings/day x units/serving
    (butyrate("sodium-butyrate", 600), S(1, slo=2, shi=2), DailyDose(600, 1200, 1200, 960.4, 250.6)),
    # grams are mg x 1000: 5 g per scoop, twice a day
    (_grams(butyrate("sodium-butyrate", 5000), 5), S(1, 2, 2, unit="scoop"),
     DailyDose(5000, 10000, 10000, 8003.2, 2088.3)),
    # microorganism mass: daily mg, never a butyric-acid figure
    (microbe(amount=25), S(None, 1, 2, unit="tablet"), DailyDose(25, 25, 50, None, None)),
    # "butyrate" with no form: daily salt weight known, butyric acid not
    (butyrate("butyrate-unspecified", 300, name="Butyrat"), S(None, 2, 2),
     DailyDose(300, 600, 600, None, None)),
    (butyrate("butyric-acid", 250), S(None, 1, 1), DailyDose(250, 250, 250, 250, None)),
])
def test_daily_dose(active, serving, expected):
    assert daily_dose(active, serving, REF) == expected


@pytest.mark.parametrize("active, serving", [
    (butyrate("sodium-butyrate", None), S(1, 2, 2)),  # no amount printed
    (butyrate("sodium-butyrate", 600, basis=None), S(1, 2, 2)),  # amount printed, basis unknown
])
def test_no_amount_gives_all_none(active, serving):
    assert daily_dose(active, serving, REF) == DailyDose(None, None, None, None, None)


@pytest.mark.parametrize("amount", [
    Amount(64, "%", "64 %"), Amount(10, "cfu", "10 billion CFU"), Amount(2, "IU", "2 IU")])
def test_non_mass_amount_is_unknown_not_zero(amount):
    active = butyrate("sodium-butyrate", 600)
    active.amount = amount
    assert daily_dose(active, S(1, 1, 1), REF) == DailyDose(None, None, None, None, None)


@pytest.mark.parametrize("active, serving, expected", [
    # no directions at all: per unit known, the day unknown (never 0 or a guess)
    (butyrate("sodium-butyrate", 500), S(), DailyDose(500, None, None, None, None)),
    # per serving, serving size unknown, but 2 servings a day
    (butyrate("sodium-butyrate", 1000, "serving"), S(None, slo=2, shi=2),
     DailyDose(None, 2000, 2000, 1600.6, 417.7)),
    # per serving and units a day, serving size unknown: cannot convert
    (butyrate("sodium-butyrate", 1000, "serving"), S(None, 2, 2), DailyDose(None, None, None, None, None)),
    # per unit with servings a day but the serving size unknown: cannot convert
    (butyrate("sodium-butyrate", 500), S(None, slo=1, shi=1), DailyDose(500, None, None, None, None)),
])
def test_unknowns_stay_none(active, serving, expected):
    assert daily_dose(active, serving, REF) == expected


def test_printed_amount_range_spans_min_to_max():
    active = butyrate("sodium-butyrate", 100)
    active.amount = mg(100, 200)
    assert daily_dose(active, S(None, 1, 2), REF) == DailyDose(100, 100, 400, 320.1, 83.5)


@pytest.mark.parametrize("serving, units, servings", [
    (S(2, 2, 2), (2, 2), (1, 1)),
    (S(2, slo=1, shi=3), (2, 6), (1, 3)),
    (S(None, 1, 2), (1, 2), (None, None)),
    (S(), (None, None), (None, None)),
    (S(1, 3, None), (3, 3), (3, 3)),  # one bound printed: both bounds
])
def test_units_and_servings_per_day(serving, units, servings):
    assert units_per_day(serving) == units
    assert servings_per_day(serving) == servings


def test_declared_butyric_acid_is_a_fallback_only():
    declared = butyrate("butyrate-unspecified", 300, name="Butyrate", declared_butyric_acid=mg(240))
    assert declared_butyric_acid_per_day_max(declared, S(None, 2, 2)) == 480
    assert butyric_acid_per_day_max(declared, S(None, 2, 2), REF) == 480
    computed = butyrate("sodium-butyrate", 600, declared_butyric_acid=mg(1))  # computed wins over a typo
    assert butyric_acid_per_day_max(computed, S(None, 2, 2), REF) == 960.4
    assert butyric_acid_per_day_max(microbe(), S(None, 1, 1), REF) is None


@pytest.mark.parametrize("form_id, per_day, ba, sodium", [
    # domain.md: 1200 mg sodium butyrate = about 960 mg butyric acid and 250.6 mg sodium
    ("sodium-butyrate", 1200, 960.4, 250.6),
    ("tributyrin", 900, 786.7, None),  # domain.md: 900 mg tributyrin = 787 mg butyric acid
    ("calcium-butyrate", 1000, 822.4, None),
    ("magnesium-butyrate", 1000, 887.7, None),
    ("potassium-butyrate", 1000, 698.2, None),
])
def test_real_reference_figures(form_id, per_day, ba, sodium):
    dose = daily_dose(butyrate(form_id, per_day, "day"), S(), default_reference())
    assert dose.butyric_acid_mg_per_day_max == pytest.approx(ba, abs=1.5)
    if sodium is None:
        assert dose.sodium_mg_per_day_max is None
    else:
        assert dose.sodium_mg_per_day_max == pytest.approx(sodium, abs=0.5)
