"""Whole-case babies, written from CLINICAL.md sections 1-7: exam + episodes -> suggestions.

Each case is a small builder: who the baby is, what the clinician found, what the
parent logged, and the follow-up codes (with priority) a clinician would expect.
Together the cases cover all 12 suggestion codes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from clinic.ages import DAYS_PER_MONTH, Age, age_on
from clinic.levels import Level
from evaluations import norms
from evaluations.findings import EvaluationInput, HineItem, ReflexExam, evaluate
from evaluations.suggestions import CODES, EpisodeSummary, SuggestionResult, suggest

R, S, U, E = Level.ROUTINE, Level.SOON, Level.URGENT, Level.EMERGENCY
NOW = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


# ------------------------------------------------------------------ builders


def baby(*, months: float = 0, days: int = 0, born_weeks: int = 40) -> Age:
    """A baby ``months`` (plus ``days``) old today, born at ``born_weeks`` of gestation."""
    born = NOW.date() - timedelta(days=math.ceil(months * DAYS_PER_MONTH) + days)
    return age_on(date_of_birth=born, on=NOW.date(), gestational_weeks=born_weeks)


def reflexes(**found: str | tuple[str, str]) -> tuple[ReflexExam, ...]:
    """reflexes(moro="present", palmar_grasp=("absent", "present")) -> left/right exams."""
    exams = []
    for code, sides in found.items():
        left, right = (sides, sides) if isinstance(sides, str) else sides
        exams.append(ReflexExam(code, left, right))
    return tuple(exams)


def hine(total: int = 78, *, asymmetric: int = 0) -> dict[str, HineItem]:
    """A complete HINE summing to ``total`` (points off one at a time, last items first)."""
    codes = list(norms.HINE_ITEMS)
    scores = dict.fromkeys(codes, 3)
    for i in range(78 - total):
        scores[codes[-1 - i % 26]] -= 1
    return {c: HineItem(scores[c], n < asymmetric) for n, c in enumerate(codes)}


def milestones(age: Age, **not_yet_or_unsure: str) -> dict[str, str]:
    """Every milestone the baby has reached the age of answered "yes", except those named
    (keyword = code with "_" for "-", value "not_yet" or "unsure")."""
    answers = {m.code: "yes" for m in norms.milestones_due(age, norms.MILESTONES)}
    answers.update({k.replace("_", "-"): v for k, v in not_yet_or_unsure.items()})
    return answers


_next_id = iter(range(1, 1000))


def logged(
    *rules: str,
    days_ago: float = 1,
    level: Level = U,
    signs: tuple[str, ...] = (),
    seconds: int | None = None,
    parts: tuple[str, ...] = (),
    pattern: str = "rhythmic",
) -> EpisodeSummary:
    """An episode the parent logged, as triage summarised it."""
    return EpisodeSummary(
        id=f"ep{next(_next_id)}",
        started_at=NOW - timedelta(days=days_ago),
        level=level,
        rules=frozenset(rules),
        signs=frozenset(signs),
        pattern=pattern,
        duration_seconds=seconds,
        body_parts=frozenset(parts),
    )


def typical(days_ago: float) -> EpisodeSummary:
    return logged(
        "EP-TYPICAL", days_ago=days_ago, level=R, pattern="cluster", seconds=20, parts=("left_foot",)
    )


@dataclass(frozen=True)
class Case:
    name: str
    exam: EvaluationInput
    episodes: tuple[EpisodeSummary, ...] = ()
    expect: dict[str, Level] = field(default_factory=dict)
    no_tests_note: bool = False
    must_not_fire: frozenset[str] = frozenset()  # finding rules that must stay silent
    lab_flags: frozenset[str] = frozenset()

    def run(self) -> SuggestionResult:
        assessment = evaluate(self.exam)
        return suggest(assessment, self.episodes, now=NOW, age=self.exam.age, lab_flags=self.lab_flags)


# -------------------------------------------------------------------- cases


def ava_sleep_myoclonus_normal_exam() -> Case:
    """4 months, clusters of foot jerks only in sleep, stop on waking; normal exam [ICNA, BNSM]."""
    a = baby(months=4)
    return Case(
        "Ava, 4 mo, benign sleep myoclonus, normal exam",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="present", palmar_grasp="present", plantar_grasp="present"),
            hine=hine(72),
            tone="normal",
            milestones=milestones(a),
        ),
        episodes=(typical(1), typical(2), typical(4)),
        no_tests_note=True,
    )


def _ben_exam(a: Age) -> EvaluationInput:
    return EvaluationInput(
        age=a,
        reflexes=reflexes(moro="present", palmar_grasp="present", plantar_grasp="present"),
        hine=hine(70),
        tone="normal",
        milestones={**milestones(baby(months=4.7)), "m6-move-rolls-tummy-to-back": "not_yet"},
    )


def ben_preterm_30_weeks_judged_on_corrected_age() -> Case:
    """Born 30 weeks, 7 months old = ~4.7 months corrected [AAP-CA]: a Moro and palmar grasp,
    HINE 70 and not rolling yet are all normal for his corrected age."""
    a = baby(months=7, born_weeks=30)
    return Case(
        "Ben, born 30 wk, 7 mo (4.7 corrected), normal for corrected age",
        _ben_exam(a),
        episodes=(typical(3),),
        no_tests_note=True,
        must_not_fire=frozenset(
            {"RX-MORO-PERSISTS", "RX-PALMAR-PERSISTS", "HINE-CP-RISK", "MS-NOT-YET-MOVEMENT"}
        ),
    )


def chloe_newborn_seizure() -> Case:
    """10 days old, rhythmic arm jerking not stopped by holding, eyes fixed [ACNS, ALFONSO]."""
    a = baby(days=10)
    return Case(
        "Chloe, 10 days, newborn seizure",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="present", palmar_grasp="present", rooting="present"),
            tone="normal",
        ),
        episodes=(
            logged(
                "EP-NEWBORN-SEIZURE",
                "EP-NOT-SUPPRESSIBLE",
                "EP-EYES",
                days_ago=0.2,
                level=E,
                signs=("eyes_rolling_or_fixed",),
                seconds=45,
                parts=("left_arm", "right_arm"),
            ),
        ),
        expect={"eeg": U, "metabolic_blood_work": U, "neurology_referral": U},
    )


def dev_infantile_spasms_with_regression() -> Case:
    """7 months, clusters of head drops on waking, stopped laughing [ISAN]."""
    a = baby(months=7)
    return Case(
        "Dev, 7 mo, infantile spasms with regression",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="absent", palmar_grasp="absent"),
            tone="normal",
            milestones=milestones(a, m6_social_laughs="not_yet"),
            lost_skills=True,
        ),
        episodes=(
            logged("EP-SPASM-CLUSTER", days_ago=2, pattern="cluster", seconds=90, parts=("whole_body",)),
            logged(
                "EP-SPASM-CLUSTER",
                "EP-LOST-SKILLS",
                days_ago=1,
                pattern="cluster",
                signs=("lost_skills",),
                seconds=120,
                parts=("whole_body",),
            ),
        ),
        expect={
            "video_eeg": U,
            "neurology_referral": U,
            "early_intervention": S,
            "developmental_screening": R,
        },
    )


def eli_simple_febrile_seizure() -> Case:
    """18 months, one 3-minute whole-body seizure with fever, normal exam: no EEG [AAP-FS],
    a neurology referral at soon (section 7 lists every seizure-like episode).
    The scheduled 18-month developmental and autism screens are still due [CDC-LTSAE]."""
    a = baby(months=18)
    return Case(
        "Eli, 18 mo, simple febrile seizure",
        EvaluationInput(
            age=a,
            reflexes=reflexes(babinski="present"),
            hine=hine(78),
            tone="normal",
            milestones=milestones(a),
        ),
        episodes=(
            logged(
                "EP-EYES",
                "EP-FEVER",
                days_ago=2,
                signs=("fever", "eyes_rolling_or_fixed"),
                seconds=180,
                parts=("whole_body",),
            ),
        ),
        # No EEG [AAP-FS]; neurology at soon: CLINICAL.md section 7 lists every
        # seizure-like episode for it (design choice in suggestions.py).
        expect={"developmental_screening": R, "neurology_referral": S},
        must_not_fire=frozenset({"RX-BABINSKI-PERSISTS"}),
    )


def fay_complex_febrile_seizure() -> Case:
    """14 months, 20 minutes of left-sided jerking with fever 10 days ago, left arm weak after."""
    a = baby(months=14)
    return Case(
        "Fay, 14 mo, focal prolonged febrile seizure with weakness",
        EvaluationInput(age=a, hine=hine(76), tone="normal", milestones=milestones(a)),
        episodes=(
            logged(
                "EP-CONVULSIVE-5MIN",
                "EP-RHYTHMIC-30S",
                "EP-FEVER",
                "EP-WEAKNESS",
                days_ago=10,
                level=E,
                signs=("fever", "limb_weakness"),
                seconds=1200,
                parts=("left_arm", "left_leg"),
            ),
        ),
        expect={"eeg": S, "neurology_referral": S, "brain_mri": S},
    )


def gus_jittery_and_feeding_poorly() -> Case:
    """12 days, trembling when awake that stops when held, but feeding poorly; low calcium
    came back [ALFONSO, VURALLI]."""
    a = baby(days=12)
    return Case(
        "Gus, 12 days, jittery with poor feeding, low calcium",
        EvaluationInput(age=a, reflexes=reflexes(moro="present", rooting="present")),
        episodes=(
            logged(
                "EP-JITTERY-UNWELL",
                "EP-FEEDING",
                days_ago=1,
                signs=("feeding_difficulty",),
                seconds=20,
                parts=("left_arm", "right_arm"),
            ),
            logged(
                "EP-JITTERY-UNWELL",
                "EP-FEEDING",
                days_ago=2,
                signs=("feeding_difficulty",),
                seconds=15,
                parts=("right_leg",),
            ),
        ),
        lab_flags=frozenset({"low_calcium"}),
        expect={"metabolic_blood_work": U, "nutrition_review": R},
    )


def hana_floppy_with_global_delay() -> Case:
    """6.5 months, floppy, HINE 60, not rolling or holding head steady, not squealing
    [NORITZ, NHS-GEN, NOVAK]."""
    a = baby(months=6.5)
    return Case(
        "Hana, 6.5 mo, hypotonia with global delay",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="absent", palmar_grasp="absent", plantar_grasp="present"),
            hine=hine(60),
            tone="decreased",
            milestones=milestones(
                a,
                m4_move_head_steady="not_yet",
                m6_move_rolls_tummy_to_back="not_yet",
                m6_lang_squeals="not_yet",
            ),
        ),
        expect={
            "creatine_kinase": S,
            "genetics_referral": R,
            "physical_therapy": S,
            "early_intervention": S,
            "developmental_screening": R,
            "neurology_referral": S,
            "brain_mri": S,
        },
    )


def ivo_one_sided_pattern() -> Case:
    """9 months, stiff, HINE 58 with 7 asymmetries, right palmar grasp persists, not sitting
    [HAY, NOVAK, NORITZ]."""
    a = baby(months=9)
    return Case(
        "Ivo, 9 mo, hemiplegic pattern with increased tone",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="absent", palmar_grasp=("absent", "present")),
            hine=hine(58, asymmetric=7),
            tone="increased",
            milestones=milestones(a, m9_move_sits_unsupported="not_yet", m9_move_hand_to_hand="not_yet"),
        ),
        expect={
            "brain_mri": S,
            "neurology_referral": S,
            "physical_therapy": S,
            "early_intervention": S,
            "developmental_screening": R,
        },
    )


def jade_plantar_grasp_absent_at_4_months() -> Case:
    """4 months, toes do not curl to pressure on either foot: strong CP predictor [FUTAGI-1999]."""
    a = baby(months=4)
    return Case(
        "Jade, 4 mo, plantar grasp absent",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="present", palmar_grasp="present", plantar_grasp="absent"),
            tone="normal",
            milestones=milestones(a),
        ),
        expect={"neurology_referral": S},
    )


def kai_no_reaction_to_sounds() -> Case:
    """4 months, does not startle to loud sounds nor turn to his mother's voice [CDC-LTSAE]."""
    a = baby(months=4, days=5)
    return Case(
        "Kai, 4 mo, no response to sound",
        EvaluationInput(
            age=a,
            tone="normal",
            milestones=milestones(a, m2_lang_reacts_loud_sounds="not_yet", m4_lang_turns_to_voice="not_yet"),
        ),
        expect={"hearing_evaluation": S, "early_intervention": S, "developmental_screening": R},
    )


def lea_frequent_unclear_rhythmic_jerks() -> Case:
    """3 months, brief rhythmic leg jerks several days running, nobody tried holding [ICNA]."""
    a = baby(months=3, days=3)
    unclear = tuple(
        logged("EP-RHYTHMIC-UNTESTED", days_ago=d, level=S, seconds=10, parts=("right_leg",))
        for d in (0.5, 1.5, 3, 5)
    )
    return Case(
        "Lea, 3 mo, frequent rhythmic jerks of unclear nature",
        EvaluationInput(age=a, hine=hine(70), tone="normal", milestones=milestones(a)),
        episodes=unclear,
        expect={"video_eeg": S},
    )


def max_moro_a_little_late() -> Case:
    """7 months, weak Moro on both sides, everything else normal: weak evidence alone
    [ZAFEIRIOU-2004] -> a routine neurology review, nothing more."""
    a = baby(months=7)
    return Case(
        "Max, 7 mo, Moro slightly late, otherwise normal",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="weak", palmar_grasp="absent", plantar_grasp="present"),
            hine=hine(75),
            tone="normal",
            milestones=milestones(a),
        ),
        expect={"neurology_referral": R},
    )


def nia_before_term_asymmetric_grasp() -> Case:
    """Born 28 weeks, 6 weeks old (6 weeks before term): Moro not judged before term, but a
    one-sided palmar grasp counts at any age [AAP-CA, FUTAGI-2012]."""
    a = baby(days=42, born_weeks=28)
    return Case(
        "Nia, born 28 wk, before term, one-sided palmar grasp",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="absent", palmar_grasp=("present", "weak")),
        ),
        expect={"brain_mri": S, "neurology_referral": S},
        must_not_fire=frozenset({"RX-MORO-ABSENT"}),
    )


def omar_afebrile_seizure_at_5_months() -> Case:
    """5 months, stiffening with eyes fixed 3 days ago, no fever, normal exam [ALFONSO]."""
    a = baby(months=5)
    return Case(
        "Omar, 5 mo, afebrile seizure",
        EvaluationInput(age=a, hine=hine(74), tone="normal", milestones=milestones(a)),
        episodes=(
            logged(
                "EP-STIFFENING",
                "EP-EYES",
                days_ago=3,
                signs=("stiffening", "eyes_rolling_or_fixed"),
                seconds=60,
                parts=("whole_body",),
            ),
        ),
        expect={"eeg": U, "metabolic_blood_work": U, "neurology_referral": U},
    )


def pia_fever_at_7_weeks() -> Case:
    """7 weeks, a sleep twitch logged with 38.3 °C yesterday; normal exam [NICE-FEVER]."""
    a = baby(days=49)
    return Case(
        "Pia, 7 weeks, fever with a twitch",
        EvaluationInput(
            age=a,
            reflexes=reflexes(moro="present", palmar_grasp="present", rooting="present"),
            tone="normal",
        ),
        episodes=(logged("EP-FEVER-UNDER-3M", "EP-FEVER", days_ago=1, pattern="isolated",
                         seconds=3, parts=("left_foot",)),),
        expect={"infection_workup": U},
    )


CASES: tuple[Callable[[], Case], ...] = (
    ava_sleep_myoclonus_normal_exam,
    ben_preterm_30_weeks_judged_on_corrected_age,
    chloe_newborn_seizure,
    dev_infantile_spasms_with_regression,
    eli_simple_febrile_seizure,
    fay_complex_febrile_seizure,
    gus_jittery_and_feeding_poorly,
    hana_floppy_with_global_delay,
    ivo_one_sided_pattern,
    jade_plantar_grasp_absent_at_4_months,
    kai_no_reaction_to_sounds,
    lea_frequent_unclear_rhythmic_jerks,
    max_moro_a_little_late,
    nia_before_term_asymmetric_grasp,
    omar_afebrile_seizure_at_5_months,
    pia_fever_at_7_weeks,
)


# --------------------------------------------------------------------- tests


@pytest.mark.parametrize("build", CASES, ids=lambda b: b.__name__)
def test_case(build: Callable[[], Case]) -> None:
    case = build()
    result = case.run()
    got = {s.code: s.priority for s in result.suggestions}
    assert got == case.expect, case.name
    assert (result.no_tests_note is not None) is case.no_tests_note, case.name
    fired = {f.rule for f in evaluate(case.exam).findings}
    assert not fired & case.must_not_fire, case.name
    for s in result.suggestions:  # every suggestion says what raised it
        assert s.reasons and (
            s.finding_rules or s.episode_ids or s.code in ("developmental_screening", "nutrition_review")
        )


def test_cases_cover_every_suggestion_code() -> None:
    covered = {code for build in CASES for code in build().expect}
    assert covered == set(CODES)
    assert len(CASES) >= 12


def test_preterm_ben_would_be_flagged_at_the_same_chronological_age_if_born_at_term() -> None:
    ben = ben_preterm_30_weeks_judged_on_corrected_age()
    assert ben.exam.age.uses == "corrected"
    assert round(ben.exam.age.norm_months, 1) == 4.7
    term_twin = _ben_exam(baby(months=7))
    fired = {f.rule for f in evaluate(term_twin).findings}
    assert {"RX-MORO-PERSISTS", "HINE-CP-RISK", "MS-NOT-YET-MOVEMENT"} <= fired
    result = suggest(evaluate(term_twin), (typical(3),), now=NOW, age=term_twin.age)
    assert {"neurology_referral", "brain_mri", "physical_therapy"} <= {s.code for s in result.suggestions}
    assert result.no_tests_note is None


def test_nia_before_term_says_norms_do_not_apply() -> None:
    assessment = evaluate(nia_before_term_asymmetric_grasp().exam)
    assert assessment.norms_note and "term" in assessment.norms_note
    assert assessment.checklist_age_months is None


def test_eli_gets_no_eeg_but_fay_does() -> None:
    assert eli_simple_febrile_seizure().run().by_code("eeg") is None
    eeg = fay_complex_febrile_seizure().run().by_code("eeg")
    assert eeg is not None and eeg.priority == S  # 10 days ago: not within 7 days
