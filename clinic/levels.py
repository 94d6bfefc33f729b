"""Levels of concern and the reason record shared by every clinical rule module.

Pure Python: imported by episodes/triage.py, evaluations/findings.py and
evaluations/suggestions.py, which must stay free of the ORM.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """Ordered from the least to the most pressing."""

    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Level):
            return NotImplemented
        return self.rank >= other.rank


_ORDER = (Level.ROUTINE, Level.SOON, Level.URGENT, Level.EMERGENCY)


def gettext_noop(message: str) -> str:
    """Marks a text for translation (makemessages reads this name) without Django:
    this module stays pure; pages translate where they show it."""
    return message


# A level's name as people read it on the badge and in lists.
LEVEL_LABELS = {
    Level.ROUTINE: gettext_noop("Routine"),
    Level.SOON: gettext_noop("Soon"),
    Level.URGENT: gettext_noop("Urgent"),
    Level.EMERGENCY: gettext_noop("Emergency"),
}


def highest(levels: Iterable[Level | str], default: Level = Level.ROUTINE) -> Level:
    """The most pressing of ``levels`` (``default`` when there are none)."""
    return max((Level(level) for level in levels), default=default, key=lambda lv: lv.rank)


class Confidence(StrEnum):
    """How firmly a threshold rests on its source (CLINICAL.md preamble)."""

    VERIFIED = "verified"
    SECONDARY = "secondary"
    DESIGN_CHOICE = "design choice"
    # CLINICAL.md calls some values "low confidence" (Galant bound, HINE optimal scores).
    LOW = "low"

    @property
    def meaning(self) -> str:
        """What the confidence says, in the words of the clinical rules document."""
        return _CONFIDENCE_MEANINGS[self]


_CONFIDENCE_MEANINGS = {
    Confidence.VERIFIED: "stated by the source cited",
    Confidence.SECONDARY: "taken from a review or summary of the source, not from the original study",
    Confidence.DESIGN_CHOICE: "no source fixes it: the team chose it, on the safer side",
    Confidence.LOW: "the source itself calls the value uncertain",
}


@dataclass(frozen=True)
class Threshold:
    """A fixed value a rule compares with, kept with its unit, source and confidence.

    ``episodes.triage`` keeps its own ``Threshold`` of the same shape; the clinical
    rules document (``manage.py rule_catalogue``) reads both alike.
    """

    value: object
    unit: str
    source: str
    confidence: Confidence


@dataclass(frozen=True)
class Reason:
    """One rule that fired: what the parent, clinician and reviewer are shown."""

    rule: str
    level: Level
    explanation: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "level": str(self.level),
            "explanation": self.explanation,
            "source": self.source,
        }
