"""Example cases from /work/shared/vignettes/episodes.json land in their expected range."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clinic.ages import Age, age_on
from clinic.levels import Level
from episodes.triage import EpisodeReport, RecentHistory, assess

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "shared" / "vignettes" / "episodes.json"
VIGNETTES = Path(os.environ.get("VIGNETTES_PATH") or DEFAULT_PATH)
REPORTED_AT = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def load_cases() -> list[dict[str, Any]]:
    # Missing file: fail loudly at collection rather than pass with no cases.
    return json.loads(VIGNETTES.read_text(encoding="utf-8"))["cases"]


CASES = load_cases()


def build(case: dict[str, Any]) -> tuple[EpisodeReport, Age, RecentHistory]:
    raw = case["report"]
    temperature = raw.get("temperature_c")
    report = EpisodeReport(
        started_at=REPORTED_AT,
        duration_seconds=raw["duration_seconds"],
        body_parts=frozenset(raw["body_parts"]),
        state=raw["state"],
        pattern=raw["pattern"],
        stops_when_held_or_woken=raw["stops_when_held_or_woken"],
        signs=frozenset(raw["signs"]),
        temperature_c=None if temperature is None else Decimal(str(temperature)),
    )
    on = REPORTED_AT.date()
    age = age_on(
        date_of_birth=on - timedelta(days=case["age_days"]),
        on=on,
        gestational_weeks=case.get("gestational_weeks", 40),
    )
    counts: dict[int, int] = {}
    for day in case.get("history", []):
        counts[day["days_ago"]] = counts.get(day["days_ago"], 0) + day["count"]
    return report, age, RecentHistory(counts)


def test_vignettes_present() -> None:
    assert CASES, f"no cases in {VIGNETTES}"


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_vignette_within_expected_range(case: dict[str, Any]) -> None:
    result = assess(*build(case))
    low, high = Level(case["expect"]["min"]), Level(case["expect"]["max"])
    rules = [reason.rule for reason in result.reasons]
    assert low <= result.level <= high, f"{case['id']} {case['story']}: {result.level} {rules}"
