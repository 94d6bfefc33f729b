"""Example parent reports (tests/episodes/cases/vignettes.toml) get exactly their expected level."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clinic.ages import Age, age_on
from clinic.levels import Level
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

VIGNETTES = Path(__file__).resolve().parent / "cases" / "vignettes.toml"
REPORTED_AT = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)  # any fixed day: ages are relative to it
FIELDS = {
    "id", "story", "age_days", "born_at_weeks", "body_parts", "state", "pattern",
    "duration_seconds", "stops_when_held_or_woken", "signs", "temperature_c", "earlier", "level",
}


def load_cases() -> list[dict[str, Any]]:
    # A missing or unreadable file fails collection rather than pass with no cases.
    return tomllib.loads(VIGNETTES.read_text(encoding="utf-8"))["vignette"]


CASES = load_cases()


def build(case: dict[str, Any]) -> tuple[EpisodeReport, Age, RecentHistory]:
    temperature = case.get("temperature_c")
    report = EpisodeReport(
        started_at=REPORTED_AT,
        duration_seconds=case["duration_seconds"],
        body_parts=frozenset(case["body_parts"]),
        state=case["state"],
        pattern=case["pattern"],
        stops_when_held_or_woken=case["stops_when_held_or_woken"],
        signs=frozenset(case["signs"]),
        temperature_c=None if temperature is None else Decimal(str(temperature)),
    )
    on = REPORTED_AT.date()
    age = age_on(
        date_of_birth=on - timedelta(days=case["age_days"]),
        on=on,
        gestational_weeks=case["born_at_weeks"],
    )
    earlier = {int(days_ago): count for days_ago, count in case.get("earlier", {}).items()}
    return report, age, RecentHistory(earlier)


def test_vignettes_are_well_formed() -> None:
    # The triage reads unknown values the safe way, so a typo here would still pass while
    # testing another report: every value must be one the parent form offers.
    assert len(CASES) >= 20
    ids = [case["id"] for case in CASES]
    assert len(set(ids)) == len(ids)
    choices = {
        "body_parts": {v for v, _ in BODY_PARTS},
        "signs": {v for v, _ in SIGNS},
    }
    for case in CASES:
        assert set(case) <= FIELDS, f"{case['id']}: unknown keys {set(case) - FIELDS}"
        assert case["story"].strip()
        assert set(case["body_parts"]) <= choices["body_parts"] and case["body_parts"]
        assert set(case["signs"]) <= choices["signs"]
        assert case["state"] in {v for v, _ in STATES}
        assert case["pattern"] in {v for v, _ in PATTERNS}
        assert case["stops_when_held_or_woken"] in {v for v, _ in HELD_CHOICES}
        assert case["age_days"] >= 0 and 22 <= case["born_at_weeks"] <= 42
        Level(case["level"])


def test_vignettes_cover_every_level() -> None:
    assert {Level(case["level"]) for case in CASES} == set(Level)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_vignette_gets_its_level(case: dict[str, Any]) -> None:
    result = assess(*build(case))
    rules = [reason.rule for reason in result.reasons]
    assert result.level is Level(case["level"]), f"{case['id']} {case['story']}: {result.level} {rules}"
