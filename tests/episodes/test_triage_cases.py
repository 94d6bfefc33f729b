"""New parent reports, written from CLINICAL.md sections 1-3 (not copies of the vignettes).

Each case is one realistic report with the level a careful service gives by
CLINICAL.md, and the rule that must carry it. Ages are in days as a parent
would count them (a "2-month-old" is 60 days); preterm babies give their
gestation at birth. The level must match exactly: under-triage fails, and so
does raising a case the rules keep lower.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from clinic.ages import age_on
from clinic.levels import Level
from episodes.triage import EpisodeReport, RecentHistory, assess

R, S, U, E = Level.ROUTINE, Level.SOON, Level.URGENT, Level.EMERGENCY
ON = date(2026, 11, 24)


@dataclass(frozen=True)
class Case:
    story: str
    age_days: int
    level: Level
    rule: str  # a rule that must be among the reasons
    state: str = "asleep"
    pattern: str = "isolated"
    seconds: object = 2
    held: str = "not_tried"
    signs: tuple[str, ...] = ()
    temperature: object = None
    born_weeks: int = 40
    history: dict[int, int] = field(default_factory=dict)
    parts: tuple[str, ...] = ("left_foot",)

    def run(self):  # type: ignore[no-untyped-def]
        report = EpisodeReport(
            started_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
            duration_seconds=self.seconds,  # type: ignore[arg-type]
            body_parts=frozenset(self.parts),
            state=self.state,
            pattern=self.pattern,
            stops_when_held_or_woken=self.held,
            signs=frozenset(self.signs),
            temperature_c=self.temperature,  # type: ignore[arg-type]
        )
        age = age_on(
            date_of_birth=ON - timedelta(days=self.age_days), on=ON, gestational_weeks=self.born_weeks
        )
        return assess(report, age, RecentHistory(self.history))


def daily(recent: int, baseline: int) -> dict[int, int]:
    """``recent`` a day on days 1-3, ``baseline`` a day on days 4-10."""
    return {d: recent for d in (1, 2, 3)} | {d: baseline for d in range(4, 11)}


CASES: tuple[Case, ...] = (
    # --- Age boundaries of the "late" rules (30-day months, corrected age).
    Case("2-month-old trembling while awake for 8 s, stops when the leg is held", 60, S,
         "EP-JITTERY-LATE", state="awake", pattern="rhythmic", seconds=8, held="yes"),
    Case("7-week-old trembling while crying for 10 s, stops when held: still usual", 49, R,
         "EP-TYPICAL", state="crying", pattern="rhythmic", seconds=10, held="yes"),
    Case("6-month-old, clusters of foot jerks in sleep for 20 s, stop when woken", 180, S,
         "EP-SLEEP-CLUSTER-LATE", pattern="cluster", seconds=20, held="yes"),
    Case("born at 32 weeks, 7 months old (about 5 corrected), clusters in sleep stop when woken",
         210, R, "EP-TYPICAL", pattern="cluster", seconds=15, held="yes", born_weeks=32),
    Case("born at 28 weeks, 9 months old (6 corrected), clusters in sleep stop when woken", 270, S,
         "EP-SLEEP-CLUSTER-LATE", pattern="cluster", seconds=15, held="yes", born_weeks=28),
    Case("born at 30 weeks, 3 months old (3 weeks corrected), trembles when crying, stops held",
         90, R, "EP-TYPICAL", state="crying", pattern="rhythmic", seconds=10, held="yes",
         born_weeks=30),
    # --- Newborn seizure-like episodes (chronological age, full definition).
    Case("5-day-old, a single twitch in sleep, eyes rolled up", 5, E, "EP-NEWBORN-SEIZURE",
         signs=("eyes_rolling_or_fixed",)),
    Case("27-day-old went stiff for 5 s while feeding", 27, E, "EP-NEWBORN-SEIZURE",
         state="feeding", seconds=5, signs=("stiffening",)),
    Case("born at 33 weeks, 5 weeks old: stared with fixed eyes during a twitch (corrected "
         "age still before term: judged as a newborn)", 35, E, "EP-NEWBORN-SEIZURE",
         state="awake", born_weeks=33, signs=("eyes_rolling_or_fixed",)),
    Case("born at 33 weeks, 10 weeks old (corrected 3 weeks): stiffened for 5 s",
         70, E, "EP-NEWBORN-SEIZURE", state="awake", seconds=5, born_weeks=33,
         signs=("stiffening",)),
    Case("born at 36 weeks, 2 months old (corrected 32 days): eyes fixed during a twitch", 60, U,
         "EP-EYES", state="awake", born_weeks=36, signs=("eyes_rolling_or_fixed",)),
    Case("40-day-old, right arm jerking regularly for 15 s, did not stop when held (first on "
         "record since revision 2026-12)", 40, E, "EP-FIRST-SEIZURE", state="awake",
         pattern="rhythmic", seconds=15, held="no",
         parts=("right_arm",)),
    Case("3-week-old, clusters on waking that stop when held (too young for spasms)", 21, R,
         "EP-TYPICAL", state="waking", pattern="cluster", seconds=10, held="yes"),
    # --- Duration boundaries.
    Case("10-day-old, clusters of jerks in sleep for 6 minutes, stop when woken", 10, E,
         "EP-CONVULSIVE-5MIN", pattern="cluster", seconds=360, held="yes"),
    Case("9-month-old, clusters of jerks for exactly 5 minutes, stopped when held", 270, E,
         "EP-CONVULSIVE-5MIN", state="awake", pattern="cluster", seconds=300, held="yes"),
    Case("1-year-old went stiff for 4 min 59 s", 365, U, "EP-STIFFENING", state="awake",
         seconds=299, signs=("stiffening",)),
    Case("8-month-old, regular jerking of a foot for exactly 30 s, stopped when held", 240, U,
         "EP-RHYTHMIC-30S", state="awake", pattern="rhythmic", seconds=30, held="yes"),
    Case("4-month-old, regular jerking in sleep for 29 s, holding not tried", 120, S,
         "EP-RHYTHMIC-UNTESTED", pattern="rhythmic", seconds=29),
    Case("2-month-old, regular jerking while awake for 10 s, holding not tried", 60, S,
         "EP-RHYTHMIC-UNTESTED", state="awake", pattern="rhythmic", seconds=10),
    # --- Fever: sign or temperature, chronological age.
    Case("7-week-old, a twitch in sleep, thermometer 38.0 but fever box not ticked", 49, U,
         "EP-FEVER-UNDER-3M", temperature=Decimal("38.0")),
    Case("2-year-old, a twitch in sleep, 37.9 and no fever sign", 730, R, "EP-TYPICAL",
         temperature=Decimal("37.9")),
    Case("born at 26 weeks, 100 days old, a twitch in sleep with 38.1 (fever rule by "
         "chronological age)", 100, U, "EP-FEVER", temperature=Decimal("38.1"), born_weeks=26),
    Case("18-month-old with fever, whole body jerking for 3 minutes that did not stop (first on "
         "record)", 540, E, "EP-FIRST-SEIZURE", state="awake", pattern="rhythmic", seconds=180, held="no",
         signs=("fever",), parts=("whole_body",)),
    Case("14-month-old, temperature typed as '38,4' with a twitch in sleep", 420, U, "EP-FEVER",
         temperature="38,4"),
    # --- Spasms and trembling in young babies.
    Case("5-month-old, drowsy, a series of head drops for 40 s, stopped when held", 150, U,
         "EP-SPASM-CLUSTER", state="drowsy", pattern="cluster", seconds=40, held="yes",
         parts=("whole_body",)),
    Case("born at 34 weeks, 5 weeks old, clusters on waking that stop when held (older age "
         "counts for spasms)", 35, U, "EP-SPASM-CLUSTER", state="waking", pattern="cluster",
         seconds=10, held="yes", born_weeks=34),
    Case("25-day-old trembling while feeding for 10 s, stops when held, lethargic", 25, U,
         "EP-JITTERY-UNWELL", state="feeding", pattern="rhythmic", seconds=10, held="yes",
         signs=("lethargy",)),
    Case("6-week-old trembling while awake for 10 s, stops when held, feeding poorly", 42, S,
         "EP-FEEDING", state="awake", pattern="rhythmic", seconds=10, held="yes",
         signs=("feeding_difficulty",)),
    # --- Other signs and combinations.
    Case("10-month-old, a twitch in sleep and then vomited", 300, S, "EP-VOMITING",
         signs=("vomiting",)),
    Case("4-month-old, sleep twitches that wake her and make her cry as if hurt", 120, S,
         "EP-PAIN", signs=("sleep_disruption", "pain_crying")),
    Case("11-month-old, a twitch while awake, then a limp leg and no longer sits", 330, U,
         "EP-WEAKNESS", state="awake", signs=("limb_weakness", "lost_skills")),
    Case("7-month-old, a single twitch while awake, eyes turned to one side", 210, U, "EP-EYES",
         state="awake", signs=("eyes_rolling_or_fixed",)),
    Case("1-year-old with fever who turned grey during a twitch", 365, E, "EP-COLOUR",
         signs=("fever", "color_change")),
    # --- Frequency histories.
    Case("3-month-old, sleep twitches went from 1 to 3 a day over the last 3 days", 90, S,
         "EP-RISING", history=daily(3, 1)),
    Case("3-month-old, sleep twitches went from 1 to 2 a day (under 3 a day)", 90, R,
         "EP-TYPICAL", history=daily(2, 1)),
    Case("5-month-old, 5 a day for 3 days after 3 a day before (less than double)", 150, R,
         "EP-TYPICAL", history=daily(5, 3)),
    # --- Odd or unknown answers are read the safer way.
    Case("5-month-old trembling for 10 s 'in the bath' (unknown state), stops when held", 150, S,
         "EP-JITTERY-LATE", state="bath", pattern="rhythmic", seconds=10, held="yes"),
    Case("4-month-old, regular jerking while awake, length not given, did not stop", 120, E,
         "EP-CONVULSIVE-5MIN", state="awake", pattern="rhythmic", seconds=None, held="no"),
    Case("4-month-old, clusters while awake, parent unsure whether holding stopped them (first "
         "on record)", 120, E, "EP-FIRST-SEIZURE", state="awake", pattern="cluster", seconds=10,
         held="unsure"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.story[:60] for c in CASES])
def test_case_level(case: Case) -> None:
    result = case.run()
    rules = [r.rule for r in result.reasons]
    assert result.level is case.level, f"{case.story}: {result.level} {rules}"
    assert case.rule in rules, f"{case.story}: {rules}"


def test_enough_new_cases() -> None:
    assert len(CASES) >= 25
    assert len({c.story for c in CASES}) == len(CASES)
