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
from django.utils.translation import gettext as _

from clinic.access import case_assignees
from clinic.models import CallLog, CallOutcome, CaseLevel, CaseOutcome, CaseStatus, ReviewCase

NOTE_MAX_LENGTH = 4000
FAMILY_MESSAGE_MAX_LENGTH = 500
CALL_NOTE_MAX_LENGTH = 2000
# A phone and a server disagree by a few seconds; a call "in the future" beyond this is a typo.
CALL_CLOCK_SKEW = timedelta(minutes=5)


def _locked(case: ReviewCase) -> ReviewCase:
    fresh = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if fresh.status == CaseStatus.RESOLVED:
        raise ValidationError(_("This case is resolved; a new worrying event opens a new case."))
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
        raise ValidationError({"assignee": _("Cases go to clinicians of the case's clinic.")})
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
        raise ValidationError({"text": _("Write a note first.")})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError({"text": _("Keep a note under %(limit)d characters.")
                                       % {"limit": NOTE_MAX_LENGTH}})
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
    family_message: str,
    note: str = "",
    at: datetime | None = None,
) -> ReviewCase:
    """Close the case with an outcome and a line for the family, both chosen on purpose.

    Nothing defaults: without an outcome or the family's line nothing is stored. Resolving
    counts as acknowledging if nobody had.
    """
    errors: dict[str, str] = {}
    if outcome not in CaseOutcome.values:
        errors["outcome"] = _("Choose one of the listed outcomes.")
    family_message = (family_message or "").strip()
    if not family_message:
        errors["family_message"] = _("Write a short line for the family: they read it as the outcome.")
    elif len(family_message) > FAMILY_MESSAGE_MAX_LENGTH:
        errors["family_message"] = _("Keep the family's line under %(n)d characters.") % {
            "n": FAMILY_MESSAGE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    case = _locked(case)
    at = at or timezone.now()
    if case.acknowledged_at is None:
        case.acknowledged_at = at
        case.acknowledged_by = by
    case.status = CaseStatus.RESOLVED
    case.outcome = outcome
    case.family_message = family_message
    case.resolved_at = at
    case.resolved_by = by
    case.oldest_unacknowledged_at = None
    _append_note(case, f"resolved: {CaseOutcome(outcome).label}. {note}".strip(), by, at)
    case.save()
    return case


def review_case_log_call(
    *, case: ReviewCase, by: AbstractBaseUser, outcome: CallOutcome | str,
    called_at: datetime | None = None, note: str = "",
) -> CallLog:
    """Record a call to the family. Calls are kept as they were said, also after resolution
    (a follow-up call is part of the case's story), so the case row is not touched."""
    errors: dict[str, str] = {}
    called_at = called_at or timezone.now()
    if outcome not in CallOutcome.values:
        errors["outcome"] = _("Choose how the call went.")
    if called_at > timezone.now() + CALL_CLOCK_SKEW:
        errors["called_at"] = _("The call cannot be in the future.")
    elif called_at < case.opened_at:
        errors["called_at"] = _("The call is before this case was opened.")
    note = (note or "").strip()
    if len(note) > CALL_NOTE_MAX_LENGTH:
        errors["note"] = _("Keep a note under %(n)d characters.") % {"n": CALL_NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    return CallLog.objects.create(case=case, by=by, outcome=outcome, called_at=called_at, note=note)


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
