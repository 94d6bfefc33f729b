"""Writes of the clinic core that touch several rows: each in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic.levels import Level, highest
from clinic.models import (
    AuditAction,
    AuditEvent,
    CaseStatus,
    Clinic,
    Guardianship,
    Invitation,
    Membership,
    Patient,
    ReviewCase,
    Role,
    hash_token,
)

PATIENT_FIELDS = (
    "mrn", "given_name", "family_name", "date_of_birth", "sex", "gestational_age_weeks",
    "gestational_age_days", "birth_weight_grams", "birth_notes",
)


def clinic_admin_permissions() -> QuerySet[Permission]:
    """What a clinic admin may do in the Django admin; clinic/access.py still picks the rows."""
    return Permission.objects.filter(
        Q(content_type__app_label__in=["clinic", "episodes", "evaluations"],
          codename__startswith="view_")
        | Q(content_type__app_label="clinic",
            codename__in=["add_patient", "change_patient", "add_membership", "change_membership",
                          "change_guardianship", "change_reviewcase"])
    )


@transaction.atomic
def clinic_create_with_admin(
    *,
    name: str,
    admin_username: str,
    admin_email: str,
    admin_password: str,
    emergency_number: str = "",
    phone: str = "",
    actor_label: str,
) -> tuple[Clinic, AbstractBaseUser, bool]:
    """Start a clinic from nothing: the clinic and its first clinic admin, audited.

    Answers ``(clinic, admin, created)``. Run again with the same clinic and admin it
    changes nothing (``created`` False, the password untouched); any other clash is a
    ``ValidationError`` and nothing is stored.
    """
    user_model = get_user_model()
    name, admin_username = name.strip(), admin_username.strip()
    existing = Clinic.objects.filter(name__iexact=name).first()
    if existing is not None:
        membership = (Membership.objects.select_related("user")
                      .filter(clinic=existing, role=Role.CLINIC_ADMIN,
                              user__username__iexact=admin_username).first())
        if membership is None:
            raise ValidationError({"name": f"A clinic named {existing.name!r} already exists; "
                                           "nothing was changed."})
        return existing, membership.user, False
    if user_model.objects.filter(username__iexact=admin_username).exists():
        raise ValidationError({"admin_username": f"The username {admin_username!r} is taken; "
                                                 "nothing was changed."})
    clinic = Clinic(name=name, emergency_number=emergency_number, phone=phone)
    clinic.full_clean()
    admin = user_model(username=admin_username, email=admin_email, is_staff=True)
    admin.full_clean(exclude=["password"])
    try:
        validate_email(admin_email)  # the model allows a blank one; a clinic admin needs mail
    except ValidationError as exc:
        raise ValidationError({"admin_email": exc.messages}) from exc
    try:
        validate_password(admin_password, admin)
    except ValidationError as exc:
        raise ValidationError({"admin_password": exc.messages}) from exc
    admin.set_password(admin_password)
    clinic.save()
    admin.save()
    membership = Membership.objects.create(user=admin, clinic=clinic, role=Role.CLINIC_ADMIN)
    admin.user_permissions.add(*clinic_admin_permissions())
    for obj, object_id in ((clinic, str(clinic.uuid)), (membership, str(membership.pk))):
        AuditEvent.objects.create(
            actor=None, actor_username=actor_label[:150], action=AuditAction.CREATE,
            object_type=obj._meta.model_name, object_id=object_id, path="manage.py clinic_create",
        )
    return clinic, admin, True


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
        raise ValidationError({"mrn": _("This MRN is already used in this clinic.")}) from exc
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
        raise ValidationError({"mrn": _("This MRN is already used in this clinic.")}) from exc
    return patient


def guardianship_contact_update(*, guardianship: Guardianship, phone: str,
                                preferred_language: str) -> Guardianship:
    """Set how the clinic reaches this guardian about this child (validated, then saved)."""
    guardianship.phone = phone.strip()
    guardianship.preferred_language = preferred_language.strip()
    guardianship.full_clean(exclude=["user", "patient"], validate_unique=False,
                            validate_constraints=False)
    guardianship.save(update_fields=["phone", "preferred_language"])
    return guardianship


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


def staff_invitation_create(
    *, clinic: Clinic, email: str, role: str, created_by: AbstractBaseUser
) -> tuple[Invitation, str]:
    """An invitation for a new colleague to join ``clinic`` as ``role``, and its raw token."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    token = Invitation.new_token()
    invitation = Invitation(
        clinic=clinic, role=role, email=email, created_by=created_by,
        token_hash=hash_token(token), expires_at=Invitation.default_expiry(),
    )
    invitation.full_clean(exclude=["patient", "token_hash", "created_by"])
    invitation.save()
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation behind ``token``, or None (unknown, used or expired)."""
    if not token:
        return None
    return (
        Invitation.objects.usable().select_related("patient__clinic", "clinic")
        .filter(token_hash=hash_token(token))
        .first()
    )


WRONG_ACCOUNT = gettext_lazy("This invitation was sent to another e-mail address. Sign out, or sign "
                             "in with the account of that address, to accept it.")


def invitation_matches(invitation: Invitation, user: AbstractBaseUser) -> bool:
    """An invitation binds to the address it was sent to: only that account may accept it."""
    email = (getattr(user, "email", "") or "").strip().lower()
    return bool(email) and email == invitation.email.strip().lower()


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
        raise ValidationError(_("This invitation link is not valid: it may be used or expired."))
    if user is not None and not invitation_matches(invitation, user):
        raise ValidationError(WRONG_ACCOUNT)
    if user is None:
        user_model = get_user_model()
        if not username:
            raise ValidationError({"username": _("Choose a username.")})
        if user_model.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": _("This username is taken.")})
        candidate = user_model(username=username, email=invitation.email)
        validate_password(password, candidate)
        candidate.set_password(password)
        candidate.save()
        user = candidate
    if invitation.is_staff_invitation:
        if Membership.objects.filter(user=user, clinic_id=invitation.clinic_id).exists():
            raise ValidationError(_("You already work at this clinic: ask its admin to change your role."))
        Membership.objects.create(user=user, clinic_id=invitation.clinic_id, role=invitation.role)
    else:
        Guardianship.objects.get_or_create(
            user=user, patient=invitation.patient,
            defaults={"relationship": invitation.relationship},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# No savepoint of its own: callers (a report, an evaluation) already run in a transaction,
# and any error here undoes their write with it.
@transaction.atomic(savepoint=False)
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
    # Serialise on the patient: with no open case there is no case row to lock, so two
    # simultaneous worrying reports would both insert one and the second would fail on
    # reviewcase_one_open_per_patient. NO KEY UPDATE does not wait for the key-share locks
    # that inserting an episode or evaluation takes on the same patient row.
    Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).values_list("pk").first()
    # One read, after the lock (a fresh snapshot sees a case a twin just opened): the open
    # case if there is one (at most one, by the constraint), else the latest resolved one.
    # NO KEY UPDATE on the open case serialises its editors; it also falls on a resolved
    # row when no case is open, which no one edits.
    case = (
        ReviewCase.objects.select_for_update(no_key=True)
        .filter(patient=patient)
        .order_by(
            Case(When(status=CaseStatus.RESOLVED, then=Value(1)), default=Value(0)),
            F("resolved_at").desc(nulls_last=True), "-id",
        )
        .first()
    )
    if case is None or case.status == CaseStatus.RESOLVED:
        # A resolved case is never edited back open: its outcome and timings stay as they
        # were, and the new case points at it so the reviewer sees the earlier resolution.
        return ReviewCase.objects.create(
            clinic_id=patient.clinic_id, patient=patient, level=level, reasons=reasons,
            opened_at=at, oldest_unacknowledged_at=at, previous=case,
        )
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
