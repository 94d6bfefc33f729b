"""Parent-reported episodes and their attachments (video or photo)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.history import History
from clinic.levels import LEVEL_LABELS, Level
from episodes.choices import BODY_PARTS, HELD_CHOICES, PATTERNS, SIGNS, STATES
from episodes.responses import ClinicResponse, clinic_response

BODY_PART_CODES = frozenset(code for code, _ in BODY_PARTS)
SIGN_CODES = frozenset(code for code, _ in SIGNS)
MAX_DURATION_SECONDS = 86_400
# Phones and servers disagree by a few seconds; a report "from the future" within
# this margin is a clock difference, not an error.
CLOCK_SKEW = timedelta(minutes=1)


# Whole sentences per list (not "the {what}"): a translation agrees with its noun.
_CODE_MESSAGES = {
    "body parts": (_("Give the body parts as a list of codes."), _("Unknown body parts: %(codes)s."),
                   _("Each body part may appear only once.")),
    "signs": (_("Give the signs as a list of codes."), _("Unknown signs: %(codes)s."),
              _("Each sign may appear only once.")),
}


def _validate_codes(value: object, allowed: frozenset[str], what: str) -> None:
    not_a_list, unknown_codes, repeated = _CODE_MESSAGES[what]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(not_a_list)
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ValidationError(unknown_codes % {"codes": ", ".join(unknown)})
    if len(set(value)) != len(value):
        raise ValidationError(repeated)


def validate_body_parts(value: object) -> None:
    _validate_codes(value, BODY_PART_CODES, "body parts")
    if not value:
        raise ValidationError(_("Choose at least one body part."))


def validate_signs(value: object) -> None:
    _validate_codes(value, SIGN_CODES, "signs")


def validate_not_in_future(value: object) -> None:
    if value is not None and value > timezone.now() + CLOCK_SKEW:
        raise ValidationError(_("The start time cannot be in the future."))


# Design choice: a diary entry is for recent events; older ones belong in the history the
# clinician takes at a visit. This also keeps date arithmetic far from year 1.
MAX_REPORT_DELAY = timedelta(days=365)


def validate_started_at_for(patient: object, value: object, now: object = None) -> None:
    """A start time within the last year and not before the child was born."""
    now = now or timezone.now()
    if value < now - MAX_REPORT_DELAY:  # type: ignore[operator]
        raise ValidationError(
            _("This is more than a year ago: tell the clinic about it at the next visit instead."))
    if not patient.born_by(value):  # type: ignore[attr-defined]
        raise ValidationError(_("The start time is before the child's date of birth."))


class Source(models.TextChoices):
    PARENT = "parent", _("Reported by a parent")
    PHONE = "phone", _("Reported by phone")
    CLINIC = "clinic", _("Seen in clinic")


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


LEVEL_CHOICES = [(level.value, _(LEVEL_LABELS[level])) for level in Level]


class Episode(models.Model):
    """One reported episode of twitching and the triage answer it got when stored.

    The triage is kept as it was given (with the rule-set version), so a later
    change of the rules never rewrites what a parent was told.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "clinic.Patient", on_delete=models.PROTECT, related_name="episodes"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_episodes"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PARENT)
    started_at = models.DateTimeField(validators=[validate_not_in_future])
    duration_seconds = models.PositiveIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(MAX_DURATION_SECONDS)]
    )
    body_parts = models.JSONField(default=list, validators=[validate_body_parts])
    state = models.CharField(max_length=10, choices=STATES)
    pattern = models.CharField(max_length=10, choices=PATTERNS)
    stops_when_held_or_woken = models.CharField(max_length=10, choices=HELD_CHOICES)
    signs = models.JSONField(default=list, blank=True, validators=[validate_signs])
    # Signs the parent answered "not sure" about; triage reads them on the safer side.
    unsure_signs = models.JSONField(default=list, blank=True, validators=[validate_signs])
    temperature_c = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("30.0")), MaxValueValidator(Decimal("45.0"))],
    )
    notes = models.TextField(blank=True, max_length=4000)
    # Stored so the history of later reports can say whether an earlier one was
    # convulsive (CLINICAL.md 3a) with one indexed query, whatever the rule details.
    convulsive = models.BooleanField(default=False, editable=False)

    triage = models.JSONField(default=dict, editable=False)
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES, db_index=True, editable=False)
    rule_set_version = models.CharField(max_length=20, editable=False)

    # Idempotency key chosen by the reporting device; the hash tells a retry
    # (same content) from a reused key (different content).
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, editable=False)

    review_case = models.ForeignKey(
        "clinic.ReviewCase", on_delete=models.PROTECT, null=True, blank=True,
        related_name="episodes",
    )
    status = models.CharField(
        max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE
    )
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    entered_in_error_reason = models.TextField(blank=True)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = History()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "client_id"], condition=models.Q(client_id__isnull=False),
                name="episode_unique_client_id_per_reporter",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_seconds__lte=MAX_DURATION_SECONDS),
                name="episode_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(temperature_c__isnull=True)
                | models.Q(temperature_c__gte=Decimal("30.0"), temperature_c__lte=Decimal("45.0")),
                name="episode_temperature_range",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status", "-started_at"]),
            # The default ordering, newest first: the API's keyset paging, admin changelist and
            # dashboard rows walk this index at any depth.
            models.Index(fields=["-started_at", "-id"], name="episode_started_id_desc"),
            # The review queue's latest active episode of each case, one index probe a row.
            models.Index(fields=["review_case", "-started_at", "-id"],
                         condition=models.Q(status="active"), name="episode_case_latest_active"),
            # The response-time medians read only active urgent and emergency episodes, and
            # only these columns: an index-only scan on PostgreSQL (SQLite ignores INCLUDE).
            models.Index(fields=["started_at"], name="episode_urgent_started",
                         include=["created_at", "review_case", "patient"],
                         condition=models.Q(status="active", level__in=["urgent", "emergency"])),
        ]

    def __str__(self) -> str:
        return f"Episode {self.started_at:%Y-%m-%d %H:%M} ({self.level})"

    def get_absolute_url(self) -> str:
        return reverse("episode-detail", kwargs={"episode_id": self.uuid})

    @property
    def is_active(self) -> bool:
        return self.status == EpisodeStatus.ACTIVE

    @property
    def clinic_response(self) -> ClinicResponse | None:
        """The clinic's response the family sees (episodes/responses.py has the rules).

        Reads ``review_case`` and its people: load them with the episode
        (``episodes_visible_to`` does) so a list costs no query per row.
        """
        return clinic_response(level=self.level, reported_at=self.created_at,
                               started_at=self.started_at,
                               case=self.review_case if self.review_case_id else None)

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    @property
    def duration_display(self) -> str:
        minutes, seconds = divmod(self.duration_seconds, 60)
        if not minutes:
            return f"{seconds} s"
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"

    def body_part_labels(self) -> list[str]:
        labels = dict(BODY_PARTS)
        return [str(labels.get(code, code)) for code in self.body_parts]

    def sign_labels(self) -> list[str]:
        labels = dict(SIGNS)
        return [str(labels.get(code, code)) for code in self.signs]

    def unsure_sign_labels(self) -> list[str]:
        labels = dict(SIGNS)
        return [str(labels.get(code, code)) for code in self.unsure_signs]


class AttachmentKind(models.TextChoices):
    VIDEO = "video", _("Video")
    PHOTO = "photo", _("Photo")


def attachment_path(instance: EpisodeAttachment, filename: str) -> str:
    """A random name under a private folder; the parent's file name is never used."""
    extension = PurePosixPath(filename).suffix.lower()[:8]
    return f"private/episodes/{uuid.uuid4().hex}{extension}"


class EpisodeAttachment(models.Model):
    """A video or photo of an episode; served only by an access-checked view."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.episode}"

    def get_absolute_url(self) -> str:
        return reverse("attachment-download", kwargs={"attachment_id": self.uuid})


class DayCountKind(models.TextChoices):
    LEVEL = "level", _("Episodes at a triage level")
    RULE = "rule", _("Times a triage rule fired")


class EpisodeDayCount(models.Model):
    """Active episodes of one clinic on one of its days, by level and by rule fired.

    Written only by database triggers (episodes/rollups.py), in the transaction of the
    episode write; the dashboards read these few rows instead of the episode table.
    """

    clinic = models.ForeignKey("clinic.Clinic", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=5, choices=DayCountKind.choices)
    key = models.CharField(max_length=64)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # The triggers' upsert target; it is also the index of every dashboard read.
            models.UniqueConstraint(fields=["clinic", "day", "kind", "key"],
                                    name="episodedaycount_one_row_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.key}: {self.n}"
