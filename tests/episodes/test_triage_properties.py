"""Properties of the triage that must hold for any input (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.ages import Age, age_on
from clinic.levels import Level, highest
from episodes.triage import (
    BODY_PARTS,
    HELD_CHOICES,
    PATTERNS,
    SIGNS,
    STATES,
    EpisodeReport,
    RecentHistory,
    assess,
)

ON = date(2026, 5, 1)


def choice(pairs: tuple[tuple[str, str], ...]) -> st.SearchStrategy[str]:
    """Mostly known values, sometimes any text (odd input must be read safely)."""
    return st.one_of(st.sampled_from([value for value, _ in pairs]), st.text(max_size=20))


sign_names = choice(SIGNS)
temperatures = st.one_of(
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=30, max_value=45, places=1),
    st.floats(allow_nan=True, allow_infinity=True),
)
reports = st.builds(
    EpisodeReport,
    started_at=st.datetimes(timezones=st.just(UTC)),
    duration_seconds=st.integers(),
    body_parts=st.frozensets(choice(BODY_PARTS), max_size=8),
    state=choice(STATES),
    pattern=choice(PATTERNS),
    stops_when_held_or_woken=choice(HELD_CHOICES),
    signs=st.frozensets(sign_names, max_size=6),
    temperature_c=temperatures,
)
ages = st.one_of(
    st.builds(
        lambda days, weeks, extra: age_on(
            date_of_birth=ON - timedelta(days=days),
            on=ON,
            gestational_weeks=weeks,
            gestational_days=extra,
        ),
        st.integers(min_value=0, max_value=6 * 365),
        st.integers(min_value=22, max_value=44),
        st.integers(min_value=0, max_value=6),
    ),
    st.builds(Age, st.integers(), st.integers(), st.sampled_from(["chronological", "corrected"])),
)
histories = st.one_of(
    st.none(),
    st.builds(RecentHistory, st.dictionaries(st.integers(-3, 14), st.integers(-5, 60))),
)


@settings(max_examples=300)
@given(report=reports, age=ages, history=histories)
def test_any_report_gets_an_answer(
    report: EpisodeReport, age: Age, history: RecentHistory | None
) -> None:
    result = assess(report, age, history)
    assert result.reasons
    assert result.level is highest(reason.level for reason in result.reasons)
    assert result.headline and result.advice
    data = result.as_dict()
    assert data["level"] in {str(level) for level in Level}
    assert len(data["reasons"]) == len(result.reasons)
    ranks = [reason.level.rank for reason in result.reasons]
    assert ranks == sorted(ranks, reverse=True)
    if any(reason.rule == "EP-TYPICAL" for reason in result.reasons):
        assert len(result.reasons) == 1


@settings(max_examples=300)
@given(report=reports, age=ages, history=histories, sign=sign_names)
def test_adding_a_sign_never_lowers_the_level(
    report: EpisodeReport, age: Age, history: RecentHistory | None, sign: str
) -> None:
    before = assess(report, age, history).level
    after = assess(replace(report, signs=report.signs | {sign}), age, history).level
    assert after >= before


@settings(max_examples=300)
@given(report=reports, age=ages, history=histories, longer_by=st.integers(min_value=0))
def test_longer_duration_never_lowers_the_level(
    report: EpisodeReport, age: Age, history: RecentHistory | None, longer_by: int
) -> None:
    before = assess(report, age, history).level
    longer = replace(report, duration_seconds=report.duration_seconds + longer_by)
    assert assess(longer, age, history).level >= before


@given(duration=st.integers(min_value=0, max_value=86_400), report=reports, age=ages)
def test_known_durations_cross_every_boundary_upward(
    duration: int, report: EpisodeReport, age: Age
) -> None:
    # Walk the boundaries explicitly: 29 -> 30 s and 299 -> 300 s must never step down.
    levels = [
        assess(replace(report, duration_seconds=d), age).level
        for d in sorted({duration, 29, 30, 299, 300})
    ]
    assert levels == sorted(levels)


@given(report=reports, age=ages)
def test_result_does_not_depend_on_started_at(report: EpisodeReport, age: Age) -> None:
    moved = replace(report, started_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert assess(report, age) == assess(moved, age)
