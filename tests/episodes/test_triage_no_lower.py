"""No whole case is triaged lower than the rule set before revision 2026-12 triaged it.

The baseline (data/triage_baseline_2026_11_3.json) was written by the 2026.11-3 rules,
before any rule changed, from every whole case the tests held: the cases of
test_triage_cases.py and the vignettes. Each case carries its own inputs, so this
test needs nothing outside the repository.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clinic.ages import age_on
from clinic.levels import Level
from episodes.triage import RULE_SET_VERSION, EpisodeReport, RecentHistory, assess

BASELINE = json.loads(
    (Path(__file__).parent / "data" / "triage_baseline_2026_11_3.json").read_text(encoding="utf-8")
)
CASES: list[dict[str, Any]] = BASELINE["cases"]
ON = {"tests/episodes/test_triage_cases.py": date(2026, 11, 24), "vignettes/episodes.json": date(2026, 5, 1)}


def run(case: dict[str, Any]) -> Level:
    raw = case["report"]
    on = ON[case["from"]]
    temperature = raw.get("temperature_c")
    report = EpisodeReport(
        started_at=datetime(on.year, on.month, on.day, 9, 0, tzinfo=UTC),
        duration_seconds=raw["duration_seconds"],
        body_parts=frozenset(raw["body_parts"]),
        state=raw["state"],
        pattern=raw["pattern"],
        stops_when_held_or_woken=raw["stops_when_held_or_woken"],
        signs=frozenset(raw["signs"]),
        temperature_c=temperature if temperature is None or "," in str(temperature)
        else Decimal(str(temperature)),
    )
    age = age_on(date_of_birth=on - timedelta(days=case["age_days"]), on=on,
                 gestational_weeks=case["gestational_weeks"])
    counts = {int(k): v for k, v in case["history_counts_by_days_ago"].items()}
    return assess(report, age, RecentHistory(counts)).level


def test_baseline_is_the_previous_rule_set_and_complete() -> None:
    assert BASELINE["rule_set_version"] == "2026.11-3" != RULE_SET_VERSION
    assert len(CASES) == 61
    assert {case["from"] for case in CASES} == set(ON)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_no_case_triaged_lower_than_before(case: dict[str, Any]) -> None:
    before = Level(case["level"])
    now = run(case)
    assert now >= before, f"{case['id']} {case['story']}: {now} < {before}"
