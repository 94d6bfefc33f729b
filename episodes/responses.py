"""What the family sees of the clinic's response to one episode, derived in one place.

An episode above routine belongs to a review case (``clinic.ReviewCase``); the case's
acknowledgement and resolution say whether a person at the clinic has looked at *this*
episode and how it ended. Pure: it reads the case's fields and never queries, so a list
of episodes loaded with their case and its people (``episodes_visible_to``) costs no
query per episode.

The rules, in order:

1. A routine ("typical") episode is not reviewed by the clinic: no response (None).
2. Above routine with no case (not yet linked): waiting.
3. A case resolved at or after the episode was reported: closed, at the resolution,
   with the reviewer's line for the family as the outcome. It was seen at the
   acknowledgement if that came after the report, otherwise at the resolution.
4. A case acknowledged at or after the episode was reported: seen, then, by that person,
   unless the case is open again for an unseen event from the episode's time or later
   (``oldest_unacknowledged_at`` at or before the episode's start): new notes that
   raised this episode's level, or a later report, wait for the next acknowledgement.
   This errs towards "waiting": the family is never told "seen" for what no one saw.
5. Otherwise waiting: an acknowledgement (or resolution) from before this episode was
   reported did not cover it (a new episode sets the case back to open).

Names are display names (first and last name) only, never a username or an e-mail: the
family knows people, not accounts. A staff member without a name on file is shown as
``None`` and the page says "the clinic".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from clinic.levels import Level
from clinic.models import CaseStatus


class ResponseStatus(StrEnum):
    WAITING = "waiting"
    SEEN = "seen"
    CLOSED = "closed"


class CaseLike(Protocol):
    status: str
    oldest_unacknowledged_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: Any
    resolved_at: datetime | None
    resolved_by: Any
    family_message: str


@dataclass(frozen=True)
class ClinicResponse:
    status: ResponseStatus
    seen_at: datetime | None = None
    seen_by: str | None = None
    closed_at: datetime | None = None
    outcome: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"status": str(self.status), "seen_at": self.seen_at, "seen_by": self.seen_by,
                "closed_at": self.closed_at, "outcome": self.outcome}


def display_name(user: Any) -> str | None:
    """A person's name as the family may read it; None when none is on file."""
    if user is None:
        return None
    name = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".strip()
    return " ".join(name.split()) or None


def _covers(moment: datetime | None, reported_at: datetime) -> bool:
    return moment is not None and moment >= reported_at


def _reopened_for(case: CaseLike, started_at: datetime) -> bool:
    """Whether the case waits again for an event at or before this episode's start."""
    return (case.status == CaseStatus.OPEN and case.oldest_unacknowledged_at is not None
            and case.oldest_unacknowledged_at <= started_at)


def clinic_response(*, level: Level | str, reported_at: datetime, started_at: datetime,
                    case: CaseLike | None) -> ClinicResponse | None:
    """The clinic's response to an episode of ``level`` that started at ``started_at``
    and was stored at ``reported_at``."""
    if Level(level) == Level.ROUTINE:
        return None
    if case is None:
        return ClinicResponse(ResponseStatus.WAITING)
    if _covers(case.resolved_at, reported_at):
        if _covers(case.acknowledged_at, reported_at):
            seen_at, seen_by = case.acknowledged_at, case.acknowledged_by
        else:
            seen_at, seen_by = case.resolved_at, case.resolved_by
        return ClinicResponse(
            ResponseStatus.CLOSED, seen_at=seen_at, seen_by=display_name(seen_by),
            closed_at=case.resolved_at, outcome=(case.family_message or "").strip() or None,
        )
    if _covers(case.acknowledged_at, reported_at) and not _reopened_for(case, started_at):
        return ClinicResponse(ResponseStatus.SEEN, seen_at=case.acknowledged_at,
                              seen_by=display_name(case.acknowledged_by))
    return ClinicResponse(ResponseStatus.WAITING)
