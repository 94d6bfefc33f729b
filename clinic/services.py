"""Writes of the clinic core that touch several rows: each in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.levels import Level, highest
from clinic.models import (
    CaseStatus,
    Clinic,
    Guardianship,
    Invitation,
    Patient,
    ReviewCase,
    hash_token,
)

PATIENT_FIELDS = (
    "mrn", "given_name", "family_name", "date_of_birth", "sex", "gestational_age_weeks",
    "gestational_age_days", "birth_weight_grams", "birth_notes",
)


def patient_create(*, clinic: Clinic, created_by: AbstractBaseUser, **fields: Any) -> Patient:
    """Add a patient to ``clinic``; field errors come back as ``ValidationError``."""
    patient = Patient(
        clinic=clinic, created_by=created_by, updated_by=created_by,
        **{key: value for key, value in fields.items() if key in PATIENT_FIELDS},
    )
    patient.full_clean()
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:  # a concurrent insert of the same MRN
        raise ValidationError({"mrn": "This MRN is already used in this clinic."}) from exc
    return patient


def patient_update(*, patient: Patient, updated_by: AbstractBaseUser, **fields: Any) -> Patient:
    for key, value in fields.items():
        if key in PATIENT_FIELDS:
            setattr(patient, key, value)
    patient.updated_by = updated_by
    patient.full_clean()
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError as exc:
        raise ValidationError({"mrn": "This MRN is already used in this clinic."}) from exc
    return patient


@transaction.atomic
def patient_seizure_plan_set(
    *, patient: Patient, known_seizure_disorder: bool, seizure_plan: str, by: AbstractBaseUser
) -> Patient:
    """Record (or clear) a known seizure disorder with the family's plan in plain words.

    The patient's history (simple_history) keeps every version with who changed it;
    callers add the audit event. A disorder without a plan is refused.
    """
    patient.known_seizure_disorder = bool(known_seizure_disorder)
    patient.seizure_plan = (seizure_plan or "").strip()
    patient.full_clean(exclude=["mrn"])
    patient.seizure_plan_updated_at = timezone.now()
    patient.seizure_plan_updated_by = by
    patient.updated_by = by
    patient.save(update_fields=["known_seizure_disorder", "seizure_plan", "seizure_plan_updated_at",
                                "seizure_plan_updated_by", "updated_by", "updated_at"])
    return patient


def invitation_create(
    *, patient: Patient, email: str, relationship: str, created_by: AbstractBaseUser
) -> tuple[Invitation, str]:
    """A new invitation and its raw token (shown or mailed once, never stored)."""
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        patient=patient, email=email, relationship=relationship, created_by=created_by,
        token_hash=hash_token(token), expires_at=Invitation.default_expiry(),
    )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation behind ``token``, or None (unknown, used or expired)."""
    if not token:
        return None
    return (
        Invitation.objects.usable().select_related("patient").filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: AbstractBaseUser | None = None,
    username: str = "",
    password: str = "",
) -> AbstractBaseUser:
    """Use an invitation once: link ``user``, or create a parent account, as guardian.

    The row is locked so two simultaneous acceptances cannot both succeed.
    """
    invitation = (
        Invitation.objects.select_for_update().usable().filter(token_hash=hash_token(token)).first()
        if token
        else None
    )
    if invitation is None:
        raise ValidationError("This invitation link is not valid: it may be used or expired.")
    if user is None:
        user_model = get_user_model()
        if not username:
            raise ValidationError({"username": "Choose a username."})
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "This username is taken."})
        candidate = user_model(username=username, email=invitation.email)
        validate_password(password, candidate)
        candidate.set_password(password)
        candidate.save()
        user = candidate
    Guardianship.objects.get_or_create(
        user=user, patient=invitation.patient,
        defaults={"relationship": invitation.relationship},
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


@transaction.atomic
def review_case_raise(
    *,
    patient: Patient,
    level: Level | str,
    reasons: Iterable[Mapping[str, str]],
    at: datetime | None = None,
) -> ReviewCase | None:
    """Open a review case for ``patient`` or raise the open one; reopen a resolved one.

    Routine events open nothing. The open case keeps the highest level seen and
    collects every reason; callers link their episode or evaluation to the result.
    """
    level = Level(level)
    if level == Level.ROUTINE:
        return None
    at = at or timezone.now()
    reasons = [dict(reason) for reason in reasons]
    case = (
        ReviewCase.objects.select_for_update()
        .filter(patient=patient)
        .exclude(status=CaseStatus.RESOLVED)
        .first()
    )
    if case is None:
        # A resolved case is never edited back open: its outcome and timings stay as they
        # were, and the new case points at it so the reviewer sees the earlier resolution.
        previous = (
            ReviewCase.objects.filter(patient=patient, status=CaseStatus.RESOLVED)
            .order_by("-resolved_at", "-id")
            .first()
        )
        case = ReviewCase.objects.create(
            clinic_id=patient.clinic_id, patient=patient, level=level, reasons=reasons,
            opened_at=at, oldest_unacknowledged_at=at, previous=previous,
        )
        return case
    case.level = highest([case.level, level])
    known = {(r.get("rule"), r.get("explanation")) for r in case.reasons}
    case.reasons = case.reasons + [r for r in reasons if (r.get("rule"), r.get("explanation")) not in known]
    if case.status == CaseStatus.ACKNOWLEDGED:
        # Something new happened since a person looked: it needs looking at again.
        case.status = CaseStatus.OPEN
        case.oldest_unacknowledged_at = at
    elif case.oldest_unacknowledged_at is None or at < case.oldest_unacknowledged_at:
        case.oldest_unacknowledged_at = at
    case.save()
    return case
