"""Rows for the review tests, made directly (bulk-friendly) rather than through triage.

The review code reads stored rows; building them here keeps each test's figures
known exactly, whatever the triage and suggestion rules decide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from clinic.models import CaseStatus, Patient, ReviewCase
from episodes.models import Episode
from evaluations.models import Suggestion


def reason(rule: str, level: str = "urgent") -> dict[str, str]:
    return {"rule": rule, "level": level, "explanation": f"{rule} fired", "source": "test"}


def make_case(
    patient: Patient, level: str = "urgent", *, status: str = CaseStatus.OPEN,
    opened_at: datetime | None = None, rules: tuple[str, ...] = ("EP-TEST",), **fields: Any,
) -> ReviewCase:
    opened_at = opened_at or timezone.now()
    fields.setdefault(
        "oldest_unacknowledged_at", opened_at if status == CaseStatus.OPEN else None
    )
    return ReviewCase.objects.create(
        clinic_id=patient.clinic_id, patient=patient, level=level, status=status,
        opened_at=opened_at, reasons=[reason(rule, level) for rule in rules], **fields,
    )


def episode(
    patient: Patient, reporter: Any, *, level: str = "routine", started_at: datetime | None = None,
    rules: tuple[str, ...] = (), case: ReviewCase | None = None, created_at: datetime | None = None,
    save: bool = True, **fields: Any,
) -> Episode:
    """An episode row; ``save=False`` returns it unsaved for ``bulk_create``."""
    row = Episode(
        patient=patient, reporter=reporter, started_at=started_at or timezone.now(),
        duration_seconds=20, body_parts=["left_foot"], state="asleep", pattern="isolated",
        stops_when_held_or_woken="yes", level=level, rule_set_version="test",
        triage={"level": level, "headline": "", "advice": "",
                "reasons": [reason(rule, level) for rule in rules]},
        content_hash="x", review_case=case, **fields,
    )
    if save:
        row.save()
        if created_at is not None:  # created_at is auto_now_add: set it afterwards
            Episode.objects.filter(pk=row.pk).update(created_at=created_at)
            row.created_at = created_at
    return row


def suggestion(
    patient: Patient, code: str = "eeg", *, status: str = "suggested",
    created_at: datetime | None = None, **fields: Any,
) -> Suggestion:
    if status == "dismissed":
        fields.setdefault("dismiss_reason", "not needed")
    row = Suggestion.objects.create(
        patient=patient, code=code, priority="soon", status=status,
        reasons=[reason("RX-TEST", "soon")], **fields,
    )
    if created_at is not None:
        Suggestion.objects.filter(pk=row.pk).update(created_at=created_at)
        row.created_at = created_at
    return row
