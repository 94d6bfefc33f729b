"""Finding rules (evaluations/findings.py), each on its own and at its boundaries."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.ages import DAYS_PER_MONTH, Age, age_on
from clinic.levels import Level
from evaluations import norms
from evaluations.findings import (
    CATALOGUE,
    Assessment,
    EvaluationInput,
    HineItem,
    ReflexExam,
    evaluate,
    hine_asymmetries,
    hine_section_scores,
    hine_total,
)

R, S, U = Level.ROUTINE, Level.SOON, Level.URGENT
DOB = date(2024, 1, 1)


def age(days: int, ga: int = 40) -> Age:
    return age_on(date_of_birth=DOB, on=DOB + timedelta(days=days), gestational_weeks=ga)


def day_at(months: float) -> int:
    """The first whole day whose age in months is at least ``months``."""
    return math.ceil(months * DAYS_PER_MONTH)


def hine(total: int = 78, asymmetric: int = 0) -> dict[str, HineItem]:
    """All 26 items scoring ``total``: points taken one at a time, last items first,
    so nothing drops to 0-1 until the total is below 52. The first ``asymmetric``
    items are marked asymmetric."""
    codes = list(norms.HINE_ITEMS)
    scores = dict.fromkeys(codes, 3)
    for i in range(78 - total):
        scores[codes[-1 - i % 26]] -= 1
    return {code: HineItem(score=scores[code], asymmetric=n < asymmetric) for n, code in enumerate(codes)}


def run(a: Age, **kwargs: object) -> Assessment:
    return evaluate(EvaluationInput(age=a, **kwargs))  # type: ignore[arg-type]


def levels(a: Age, **kwargs: object) -> dict[str, Level]:
    """Rule id -> level of what fired."""
    return {f.rule: f.level for f in run(a, **kwargs).findings}


def reflex(code: str, left: str = "present", right: str | None = None, **kw: bool) -> tuple:
    return (ReflexExam(code, left, left if right is None else right, **kw),)


# ------------------------------------------------------------ reflexes: absent


@pytest.mark.parametrize(
    ("code", "rule", "until", "level"),
    [
        ("moro", "RX-MORO-ABSENT", 3, S),
        ("palmar_grasp", "RX-PALMAR-ABSENT", 4, S),
        ("rooting", "RX-ROOTING-ABSENT", 3, R),  # state-dependent: routine
    ],
)
def test_absent_when_expected_until_its_bound(code: str, rule: str, until: int, level: Level):
    assert levels(age(0), reflexes=reflex(code, "absent"))[rule] == level
    assert levels(age(day_at(until) - 1), reflexes=reflex(code, "absent")).get(rule) == level
    assert rule not in levels(age(day_at(until)), reflexes=reflex(code, "absent"))


@pytest.mark.parametrize("code", ["babinski", "atnr", "stepping", "galant"])
def test_absence_of_these_reflexes_is_not_judged(code: str) -> None:
    assert levels(age(10), reflexes=reflex(code, "absent")) == {}


def test_one_sided_absence_names_the_side_and_is_also_asymmetric() -> None:
    found = run(age(20), reflexes=reflex("moro", "absent", "present"))
    assert {f.rule for f in found.findings} == {"RX-MORO-ABSENT", "RX-MORO-ASYMMETRIC"}
    assert "(left)" in found.by_rule("RX-MORO-ABSENT").explanation


# ----------------------------------------------------- plantar grasp window


@pytest.mark.parametrize(
    ("days", "side", "expected"),
    [
        (day_at(3) - 1, "absent", "RX-PLANTAR-ABSENT"),  # before the window: plain absence
        (day_at(3) - 1, "weak", None),  # weak before 3 months is not judged
        (day_at(3), "weak", "RX-PLANTAR-ABSENT-EARLY"),
        (day_at(3), "absent", "RX-PLANTAR-ABSENT-EARLY"),
        (day_at(6) - 1, "weak", "RX-PLANTAR-ABSENT-EARLY"),
        (day_at(6), "weak", None),  # window over
        (day_at(6), "absent", "RX-PLANTAR-ABSENT"),
        (day_at(9) - 1, "absent", "RX-PLANTAR-ABSENT"),
        (day_at(9), "absent", None),  # usually gone from 9 months
    ],
)
def test_plantar_grasp_absent_or_weak_at_3_to_6_months(days: int, side: str, expected: str | None):
    fired = levels(age(days), reflexes=reflex("plantar_grasp", side))
    assert set(fired) == ({expected} if expected else set())
    assert all(level == S for level in fired.values())


def test_plantar_early_window_uses_corrected_age() -> None:
    # Born 32 weeks (56 days early), 4 months old: corrected ~2.2 months, before the window.
    preterm = age(day_at(4), ga=32)
    assert "RX-PLANTAR-ABSENT-EARLY" not in levels(preterm, reflexes=reflex("plantar_grasp", "weak"))
    assert "RX-PLANTAR-ABSENT-EARLY" in levels(age(day_at(4)), reflexes=reflex("plantar_grasp", "weak"))


# -------------------------------------------------------- reflexes: persist


@pytest.mark.parametrize(
    ("code", "rule", "bound"),
    [
        ("moro", "RX-MORO-PERSISTS", 6),
        ("palmar_grasp", "RX-PALMAR-PERSISTS", 6),
        ("plantar_grasp", "RX-PLANTAR-PERSISTS", 15),
        ("babinski", "RX-BABINSKI-PERSISTS", 24),
        ("rooting", "RX-ROOTING-PERSISTS", 6),
        ("atnr", "RX-ATNR-PERSISTS", 6),
        ("galant", "RX-GALANT-PERSISTS", 6),
    ],
)
def test_persisting_past_the_bound_is_routine_then_soon(code: str, rule: str, bound: int):
    assert rule not in levels(age(day_at(bound) - 1), reflexes=reflex(code))
    assert levels(age(day_at(bound) + 1), reflexes=reflex(code))[rule] == R  # slightly late
    assert levels(age(day_at(bound + 3) - 1), reflexes=reflex(code, "weak"))[rule] == R
    assert levels(age(day_at(bound + 3) + 1), reflexes=reflex(code))[rule] == S  # well past


def test_stepping_never_persists_and_absent_sides_do_not_persist() -> None:
    assert levels(age(day_at(20)), reflexes=reflex("stepping")) == {}
    assert levels(age(day_at(8)), reflexes=reflex("moro", "absent")) == {}


def test_preterm_reflex_is_judged_on_corrected_age() -> None:
    # Born 30 weeks, 7 months old = ~4.7 months corrected: a Moro is still normal.
    preterm = age(213, ga=30)
    assert preterm.uses == "corrected" and round(preterm.norm_months, 1) == 4.7
    assert levels(preterm, reflexes=reflex("moro")) == {}
    assert levels(age(213), reflexes=reflex("moro")) == {"RX-MORO-PERSISTS": R}


def test_correction_stops_at_24_months_chronological() -> None:
    # Born 30 weeks: at 23.9 months chronological the corrected age is ~21.6 months.
    assert levels(age(day_at(24) - 3, ga=30), reflexes=reflex("babinski")) == {}
    # From 24 months chronological the norms use chronological age.
    past = age(day_at(24) + 1, ga=30)
    assert past.uses == "chronological"
    assert "RX-BABINSKI-PERSISTS" in levels(past, reflexes=reflex("babinski"))


def test_one_late_reflex_is_raised_only_with_other_motor_evidence() -> None:
    seven = age(day_at(7))
    assert levels(seven, reflexes=reflex("moro"))["RX-MORO-PERSISTS"] == R
    with_tone = run(seven, reflexes=reflex("moro"), tone="increased")
    persists = with_tone.by_rule("RX-MORO-PERSISTS")
    assert persists.level == S and "TONE-INCREASED" in persists.explanation
    two = levels(
        seven, reflexes=(ReflexExam("moro", "present", "present"), ReflexExam("palmar_grasp", "weak", "weak"))
    )
    assert two == {"RX-MORO-PERSISTS": S, "RX-PALMAR-PERSISTS": S}


# ---------------------------------------------------- reflexes: asymmetric, ATNR


@pytest.mark.parametrize(
    ("left", "right", "fires"),
    [
        ("present", "weak", True),
        ("weak", "absent", True),
        ("present", "absent", True),
        ("present", "present", False),
        ("absent", "absent", False),
        ("present", "not_tested", False),
        ("not_tested", "weak", False),
    ],
)
def test_asymmetry_at_any_age(left: str, right: str, fires: bool) -> None:
    for days in (5, day_at(10), day_at(30)):
        found = levels(age(days), reflexes=reflex("stepping", left, right))
        assert ("RX-STEPPING-ASYMMETRIC" in found) is fires
        if fires:
            assert found["RX-STEPPING-ASYMMETRIC"] == S


def test_obligatory_atnr_at_any_age_and_only_for_atnr() -> None:
    assert levels(age(10), reflexes=reflex("atnr", obligatory=True)) == {"RX-ATNR-OBLIGATORY": S}
    assert levels(age(10), reflexes=reflex("atnr")) == {}
    assert levels(age(10), reflexes=reflex("moro", obligatory=True)) == {}


# ---------------------------------------------------------------- before term


def test_before_term_only_age_free_rules_run_and_a_note_says_so() -> None:
    before_term = age(20, ga=28)
    result = run(
        before_term,
        reflexes=(ReflexExam("moro", "absent", "absent"), ReflexExam("palmar_grasp", "present", "weak")),
        hine=hine(40),
        milestones={"m2-move-head-up-tummy": "not_yet"},
        tone="decreased",
    )
    assert {f.rule for f in result.findings} == {
        "NORMS-BEFORE-TERM",
        "RX-PALMAR-ASYMMETRIC",
        "TONE-DECREASED",
    }
    assert result.norms_note and "term" in result.norms_note
    assert result.checklist_age_months is None
    assert result.by_rule("NORMS-BEFORE-TERM").kind == "note"


def test_term_equivalent_age_is_judged() -> None:
    at_term = age(84, ga=28)  # exactly 12 weeks old, born 12 weeks early
    assert at_term.norm_days == 0
    assert "RX-MORO-ABSENT" in levels(at_term, reflexes=reflex("moro", "absent"))


# ------------------------------------------------------------------- HINE


def test_hine_arithmetic() -> None:
    full = hine(70, asymmetric=3)
    assert hine_total(full) == 70
    assert hine_asymmetries(full) == 3
    assert sum(v for v in hine_section_scores(hine(78)).values() if v) == 78
    partial = dict(full)
    del partial["scarf_sign"]
    assert hine_total(partial) is None
    sections = hine_section_scores(partial)
    assert sections["tone"] is None and sections["cranial_nerves"] == 15
    unscored = {**full, "head": HineItem(score=None)}
    assert hine_total(unscored) is None


@pytest.mark.parametrize(
    ("months", "total", "fires"),
    [
        (3, 56, True),
        (3, 57, False),
        (5.9, 56, True),
        (5.9, 72, False),  # the 3-month cut-off still applies
        (6, 72, True),
        (6, 73, False),
        (9, 72, True),
        (12, 72, True),
        (23.9, 72, True),
        (23.9, 73, False),
    ],
)
def test_hine_cp_risk_cut_offs(months: float, total: int, fires: bool) -> None:
    found = levels(age(day_at(months)), hine=hine(total))
    assert ("HINE-CP-RISK" in found) is fires
    if fires:
        assert found["HINE-CP-RISK"] == S


def test_no_cp_cut_off_before_3_months_is_a_note() -> None:
    found = run(age(day_at(3) - 1), hine=hine(40))
    assert "HINE-CP-RISK" not in found.rules
    assert "HINE-NO-CUTOFF" in found.rules


@pytest.mark.parametrize(
    ("total", "asymmetric", "fires"),
    [(62, 6, True), (62, 5, False), (63, 6, False), (63, 5, False)],
)
def test_hine_hemiplegic_pattern(total: int, asymmetric: int, fires: bool) -> None:
    found = levels(age(day_at(12)), hine=hine(total, asymmetric))
    assert ("HINE-HEMIPLEGIC" in found) is fires
    assert found["HINE-ASYMMETRIES"] == (S if asymmetric > 5 else R)


def test_no_asymmetry_no_asymmetry_finding() -> None:
    assert "HINE-ASYMMETRIES" not in levels(age(day_at(12)), hine=hine(78))


@pytest.mark.parametrize(
    ("days", "total", "fires"),
    [(84, 52, True), (84, 53, False), (112, 55, True), (112, 56, False), (224, 60, False)],
)
def test_hine_below_tenth_centile(days: int, total: int, fires: bool) -> None:
    found = levels(age(days), hine=hine(total))
    assert ("HINE-BELOW-CENTILE" in found) is fires
    if fires:
        assert found["HINE-BELOW-CENTILE"] == R


def test_hine_suboptimal_is_routine_and_yields_to_cp_risk() -> None:
    three = age(day_at(3))
    assert levels(three, hine=hine(66))["HINE-SUBOPTIMAL"] == R
    assert "HINE-SUBOPTIMAL" not in levels(three, hine=hine(67))
    low = levels(three, hine=hine(56))
    assert "HINE-CP-RISK" in low and "HINE-SUBOPTIMAL" not in low


def test_partial_hine_is_not_judged_when_it_could_still_reach_the_cut_off() -> None:
    partial = hine(75, asymmetric=6)  # 72 scored + a missing 3: could still reach 73+
    del partial["pull_to_sit"]
    result = run(age(day_at(12)), hine=partial)
    assert "HINE-PARTIAL" in result.rules
    assert not {"HINE-CP-RISK", "HINE-HEMIPLEGIC", "HINE-SUBOPTIMAL"} & result.rules
    assert result.by_rule("HINE-ASYMMETRIES").level == S  # asymmetries still count
    assert result.hine_total is None and result.hine_asymmetries == 6


def test_partial_hine_certainly_below_the_cut_off_still_fires() -> None:
    # Design choice (safer): 25 items summing to at most 40 cannot reach 73 or 63 even
    # if the unscored item were optimal, so CP risk and the hemiplegic pattern are certain.
    partial = hine(40, asymmetric=6)
    del partial["forward_parachute"]
    result = run(age(day_at(12)), hine=partial)
    assert {"HINE-PARTIAL", "HINE-CP-RISK", "HINE-HEMIPLEGIC"} <= result.rules
    cp = result.by_rule("HINE-CP-RISK")
    assert cp.level == S and cp.data["partial"] and "at most" in cp.explanation
    assert result.hine_total is None


def test_partial_hine_below_3_months_gives_no_cut_off_note() -> None:
    partial = hine(78)
    del partial["head"]
    assert "HINE-NO-CUTOFF" not in run(age(day_at(2) + 5), hine=partial).rules


@pytest.mark.parametrize("days", [day_at(2) - 1, 731])
def test_hine_out_of_range_note(days: int) -> None:
    result = run(age(days), hine=hine(30, asymmetric=8))
    assert {f.rule for f in result.findings} == {"HINE-OUT-OF-RANGE"}
    assert result.norms_note and "2 to 24 months" in result.norms_note


def test_hine_judged_on_corrected_age() -> None:
    # Total 70: high CP risk at 7 months for a term baby; fine at ~4.7 months corrected.
    assert "HINE-CP-RISK" in levels(age(213), hine=hine(70))
    assert levels(age(213, ga=30), hine=hine(70)) == {}


def test_low_hine_items_per_section() -> None:
    items = hine(78)
    items["legs"] = HineItem(score=1)
    items["auditory_response"] = HineItem(score=0)
    items["pull_to_sit"] = HineItem(score=2)  # 2 is not "low"
    result = run(age(day_at(8)), hine=items)
    assert {"HINE-LOW-POSTURE", "HINE-LOW-CRANIAL"} <= result.rules
    assert "HINE-LOW-TONE" not in result.rules
    assert result.by_rule("HINE-LOW-CRANIAL").data["items"] == ("auditory_response",)


def test_hine_input_validation() -> None:
    with pytest.raises(ValueError):
        HineItem(score=4)
    with pytest.raises(ValueError):
        EvaluationInput(age=age(100), hine={"nose": HineItem(score=3)})


# ------------------------------------------------------------------- tone


@pytest.mark.parametrize(
    ("tone", "rule"),
    [("decreased", "TONE-DECREASED"), ("increased", "TONE-INCREASED"), ("mixed", "TONE-MIXED")],
)
def test_tone_direction(tone: str, rule: str) -> None:
    assert levels(age(100), tone=tone) == {rule: S}


@pytest.mark.parametrize("tone", ["normal", ""])
def test_normal_or_unrecorded_tone(tone: str) -> None:
    assert levels(age(100), tone=tone) == {}


# ------------------------------------------------------------- milestones


def test_one_missed_milestone_is_routine_two_in_a_domain_soon() -> None:
    four = age(day_at(4))
    one = {"m4-move-head-steady": "not_yet"}
    assert levels(four, milestones=one) == {"MS-NOT-YET-MOVEMENT": R}
    two = {**one, "m2-move-head-up-tummy": "not_yet"}
    assert levels(four, milestones=two) == {"MS-NOT-YET-MOVEMENT": S}


def test_milestone_is_judged_only_from_its_age() -> None:
    answers = {"m4-cog-looks-at-hands": "not_yet"}
    assert levels(age(day_at(4) - 1), milestones=answers) == {}
    assert levels(age(day_at(4)), milestones=answers) == {"MS-NOT-YET-COGNITIVE": R}


def test_preterm_milestones_use_corrected_age() -> None:
    answers = {"m6-move-rolls-tummy-to-back": "not_yet"}
    assert levels(age(213, ga=30), milestones=answers) == {}  # ~4.7 months corrected
    assert levels(age(213), milestones=answers) == {"MS-NOT-YET-MOVEMENT": R}


def test_global_delay_needs_two_domains() -> None:
    answers = {"m6-lang-squeals": "not_yet", "m6-social-laughs": "not_yet"}
    found = levels(age(day_at(6)), milestones=answers)
    assert found["MS-GLOBAL-DELAY"] == S
    assert {"MS-NOT-YET-LANGUAGE", "MS-NOT-YET-SOCIAL"} <= set(found)


@pytest.mark.parametrize("code", sorted(norms.HEARING_MILESTONES))
def test_hearing_milestones(code: str) -> None:
    found = levels(age(day_at(4)), milestones={code: "not_yet"})
    assert found["MS-HEARING"] == S
    assert "MS-HEARING" not in levels(age(day_at(4)), milestones={code: "unsure"})


def test_unsure_is_a_routine_note_not_a_miss() -> None:
    found = levels(age(day_at(6)), milestones={"m6-social-laughs": "unsure"})
    assert found == {"MS-UNSURE": R}


def test_lost_skills_is_urgent_at_any_age() -> None:
    assert levels(age(day_at(9)), lost_skills=True) == {"MS-LOST-SKILLS": U}
    before_term = levels(age(10, ga=30), lost_skills=True)
    assert before_term["MS-LOST-SKILLS"] == U


def test_unknown_milestone_codes_are_ignored_but_bad_answers_rejected() -> None:
    assert levels(age(day_at(6)), milestones={"m6-move-flies": "not_yet"}) == {}
    with pytest.raises(ValueError):
        EvaluationInput(age=age(100), milestones={"m2-lang-coos": "maybe"})


# ---------------------------------------------------------- output shape


def test_assessment_fields_and_serialization() -> None:
    result = run(
        age(day_at(6)),
        reflexes=reflex("moro", "present", "weak"),
        hine=hine(70, asymmetric=1),
        milestones={"m6-social-laughs": "yes"},
    )
    assert result.hine_total == 70 and result.hine_asymmetries == 1
    assert result.checklist_age_months == 6
    assert result.norms_note is None
    assert result.hine_sections["cranial_nerves"] == 15
    first = result.findings[0]
    assert set(first.as_dict()) == {"rule", "level", "explanation", "source"}
    assert first.reason.rule == first.rule


def test_every_catalogue_entry_has_a_source_and_a_valid_kind() -> None:
    for rule, info in CATALOGUE.items():
        assert info.rule == rule
        assert info.source.strip()
        assert info.kind in ("reflex", "hine", "tone", "milestone", "note")
    assert {f"MS-NOT-YET-{d[2]}" for d in norms.DOMAINS.values()} <= set(CATALOGUE)


side = st.sampled_from(norms.SIDE_VALUES)
exam = st.builds(ReflexExam, st.sampled_from(list(norms.REFLEXES)), side, side, st.booleans())
item = st.builds(HineItem, st.one_of(st.none(), st.integers(0, 3)), st.booleans())


@given(
    days=st.integers(0, 1200),
    ga=st.integers(23, 42),
    exams=st.lists(exam, max_size=8, unique_by=lambda e: e.reflex),
    items=st.dictionaries(st.sampled_from(list(norms.HINE_ITEMS)), item),
    tone=st.sampled_from(["normal", "decreased", "increased", "mixed", ""]),
    answers=st.dictionaries(
        st.sampled_from(list(norms.MILESTONES)), st.sampled_from(norms.MILESTONE_ANSWERS)
    ),
    lost=st.booleans(),
)
def test_any_valid_input_gives_catalogued_findings(
    days: int,
    ga: int,
    exams: list[ReflexExam],
    items: Mapping[str, HineItem],
    tone: str,
    answers: Mapping[str, str],
    lost: bool,
) -> None:
    a = age(days, ga)
    result = run(a, reflexes=tuple(exams), hine=items, tone=tone, milestones=answers, lost_skills=lost)
    rules = [f.rule for f in result.findings]
    assert len(rules) == len(set(rules))
    for finding in result.findings:
        assert finding.rule in CATALOGUE
        assert finding.level in (R, S, U)
        assert finding.explanation and finding.source
    if a.before_term:
        assert "NORMS-BEFORE-TERM" in rules
        assert not any(r.endswith(("-ABSENT", "-PERSISTS")) or r.startswith("HINE") for r in rules)
