"""The clinic core: tenancy, patients, guardians, invitations, audit, review cases."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.ages import Age, age_on
from clinic.history import History
from clinic.languages import validate_language
from clinic.search import search_key
from clinic.zones import validate_zone


class Clinic(models.Model):
    """A practice. It owns its patients; staff reach them through a Membership."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    emergency_number = models.CharField(
        max_length=20, blank=True,
        help_text=_("Shown first in emergency advice. Empty: the site default."),
    )
    phone = models.CharField(max_length=40, blank=True, help_text=_("The clinic's own line."))
    address = models.TextField(
        _("address"), blank=True, max_length=500,
        help_text=_("Printed in the letterhead of evaluations, one line per line."),
    )
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_zone],
        help_text=_("Staff pages and e-mails show times in this zone (e.g. Europe/Madrid). "
                    "Empty: the site's zone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def emergency_number_or_default(self) -> str:
        return self.emergency_number or settings.DEFAULT_EMERGENCY_NUMBER


class Role(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    REVIEWER = "reviewer", _("Reviewer")
    CLINIC_ADMIN = "clinic_admin", _("Clinic admin")


class Membership(models.Model):
    """Staff access: a user works at a clinic in one role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Role changes keep who had which role when (AuditEvents say who changed it).
    history = History()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "clinic"], name="membership_unique_user_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.clinic}"


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


# Design choice: a pediatric record holds children and young adults still followed by
# their pediatrician; a birth date more than 25 years back is a typing error (year 1,
# 1900), not a patient, and would break the date arithmetic of ages and norms.
MAX_PATIENT_AGE_YEARS = 25


# A phone number as people write it: digits with spaces, dots, dashes, brackets or a slash,
# an optional leading "+". At most 15 digits, the longest an international number has
# (ITU-T E.164); at least 5, so that a stray digit or two is caught (a design choice).
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 .()/-]+")
PHONE_DIGITS = (5, 15)


def validate_phone(value: str) -> None:
    digits = sum(character.isdigit() for character in value)
    if not _PHONE_CHARACTERS.fullmatch(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise ValidationError(
            _("Enter a phone number the clinic can dial: digits, with spaces or dashes if you "
              "like, and a + before the country code."), code="phone")


def validate_not_future(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."))


def validate_plausible_birth_date(value: date) -> None:
    today = timezone.localdate()
    try:
        earliest = today.replace(year=today.year - MAX_PATIENT_AGE_YEARS)
    except ValueError:  # 29 February
        earliest = today.replace(year=today.year - MAX_PATIENT_AGE_YEARS, day=28)
    if value < earliest:
        raise ValidationError(
            _("Check the date of birth: this record is for patients up to %(years)d years old.")
            % {"years": MAX_PATIENT_AGE_YEARS})


class Patient(models.Model):
    """A child in the care of a clinic. Addressed by ``uuid`` outside the database."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=40, blank=True, help_text=_("Medical record number."))
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(validators=[validate_not_future, validate_plausible_birth_date])
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gestational_age_weeks = models.PositiveSmallIntegerField(
        default=40, validators=[MinValueValidator(22), MaxValueValidator(44)],
        help_text=_("Completed weeks of pregnancy at birth (22–44)."),
    )
    gestational_age_days = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(6)], help_text=_("Extra days (0–6).")
    )
    birth_weight_grams = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(200), MaxValueValidator(7000)]
    )
    birth_notes = models.TextField(blank=True)
    # CLINICAL.md 3a "Known seizure disorder": recorded by a clinician with the family's
    # plan in plain words; the triage then shows the plan and skips EP-FIRST-SEIZURE.
    known_seizure_disorder = models.BooleanField(
        _("known seizure disorder"), default=False,
        help_text=_("A clinician has diagnosed a seizure disorder and agreed a plan with the family."),
    )
    seizure_plan = models.TextField(
        _("seizure plan"), blank=True, max_length=2000,
        help_text=_("In plain words for the family: when to give rescue medicine, when to call."),
    )
    seizure_plan_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    seizure_plan_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", editable=False,
    )
    # search_key() of the names, kept by save(): the patient list matches typed terms against
    # it, so accents and case never decide a match (a trigram index serves it on PostgreSQL).
    search_name = models.CharField(max_length=250, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    history = History()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "mrn"], condition=~models.Q(mrn=""),
                name="patient_unique_mrn_per_clinic",
            ),
            models.CheckConstraint(
                condition=models.Q(gestational_age_weeks__gte=22, gestational_age_weeks__lte=44),
                name="patient_gestational_weeks_range",
            ),
            models.CheckConstraint(
                condition=models.Q(gestational_age_days__lte=6), name="patient_gestational_days_range"
            ),
        ]
        # The patient list pages by (family_name, given_name, id): within one clinic, and
        # across clinics for superusers and staff of several (then filtered by clinic).
        indexes = [
            models.Index(fields=["clinic", "family_name", "given_name", "id"],
                         name="patient_clinic_name_order"),
            models.Index(fields=["family_name", "given_name", "id"], name="patient_name_order"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.search_name = search_key(self.given_name, self.family_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "family_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("patient-detail", kwargs={"patient_id": self.uuid})

    def clean(self) -> None:
        # Said here so the error lands on the MRN field, not as a bare constraint name.
        if self.mrn and self.clinic_id and (
            Patient.objects.filter(clinic_id=self.clinic_id, mrn=self.mrn)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"mrn": _("This MRN is already used in this clinic.")})
        if self.known_seizure_disorder and not self.seizure_plan.strip():
            raise ValidationError({"seizure_plan": _("Write the family's plan in plain words.")})

    @property
    def triage_seizure_plan(self) -> str:
        """The plan the triage shows, only when a seizure disorder is recorded with one."""
        return self.seizure_plan.strip() if self.known_seizure_disorder else ""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def gestational_age_display(self) -> str:
        return _("%(weeks)d+%(days)d weeks") % {"weeks": self.gestational_age_weeks,
                                                 "days": self.gestational_age_days}

    def born_by(self, moment: datetime) -> bool:
        """Whether ``moment`` falls on or after the day of birth (in the clinic's time zone).

        Compares aware datetimes only, so a moment in year 1 is simply "before".
        """
        return moment >= timezone.make_aware(datetime.combine(self.date_of_birth, time.min))

    def age(self, on: date | None = None) -> Age:
        """Chronological and corrected age (clinic/ages.py) on ``on`` (default today)."""
        return age_on(
            date_of_birth=self.date_of_birth,
            on=on or timezone.localdate(),
            gestational_weeks=self.gestational_age_weeks,
            gestational_days=self.gestational_age_days,
            correct_until_months=settings.CORRECT_AGE_UNTIL_MONTHS,
        )


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    PARENT = "parent", _("Parent")
    GUARDIAN = "guardian", _("Legal guardian")
    OTHER = "other", _("Other carer")


class Guardianship(models.Model):
    """A parent's access to one child."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardianships"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="guardianships")
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.PARENT
    )
    # How the clinic reaches this guardian about this child (the case page shows them).
    # The e-mail is the account's; the phone and language belong to the family's record.
    phone = models.CharField(
        _("phone"), max_length=40, blank=True, validators=[validate_phone],
        help_text=_("The number the clinic calls about this child."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=60, blank=True,
        help_text=_("The language to speak with this guardian in, e.g. Spanish."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "patient"], name="guardianship_unique_user_patient"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_relationship_display()}) of {self.patient}"


class UserPreference(models.Model):
    """Small per-user settings: the time zone the browser last reported, the language chosen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_zone])
    # Empty until the user picks one with the switch; then pages and e-mails use it.
    language = models.CharField(max_length=16, blank=True, validators=[validate_language])
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use invitation; only the token's hash is kept. It binds to ``email``.

    Either a parent's, to one child (``patient``), or a staff member's, to a clinic in a
    role (``clinic`` and ``role``): staff join a clinic the way parents join a child.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations",
                                null=True, blank=True)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="staff_invitations",
                               null=True, blank=True, help_text=_("Staff invitations: the clinic."))
    role = models.CharField(max_length=20, choices=Role.choices, blank=True,
                            help_text=_("Staff invitations: the role in the clinic."))
    email = models.EmailField()
    relationship = models.CharField(
        max_length=20, choices=Relationship.choices, default=Relationship.PARENT
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(patient__isnull=False, clinic__isnull=True, role="")
                | (models.Q(patient__isnull=True, clinic__isnull=False) & ~models.Q(role="")),
                name="invitation_for_a_child_or_a_staff_role",
            )
        ]

    def __str__(self) -> str:
        if self.patient_id is None:
            return f"Invitation for {self.email} to {self.clinic} as {self.get_role_display()}"
        return f"Invitation for {self.email} to {self.patient}"

    @property
    def is_staff_invitation(self) -> bool:
        return bool(self.role)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def default_expiry() -> timezone.datetime:
        return timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    EXPORT = "export", _("Export")
    DELETE = "delete", _("Delete")  # access taken away (a membership), never a clinical row
    # Refused attempts on a patient object (404 or 403 from clinic/access.py).
    DENIED_READ = "deny_read", _("Denied read")
    DENIED_WRITE = "deny_write", _("Denied write")


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """Who touched which patient's data, how, when and from where. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, blank=True)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["patient", "-at"]), models.Index(fields=["actor", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("Audit events cannot be deleted.")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class CaseOutcome(models.TextChoices):
    REASSURED = "reassured", _("Parents reassured")
    SEEN_IN_CLINIC = "seen_in_clinic", _("Seen in clinic")
    REFERRED = "referred", _("Referred")
    EMERGENCY_CARE = "emergency_care", _("Sent to emergency care")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class CaseLevel(models.TextChoices):
    SOON = "soon", _("Soon")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class ReviewCase(models.Model):
    """A flagged patient for the review queue: opened by worrying episodes or evaluations.

    One open case per patient at a time; new worrying events raise its level and
    link to it (episodes and evaluations point here). After resolution a new
    worrying event reopens the patient's review as a new case whose ``previous``
    is the resolved one: outcomes and response times stay per case.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="review_cases")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="review_cases")
    level = models.CharField(max_length=10, choices=CaseLevel.choices)
    status = models.CharField(max_length=15, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    reasons = models.JSONField(default=list, blank=True, help_text=_("Rules that fired, newest last."))
    opened_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Age of the oldest event not yet acknowledged: the queue's second sort key.
    oldest_unacknowledged_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_cases",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices, blank=True)
    # Written by the reviewer on resolving, in plain words: what the family reads as the
    # outcome (the outcome code and the notes are the clinic's own).
    family_message = models.TextField(_("message for the family"), blank=True, max_length=500)
    notes = models.TextField(blank=True)
    # A worrying event after resolution opens a fresh case pointing at the resolved one, so
    # each case keeps its own outcome and timings (the dashboards measure them).
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by",
        help_text=_("The resolved case this one reopens."),
    )
    history = History()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=~models.Q(status="resolved"),
                name="reviewcase_one_open_per_patient",
            )
        ]
        indexes = [models.Index(fields=["clinic", "status", "level"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} case for {self.patient} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("review:case", kwargs={"case_id": self.uuid})

    @property
    def is_resolved(self) -> bool:
        return self.status == CaseStatus.RESOLVED


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a voicemail")


class CallLog(models.Model):
    """A phone call to the family about a case: when, how it went, a note. Never edited."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="calls")
    called_at = models.DateTimeField(_("when"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-called_at", "-id"]
        indexes = [models.Index(fields=["case", "-called_at"])]

    def __str__(self) -> str:
        return f"Call {self.called_at:%Y-%m-%d %H:%M} ({self.outcome}) for {self.case}"

    @property
    def patient(self) -> Patient:
        return self.case.patient
