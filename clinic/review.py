"""Writes of the review queue: assign, acknowledge, annotate and resolve a ``ReviewCase``.

Opening and raising a case is ``clinic.services.review_case_raise`` (called by the
episode and evaluation services). Each function here locks the case row so two
reviewers working the same case cannot overwrite each other's step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from clinic.access import case_assignees
from clinic.models import CaseLevel, CaseOutcome, CaseStatus, ReviewCase

NOTE_MAX_LENGTH = 4000


def _locked(case: ReviewCase) -> ReviewCase:
    fresh = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if fresh.status == CaseStatus.RESOLVED:
        raise ValidationError("This case is resolved; a new worrying event opens a new case.")
    return fresh


def _stamp(by: AbstractBaseUser, at: datetime) -> str:
    return f"[{timezone.localtime(at):%Y-%m-%d %H:%M} {by.get_username()}]"


def _append_note(case: ReviewCase, text: str, by: AbstractBaseUser, at: datetime) -> None:
    text = text.strip()
    if text:
        line = f"{_stamp(by, at)} {text}"
        case.notes = f"{case.notes}\n{line}" if case.notes else line


@transaction.atomic
def review_case_assign(
    *, case: ReviewCase, assignee: AbstractBaseUser | None, by: AbstractBaseUser
) -> ReviewCase:
    """Give the case to a clinician of its clinic (``None`` takes it off anyone's list)."""
    case = _locked(case)
    if assignee is not None and not case_assignees([case.clinic_id]).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": "Cases go to clinicians of the case's clinic."})
    case.assigned_to = assignee
    who = assignee.get_username() if assignee is not None else "nobody"
    _append_note(case, f"assigned to {who}", by, timezone.now())
    case.save()
    return case


@transaction.atomic
def review_case_acknowledge(
    *, case: ReviewCase, by: AbstractBaseUser, at: datetime | None = None
) -> ReviewCase:
    """A person has looked at everything so far: the case leaves the overdue clock."""
    case = _locked(case)
    at = at or timezone.now()
    case.status = CaseStatus.ACKNOWLEDGED
    case.acknowledged_at = at
    case.acknowledged_by = by
    case.oldest_unacknowledged_at = None
    case.save()
    return case


@transaction.atomic
def review_case_add_note(*, case: ReviewCase, text: str, by: AbstractBaseUser) -> ReviewCase:
    """Append a signed, time-stamped line; earlier notes are never rewritten."""
    if not text.strip():
        raise ValidationError({"text": "Write a note first."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError({"text": f"Keep a note under {NOTE_MAX_LENGTH} characters."})
    case = _locked(case)
    _append_note(case, text, by, timezone.now())
    case.save()
    return case


@transaction.atomic
def review_case_resolve(
    *,
    case: ReviewCase,
    outcome: CaseOutcome | str,
    by: AbstractBaseUser,
    note: str = "",
    at: datetime | None = None,
) -> ReviewCase:
    """Close the case with an outcome. Resolving counts as acknowledging if nobody had."""
    if outcome not in CaseOutcome.values:
        raise ValidationError({"outcome": "Choose one of the listed outcomes."})
    case = _locked(case)
    at = at or timezone.now()
    if case.acknowledged_at is None:
        case.acknowledged_at = at
        case.acknowledged_by = by
    case.status = CaseStatus.RESOLVED
    case.outcome = outcome
    case.resolved_at = at
    case.resolved_by = by
    case.oldest_unacknowledged_at = None
    _append_note(case, f"resolved: {CaseOutcome(outcome).label}. {note}".strip(), by, at)
    case.save()
    return case


LEVEL_RANK = {CaseLevel.EMERGENCY: 0, CaseLevel.URGENT: 1, CaseLevel.SOON: 2}


def overdue_limits(now: datetime | None = None) -> dict[str, datetime]:
    """Per level, the moment before which an unacknowledged event makes a case overdue."""
    now = now or timezone.now()
    urgent = now - timedelta(hours=settings.REVIEW_OVERDUE_URGENT_HOURS)
    return {
        CaseLevel.EMERGENCY: urgent,
        CaseLevel.URGENT: urgent,
        CaseLevel.SOON: now - timedelta(days=settings.REVIEW_OVERDUE_SOON_DAYS),
    }


def overdue_q(now: datetime | None = None, prefix: str = "") -> Q:
    """Open (unacknowledged) cases whose oldest unseen event waited past its level's limit.

    An acknowledged case is being handled by a person, so it is not on the clock until a
    new event reopens it (``review_case_raise`` sets it back to open).
    """
    condition = Q()
    for level, limit in overdue_limits(now).items():
        condition |= Q(**{f"{prefix}level": level, f"{prefix}oldest_unacknowledged_at__lt": limit})
    return Q(**{f"{prefix}status": CaseStatus.OPEN}) & condition


def level_rank() -> Case:
    return Case(
        *[When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()],
        default=Value(9), output_field=IntegerField(),
    )
