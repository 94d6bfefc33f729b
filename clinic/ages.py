"""Chronological and corrected age (CLINICAL.md section 1).

Pure Python, no ORM: the one place ages are computed. A baby born before 37
completed weeks is judged on corrected age (chronological age minus the days
born early, counted from 40 weeks) until ``correct_until_months`` of
chronological age [AAP-CA, RCPCH]. Fever and newborn rules use chronological
age [NICE-FEVER]; callers pick ``chronological_days`` for those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

TERM_DAYS = 40 * 7
PRETERM_BEFORE_WEEKS = 37
DAYS_PER_MONTH = 365.25 / 12
# Configurable per CLINICAL.md §1 (some services correct to 36 months under 28 weeks).
DEFAULT_CORRECT_UNTIL_MONTHS = 24

AgeBasis = Literal["chronological", "corrected"]


@dataclass(frozen=True)
class Age:
    """Both ages on one day, and which one the norms use."""

    chronological_days: int
    corrected_days: int
    uses: AgeBasis

    @property
    def norm_days(self) -> int:
        """The age the reflex, milestone and HINE norms are judged against."""
        return self.corrected_days if self.uses == "corrected" else self.chronological_days

    @property
    def norm_months(self) -> float:
        return self.norm_days / DAYS_PER_MONTH

    @property
    def chronological_months(self) -> float:
        return self.chronological_days / DAYS_PER_MONTH

    @property
    def corrected_months(self) -> float:
        return self.corrected_days / DAYS_PER_MONTH

    @property
    def before_term(self) -> bool:
        """True before term-equivalent age: milestone and HINE norms do not apply."""
        return self.norm_days < 0

    def as_dict(self) -> dict[str, int | str]:
        return {
            "chronological_days": self.chronological_days,
            "corrected_days": self.corrected_days,
            "uses": self.uses,
        }


def is_preterm(gestational_weeks: int) -> bool:
    return gestational_weeks < PRETERM_BEFORE_WEEKS


def days_early(gestational_weeks: int, gestational_days: int = 0) -> int:
    """Days born before 40 weeks; 0 for a term baby (37 weeks or more)."""
    if not is_preterm(gestational_weeks):
        return 0
    return max(0, TERM_DAYS - (gestational_weeks * 7 + gestational_days))


def age_on(
    *,
    date_of_birth: date,
    on: date,
    gestational_weeks: int = 40,
    gestational_days: int = 0,
    correct_until_months: int = DEFAULT_CORRECT_UNTIL_MONTHS,
) -> Age:
    """Ages of a child born on ``date_of_birth`` as of ``on``."""
    chronological = (on - date_of_birth).days
    early = days_early(gestational_weeks, gestational_days)
    if early and chronological < correct_until_months * DAYS_PER_MONTH:
        return Age(chronological, chronological - early, "corrected")
    return Age(chronological, chronological, "chronological")


def describe_days(days: int) -> str:
    """Plain words for an age in days: '10 days', '6 weeks', '7 months', '2 years 1 month'."""
    if days < 0:
        weeks = -days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''} before term"
    if days < 28:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 91:
        weeks = days // 7
        return f"{weeks} weeks"
    months = int(days / DAYS_PER_MONTH)
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    years, rest = divmod(months, 12)
    tail = f" {rest} month{'s' if rest != 1 else ''}" if rest else ""
    return f"{years} years{tail}"
