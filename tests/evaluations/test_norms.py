"""Norms as data (evaluations/norms.py): integrity, sources, age lookups at their boundaries."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.ages import DAYS_PER_MONTH, Age, age_on
from clinic.levels import Confidence
from evaluations import norms

DOB = date(2024, 1, 1)

HINE_CODES_FROM_DESIGN = (
    "facial_appearance eye_appearance auditory_response visual_response sucking_swallowing "
    "head trunk arms hands legs feet movement_quantity movement_quality scarf_sign "
    "passive_shoulder_elevation pronation_supination hip_adductors popliteal_angle "
    "ankle_dorsiflexion pull_to_sit ventral_suspension tendon_reflexes arm_protection "
    "vertical_suspension lateral_tilting forward_parachute"
).split()
REFLEX_CODES = "moro palmar_grasp plantar_grasp babinski rooting atnr stepping galant".split()


def age(days: int, ga: int = 40) -> Age:
    return age_on(date_of_birth=DOB, on=DOB + timedelta(days=days), gestational_weeks=ga)


def first_day_at(months: float) -> int:
    """The first whole day whose age in months is at least ``months``."""
    return math.ceil(months * DAYS_PER_MONTH)


# ---------------------------------------------------------------- reflexes


def test_the_eight_reflexes_of_clinical_section_4() -> None:
    assert sorted(norms.REFLEXES) == sorted(REFLEX_CODES)
    for code, norm in norms.REFLEXES.items():
        assert norm.code == code
        assert norm.label and norm.elicited_by and norm.normal_response and norm.meaning
        assert norm.expected_from_months == 0  # all present from birth
        assert norm.source and isinstance(norm.confidence, Confidence)


def test_reflex_bounds_follow_clinical_section_4() -> None:
    bounds = {code: n.flag_after_months for code, n in norms.REFLEXES.items()}
    assert bounds == {
        "moro": 6,
        "palmar_grasp": 6,
        "plantar_grasp": 15,
        "babinski": 24,
        "rooting": 6,
        "atnr": 6,
        "stepping": None,
        "galant": 6,
    }
    assert norms.REFLEXES["plantar_grasp"].weak_or_absent_window == (3, 6)
    assert [c for c, n in norms.REFLEXES.items() if n.obligatory_abnormal] == ["atnr"]
    assert norms.REFLEXES["galant"].low_confidence


# -------------------------------------------------------------------- HINE


def test_hine_has_the_26_design_items_in_five_sections_totalling_78() -> None:
    assert list(norms.HINE_ITEMS) == HINE_CODES_FROM_DESIGN
    maxima = {s: norms.hine_section_max(s) for s in norms.HINE_SECTIONS}
    assert maxima == {
        "cranial_nerves": 15,
        "posture": 18,
        "movements": 6,
        "tone": 24,
        "reflexes_reactions": 15,
    }
    assert sum(maxima.values()) == norms.HINE_TOTAL_MAX == 78
    for item in norms.HINE_ITEMS.values():
        assert item.max_score == 3
        assert item.section in norms.HINE_SECTIONS
        assert item.hint.endswith("?") and len(item.hint) < 90  # short, our own words


def test_hine_cut_offs_are_the_published_values_with_sources() -> None:
    assert [(c.at_months, c.below) for c in norms.HINE_CP_RISK] == [
        (3, 57),
        (6, 73),
        (9, 73),
        (12, 73),
    ]
    assert [(c.at_months, c.below) for c in norms.HINE_OPTIMAL] == [
        (3, 67),
        (6, 70),
        (9, 73),
        (12, 73),
    ]
    assert [(c.weeks, c.value) for c in norms.HINE_CENTILE_10] == [
        (12, 52.1),
        (16, 55.6),
        (20, 59.0),
        (24, 61.8),
        (28, 63.8),
    ]
    assert (norms.HINE_HEMIPLEGIC.total_below, norms.HINE_HEMIPLEGIC.asymmetries_above) == (63, 5)
    assert all(c.source == "NOVAK" for c in norms.HINE_CP_RISK)
    assert all(c.low_confidence for c in norms.HINE_OPTIMAL)


def test_every_value_carries_a_source_and_a_confidence() -> None:
    sourced = [
        *norms.REFLEXES.values(),
        *norms.HINE_CP_RISK,
        *norms.HINE_OPTIMAL,
        *norms.HINE_CENTILE_10,
        norms.HINE_HEMIPLEGIC,
        norms.HINE_AGE_RANGE,
        *norms.CHECKLISTS,
        *norms.SCREENING_SCHEDULE,
    ]
    for value in sourced:
        assert value.source.strip(), value
        assert isinstance(value.confidence, Confidence), value


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (first_day_at(2) - 1, None),  # HINE not applicable before 2 months
        (first_day_at(2), None),  # applicable, but no published cut-off before 3 months
        (first_day_at(3) - 1, None),
        (first_day_at(3), 57),
        (first_day_at(6) - 1, 57),  # nearest lower listed age
        (first_day_at(6), 73),
        (first_day_at(12), 73),
        (730, 73),  # 23.98 months: the 12-month value still applies
        (731, None),  # past 24 months: HINE out of range
    ],
)
def test_cp_risk_cut_off_by_age(days: int, expected: float | None) -> None:
    cutoff = norms.cp_risk_cutoff(age(days))
    assert (cutoff.below if cutoff else None) == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (83, None),
        (84, 52.1),  # 12 weeks
        (111, 52.1),
        (112, 55.6),  # 16 weeks
        (196, 63.8),  # 28 weeks
        (223, 63.8),
        (224, None),  # 32 weeks: past the reference range
    ],
)
def test_tenth_centile_by_week(days: int, expected: float | None) -> None:
    centile = norms.centile_10(age(days))
    assert (centile.value if centile else None) == expected


def test_optimal_cut_off_steps() -> None:
    assert norms.optimal_cutoff(age(first_day_at(3))).below == 67
    assert norms.optimal_cutoff(age(first_day_at(6) - 1)).below == 67
    assert norms.optimal_cutoff(age(first_day_at(6))).below == 70
    assert norms.optimal_cutoff(age(first_day_at(9))).below == 73


def test_hine_does_not_apply_before_term() -> None:
    before_term = age(30, ga=28)  # 30 days old, 54 days before term
    assert before_term.before_term
    assert not norms.hine_applies(before_term)


# -------------------------------------------------------------- milestones

CODE_PATTERN = re.compile(r"^m(?P<months>\d+)-(?P<short>social|lang|cog|move)-[a-z0-9]+(-[a-z0-9]+)*$")


def test_milestone_codes_are_unique_stable_and_in_a_checklist() -> None:
    in_checklists = [m.code for c in norms.CHECKLISTS for m in c.items]
    assert len(in_checklists) == len(set(in_checklists))
    assert set(in_checklists) == set(norms.MILESTONES)
    assert "m2-move-head-up-tummy" in norms.MILESTONES
    for code, item in norms.MILESTONES.items():
        match = CODE_PATTERN.match(code)
        assert match, code
        assert int(match["months"]) == item.age_months
        assert norms.DOMAINS[item.domain][0] == match["short"]
        assert item.text and item.text[0].isupper()


def test_each_checklist_covers_the_four_domains() -> None:
    assert [c.age_months for c in norms.CHECKLISTS] == [2, 4, 6, 9, 12, 15, 18, 24]
    for checklist in norms.CHECKLISTS:
        assert {m.domain for m in checklist.items} == set(norms.DOMAINS)
        assert all(m.age_months == checklist.age_months for m in checklist.items)


def test_milestone_lookup_and_hearing_codes() -> None:
    item = norms.milestone("m4-lang-turns-to-voice")
    assert item.as_dict() == {
        "code": "m4-lang-turns-to-voice",
        "domain": "language_communication",
        "text": "Turns head toward the sound of your voice",
        "age_months": 4,
    }
    with pytest.raises(KeyError):
        norms.milestone("m3-move-nonexistent")
    assert {norms.milestone(c).age_months for c in norms.HEARING_MILESTONES} == {2, 4}


@pytest.mark.parametrize("listed", [2, 4, 6, 9, 12, 15, 18, 24])
def test_checklist_for_switches_exactly_at_each_listed_age(listed: int) -> None:
    previous = max((a for a in norms.CHECKLIST_AGES if a < listed), default=None)
    before = norms.checklist_for(age(first_day_at(listed) - 1))
    after = norms.checklist_for(age(first_day_at(listed)))
    assert (before.age_months if before else None) == previous
    assert after is not None and after.age_months == listed


def test_no_checklist_before_two_months_says_why() -> None:
    young = age(first_day_at(2) - 1)
    assert norms.checklist_for(young) is None
    assert "2 months" in (norms.no_checklist_reason(young) or "")
    assert norms.no_checklist_reason(age(first_day_at(2))) is None


def test_no_checklist_before_term_says_why() -> None:
    before_term = age(40, ga=30)  # 40 days old, 30 days before term
    assert norms.checklist_for(before_term) is None
    assert "term" in (norms.no_checklist_reason(before_term) or "")


def test_preterm_baby_gets_the_checklist_for_corrected_age() -> None:
    # Born at 30 weeks, 6 months old: corrected age 113 days (~3.7 months).
    preterm = age(183, ga=30)
    assert preterm.uses == "corrected" and preterm.corrected_days == 113
    assert norms.checklist_for(preterm).age_months == 2
    assert norms.checklist_for(age(183)).age_months == 6  # a term baby the same day
    reason = norms.no_checklist_reason(age(first_day_at(2) + 69, ga=30))
    assert reason is not None and "corrected" in reason


def test_thirty_months_and_later_checklists_are_not_stored() -> None:
    assert norms.checklist_for(age(first_day_at(30) - 1)).age_months == 24
    assert norms.checklist_for(age(first_day_at(30))) is None
    assert "30 months" in (norms.no_checklist_reason(age(first_day_at(30))) or "")


def test_milestones_due_only_once_the_child_reaches_their_age() -> None:
    codes = ["m2-lang-reacts-loud-sounds", "m4-lang-coos", "unknown-code"]
    assert norms.milestones_due(age(first_day_at(4) - 1), codes) == [
        norms.milestone("m2-lang-reacts-loud-sounds")
    ]
    assert len(norms.milestones_due(age(first_day_at(4)), codes)) == 2
    assert norms.milestones_due(age(10, ga=30), codes) == []


@given(days=st.integers(min_value=0, max_value=1200), ga=st.integers(min_value=23, max_value=42))
def test_checklist_is_never_above_the_norm_age(days: int, ga: int) -> None:
    a = age(days, ga)
    checklist = norms.checklist_for(a)
    if checklist is None:
        assert norms.no_checklist_reason(a)
    else:
        assert checklist.age_months <= a.norm_months
        later = [x for x in norms.CHECKLIST_AGES if checklist.age_months < x <= a.norm_months]
        assert later == []


# ------------------------------------------------------- screening schedule


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (8.9, set()),
        (9, {"SCHED-DEV-9"}),
        (11.9, {"SCHED-DEV-9"}),
        (12, set()),
        (18, {"SCHED-DEV-18", "SCHED-AUTISM-18"}),
        (24, {"SCHED-AUTISM-24"}),
        (30, {"SCHED-DEV-30"}),
    ],
)
def test_screening_schedule(months: float, expected: set[str]) -> None:
    due = norms.screenings_due(age(first_day_at(months)))
    assert {s.rule for s in due} == expected


def test_screening_schedule_matches_clinical_section_6() -> None:
    kinds = {(s.kind, s.at_months) for s in norms.SCREENING_SCHEDULE}
    assert kinds == {
        ("developmental", 9),
        ("developmental", 18),
        ("developmental", 30),
        ("autism", 18),
        ("autism", 24),
    }
