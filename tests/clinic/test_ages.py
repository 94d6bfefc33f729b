"""Chronological and corrected age (CLINICAL.md §1)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from clinic.ages import DAYS_PER_MONTH, age_on, describe_days

births = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1))
ages_in_days = st.integers(min_value=0, max_value=5 * 365)
weeks = st.integers(min_value=22, max_value=44)
extra_days = st.integers(min_value=0, max_value=6)


@given(births, ages_in_days, weeks, extra_days)
def test_corrected_never_exceeds_chronological(born, days, gw, gd):
    age = age_on(date_of_birth=born, on=born + timedelta(days=days), gestational_weeks=gw,
                 gestational_days=gd)
    assert age.corrected_days <= age.chronological_days
    assert age.chronological_days == days


@given(births, ages_in_days, st.integers(min_value=37, max_value=44), extra_days)
def test_term_babies_have_equal_ages(born, days, gw, gd):
    age = age_on(date_of_birth=born, on=born + timedelta(days=days), gestational_weeks=gw,
                 gestational_days=gd)
    assert age.corrected_days == age.chronological_days
    assert age.uses == "chronological"


@given(births, ages_in_days, st.integers(min_value=22, max_value=36), extra_days)
def test_preterm_correction_stops_at_24_months(born, days, gw, gd):
    age = age_on(date_of_birth=born, on=born + timedelta(days=days), gestational_weeks=gw,
                 gestational_days=gd)
    if days < 24 * DAYS_PER_MONTH:
        assert age.uses == "corrected"
        assert age.chronological_days - age.corrected_days == 280 - (gw * 7 + gd)
        assert age.norm_days == age.corrected_days
    else:
        assert age.uses == "chronological"
        assert age.norm_days == age.chronological_days


def test_switch_happens_at_24_months():
    born = date(2024, 1, 1)
    last_corrected = born + timedelta(days=730)  # 730 < 24 * 30.4375 = 730.5
    first_chronological = born + timedelta(days=731)
    assert age_on(date_of_birth=born, on=last_corrected, gestational_weeks=30).uses == "corrected"
    assert age_on(date_of_birth=born, on=first_chronological,
                  gestational_weeks=30).uses == "chronological"


def test_32_weeks_baby_at_seven_months():
    born = date(2026, 1, 1)
    age = age_on(date_of_birth=born, on=born + timedelta(days=213), gestational_weeks=32)
    assert age.corrected_days == 213 - 56
    assert age.before_term is False


def test_before_term_equivalent_age():
    born = date(2026, 1, 1)
    age = age_on(date_of_birth=born, on=born + timedelta(days=20), gestational_weeks=28)
    assert age.corrected_days == 20 - 84 and age.before_term


def test_correction_limit_is_configurable():
    born = date(2024, 1, 1)
    on = born + timedelta(days=800)
    assert age_on(date_of_birth=born, on=on, gestational_weeks=26).uses == "chronological"
    assert age_on(date_of_birth=born, on=on, gestational_weeks=26,
                  correct_until_months=36).uses == "corrected"


def test_describe_days():
    assert describe_days(10) == "10 days"
    assert describe_days(42) == "6 weeks"
    assert describe_days(213) == "6 months"
    assert describe_days(-14) == "2 weeks before term"
