"""Audit of the clinical rule modules: sources, confidences, thresholds as data, wording.

Every rule, threshold and norm cites keys from ``clinic.sources.SOURCES`` (which
includes "brief" and "design choice"); every fixed value a rule module compares
with is threshold data with a source and confidence; values the sources call low
confidence carry ``Confidence.LOW``; every triage level's advice says what to do
now, what to record next time and when to call anyway.
"""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import ModuleType

import pytest

from clinic.ages import DAYS_PER_MONTH, age_on
from clinic.levels import Confidence, Level
from clinic.sources import SOURCES, cited_keys
from episodes import triage
from evaluations import findings, norms, suggestions
from evaluations.findings import CATALOGUE
from evaluations.suggestions import SUGGESTION_CATALOGUE, EpisodeSummary, suggest

RULE_MODULES = (triage, norms, findings, suggestions)


def all_sources() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    found += [(rule.id, rule.source) for rule in triage.RULES]
    found += [(f"threshold {name}", t.source) for name, t in triage.THRESHOLDS.items()]
    found += [(rule, info.source) for rule, info in CATALOGUE.items()]
    found += [(f"reflex {code}", n.source) for code, n in norms.REFLEXES.items()]
    values = [
        *norms.HINE_CP_RISK,
        *norms.HINE_OPTIMAL,
        *norms.HINE_CENTILE_10,
        norms.HINE_HEMIPLEGIC,
        norms.HINE_AGE_RANGE,
        *norms.CHECKLISTS,
        *norms.SCREENING_SCHEDULE,
    ]
    found += [(repr(v)[:40], v.source) for v in values]
    found += [(f"suggestion {c}", info.source) for c, info in SUGGESTION_CATALOGUE.items()]
    for module in (norms, suggestions):
        found += [(f"{module.__name__} {n}", t.source) for n, t in module.THRESHOLDS.items()]
    return found


def test_every_source_cites_known_keys() -> None:
    for where, source in all_sources():
        parts = cited_keys(source)
        assert parts, f"{where}: no source"
        unknown = [p for p in parts if p not in SOURCES]
        assert not unknown, f"{where}: {source!r} cites {unknown}, not in clinic/sources.py"


def test_suggestion_reasons_cite_known_keys() -> None:
    # Run the whole-case babies and check every reason each suggestion carries.
    from tests.evaluations.test_cases import CASES

    for build in CASES:
        for s in build().run().suggestions:
            for reason in s.reasons:
                unknown = [p for p in cited_keys(reason.source) if p not in SOURCES]
                assert not unknown, f"{s.code} {reason.rule}: {reason.source!r}"


def test_cited_keys_split_on_separators_and_drop_comments() -> None:
    assert cited_keys("ZAFEIRIOU-2004; design choice (CLINICAL.md section 4 ranges)") == [
        "ZAFEIRIOU-2004",
        "design choice",
    ]
    assert cited_keys("STATPEARLS-MORO, FUTAGI-2012") == ["STATPEARLS-MORO", "FUTAGI-2012"]
    assert cited_keys("brief (design choice)") == ["brief"]


def _fixed_values(module: ModuleType) -> dict[str, object]:
    """Module-level public constants assigned in ``module`` that hold a number, a
    duration or a (low, high) pair of numbers: the kind of value a rule compares with."""
    tree = ast.parse(inspect.getsource(module))
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name) and not target.id.startswith("_")
    ]

    def numeric(value: object) -> bool:
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)

    return {
        name: value
        for name in names
        if numeric(value := getattr(module, name))
        or isinstance(value, timedelta)
        or (isinstance(value, tuple) and len(value) == 2 and all(numeric(v) for v in value))
    }


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda m: m.__name__)
def test_every_fixed_value_is_threshold_data(module: ModuleType) -> None:
    # A value a rule compares with must be reviewable in docs/clinical-rules.md: in the
    # module's THRESHOLDS (with unit, source and confidence), not a bare constant.
    thresholds = getattr(module, "THRESHOLDS", {})
    loose = {
        name: value
        for name, value in _fixed_values(module).items()
        if name not in thresholds or thresholds[name].value != value
    }
    assert not loose, f"{module.__name__}: add these to THRESHOLDS with source and confidence: {loose}"
    for name, threshold in thresholds.items():
        assert threshold.unit and threshold.source, name
        assert isinstance(threshold.confidence, Confidence), name


def test_fixed_values_are_found() -> None:
    # The finder above must see the kinds of value it guards, or it would pass on nothing.
    found = _fixed_values(suggestions)
    assert found["EEG_URGENT_WITHIN"] == timedelta(days=7)
    assert found["SIMPLE_FEBRILE_MONTHS"] == (6, 60)
    assert found["UNCLEAR_FREQUENT_COUNT"] == 3
    assert _fixed_values(norms)["PERSIST_SLIGHTLY_LATE_MONTHS"] == 3.0


def test_low_confidence_values_use_confidence_low() -> None:
    # The reference calls the Galant bound ("present after 6 mo") and the HINE optimal
    # scores low confidence.
    assert Confidence.LOW == "low"
    assert norms.REFLEXES["galant"].confidence is Confidence.LOW
    assert all(c.confidence is Confidence.LOW for c in norms.HINE_OPTIMAL)
    low = [c for c, n in norms.REFLEXES.items() if n.low_confidence]
    assert low == ["galant"]
    assert not any(c.low_confidence for c in norms.HINE_CP_RISK)


@pytest.mark.parametrize("level", list(Level))
def test_advice_says_now_record_and_when_to_call_anyway(level: Level) -> None:
    advice = triage._ADVICE[level]
    assert "film" in advice  # record: video it
    if level is Level.EMERGENCY:
        assert "now" in advice and "time it started" in advice
        return
    assert "holding" in advice  # record: try gently holding
    assert "note when it starts and stops" in advice  # record: time it
    assert "worried" in advice and "you know your baby" in advice  # call anyway
    assert "local emergency number" in advice  # the safety net


def test_reflex_flags_are_strictly_after_the_bound_on_corrected_age() -> None:
    from evaluations.findings import EvaluationInput, ReflexExam, evaluate

    on = datetime(2026, 1, 1, tzinfo=UTC).date()

    def rules(days: int, weeks: int = 40, **exam: tuple[str, str]) -> set[str]:
        a = age_on(date_of_birth=on - timedelta(days=days), on=on, gestational_weeks=weeks)
        exams = tuple(ReflexExam(code, *sides) for code, sides in exam.items())
        return set(evaluate(EvaluationInput(age=a, reflexes=exams)).rules)

    six = int(6 * DAYS_PER_MONTH)  # 182 days = 5.98 months: not after 6
    assert "RX-MORO-PERSISTS" not in rules(six, moro=("present", "present"))
    assert "RX-MORO-PERSISTS" in rules(six + 1, moro=("present", "present"))
    # Born at 30 weeks: the same chronological age is 10 weeks younger corrected.
    assert "RX-MORO-PERSISTS" not in rules(six + 1 + 60, weeks=30, moro=("present", "present"))
    two_years = int(24 * DAYS_PER_MONTH) + 1
    assert "RX-BABINSKI-PERSISTS" in rules(two_years, babinski=("present", "present"))
    assert "RX-BABINSKI-PERSISTS" not in rules(two_years - 2, babinski=("present", "present"))
    # Plantar grasp weak at 3-6 corrected months; ATNR obligatory at any age, even preterm.
    assert "RX-PLANTAR-ABSENT-EARLY" in rules(120, plantar_grasp=("weak", "weak"))
    a = age_on(date_of_birth=on - timedelta(days=10), on=on, gestational_weeks=30)
    atnr = (ReflexExam("atnr", "present", "present", obligatory=True),)
    assert "RX-ATNR-OBLIGATORY" in evaluate(EvaluationInput(age=a, reflexes=atnr)).rules


def test_seizure_like_rhythmic_episode_with_poor_feeding_after_6_months_is_not_jitteriness() -> None:
    now = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    a = age_on(date_of_birth=now.date() - timedelta(days=365), on=now.date())
    seizure = EpisodeSummary(
        "ep1", now - timedelta(days=1), Level.URGENT,
        frozenset({"EP-NOT-SUPPRESSIBLE", "EP-FEEDING"}), frozenset({"feeding_difficulty"}),
        "rhythmic", 20, frozenset({"left_leg"}),
    )
    result = suggest(None, (seizure,), now=now, age=a)
    assert result.by_code("metabolic_blood_work") is None  # seizure-like at 12 months
    assert result.by_code("eeg") is not None
