"""Structured evaluations, their computed findings, follow-up suggestions and orders.

Rules live in the pure modules (norms.py, findings.py, suggestions.py); writes
that touch several rows live in services.py. Models hold fields, constraints and
own-field behaviour only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clinic.ages import Age
from clinic.history import History
from clinic.models import Patient, ReviewCase
from evaluations.suggestions import CODES, PARENT_EXPLANATIONS


class SignedEvaluationError(Exception):
    """A signed evaluation was about to change: it is immutable, amend it instead."""


class Tone(models.TextChoices):
    NORMAL = "normal", _("Normal")
    DECREASED = "decreased", _("Decreased")
    INCREASED = "increased", _("Increased")
    MIXED = "mixed", _("Mixed")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class AgeBasis(models.TextChoices):
    CHRONOLOGICAL = "chronological", _("Chronological")
    CORRECTED = "corrected", _("Corrected")


class Evaluation(models.Model):
    """One structured neurological and developmental examination of a patient.

    Drafts change under optimistic concurrency (``version``); once signed the row
    is immutable and a change is an amendment: a new draft whose ``amends``
    points to the signed original, which stays readable.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="evaluations")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations"
    )
    performed_at = models.DateTimeField(default=timezone.now)
    # Both ages as the norms used them on the day, stored so a signed record never shifts.
    age_chronological_days = models.IntegerField()
    age_corrected_days = models.IntegerField()
    age_uses = models.CharField(max_length=15, choices=AgeBasis.choices)

    history = models.TextField(blank=True, help_text=_("What happened at home, in the family's words."))
    birth_history = models.TextField(blank=True)
    family_history = models.TextField(blank=True)
    reflexes = models.JSONField(default=list, blank=True,
                                help_text="[{reflex, left, right, obligatory}]")
    hine = models.JSONField(default=dict, blank=True, help_text="{item code: {score, asymmetric}}")
    tone = models.CharField(max_length=10, choices=Tone.choices, blank=True)
    milestones = models.JSONField(default=dict, blank=True, help_text="{code: yes|not_yet|unsure}")
    lost_skills = models.BooleanField(default=False)
    observed_movements = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)

    # Computed by findings.evaluate() on every save.
    hine_total = models.PositiveSmallIntegerField(null=True, blank=True)
    hine_asymmetries = models.PositiveSmallIntegerField(default=0)
    norms_note = models.TextField(blank=True)
    checklist_age_months = models.PositiveSmallIntegerField(null=True, blank=True)

    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField(null=True, blank=True)
    # "No tests are needed now" as the signed judgement said it (empty otherwise).
    no_tests_note = models.TextField(blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    review_case = models.ForeignKey(
        ReviewCase, on_delete=models.PROTECT, null=True, blank=True, related_name="evaluations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    history_log = History()

    class Meta:
        ordering = ["-performed_at"]
        indexes = [models.Index(fields=["patient", "-performed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(signed_at__isnull=False),
                name="evaluation_signed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of {self.patient} on {self.performed_at:%Y-%m-%d} ({self.status})"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # Last line of defence under the service and the admin: the stored row decides,
        # so a stale in-memory copy cannot overwrite a signed record either.
        if self.pk is not None and type(self).objects.filter(
            pk=self.pk, status=EvaluationStatus.SIGNED
        ).exists():
            raise SignedEvaluationError(gettext("A signed evaluation cannot be changed; amend it."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evaluation-detail", kwargs={"evaluation_id": self.uuid})

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise SignedEvaluationError(gettext("Evaluations are never deleted."))

    @property
    def age(self) -> Age:
        return Age(self.age_chronological_days, self.age_corrected_days, self.age_uses)

    @property
    def is_signed(self) -> bool:
        return self.status == EvaluationStatus.SIGNED


class Finding(models.Model):
    """One rule that fired for an evaluation; recomputed whenever the draft is saved."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="findings")
    position = models.PositiveSmallIntegerField(default=0)
    rule = models.CharField(max_length=60)
    level = models.CharField(max_length=10)
    kind = models.CharField(max_length=12, blank=True)
    explanation = models.TextField()
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["evaluation", "position"]

    def __str__(self) -> str:
        return f"{self.rule} ({self.level})"

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "level": self.level, "explanation": self.explanation,
                "source": self.source}


SuggestionCode = models.TextChoices(
    "SuggestionCode", [(code, (code, label)) for code, label in CODES.items()]
)


class Priority(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon")
    URGENT = "urgent", _("Urgent")


# Most urgent first (CLINICAL.md 7a: pages, API and print list suggestions that way).
URGENT_FIRST = models.Case(
    models.When(priority=Priority.URGENT, then=models.Value(0)),
    models.When(priority=Priority.SOON, then=models.Value(1)),
    default=models.Value(2),
    output_field=models.IntegerField(),
)


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class Suggestion(models.Model):
    """A follow-up test raised by suggestions.suggest(), waiting for a clinician's decision."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="suggestions")
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="suggestions"
    )
    code = models.CharField(max_length=30, choices=SuggestionCode.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    reasons = models.JSONField(default=list, help_text="[{rule, level, explanation, source}]")
    # What raised it, kept to recognise "the same reason" later (no duplicates).
    finding_rules = models.JSONField(default=list, blank=True)
    episode_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = History()

    class Meta:
        ordering = [URGENT_FIRST.asc(), "-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="dismissed") | ~models.Q(dismiss_reason=""),
                name="suggestion_dismiss_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} for {self.patient} ({self.status})"

    @property
    def reason_rules(self) -> frozenset[str]:
        return frozenset(r.get("rule", "") for r in self.reasons) | frozenset(self.finding_rules)

    @property
    def is_open(self) -> bool:
        return self.status == SuggestionStatus.SUGGESTED


OTHER_TEST = "other"


class OrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    SCHEDULED = "scheduled", _("Scheduled")
    RESULTED = "resulted", _("Resulted")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_CODE_CHOICES = [*SuggestionCode.choices, (OTHER_TEST, _("Other (named by hand)"))]


class FollowUpOrder(models.Model):
    """A test or referral ordered for a patient: from an accepted suggestion or by hand."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="orders")
    suggestion = models.OneToOneField(
        Suggestion, on_delete=models.PROTECT, null=True, blank=True, related_name="order"
    )
    code = models.CharField(max_length=30, choices=ORDER_CODE_CHOICES)
    test = models.CharField(max_length=200, help_text=_("The test's name as shown to people."))
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.ROUTINE)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.ORDERED)
    result_notes = models.TextField(blank=True)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    ordered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    history = History()

    class Meta:
        ordering = ["-ordered_at"]
        indexes = [models.Index(fields=["patient", "-ordered_at"])]

    def __str__(self) -> str:
        return f"{self.test} for {self.patient} ({self.status})"

    @property
    def parent_explanation(self) -> str:
        """What the test is, in plain words for parents ('' for a test named by hand)."""
        text = PARENT_EXPLANATIONS.get(self.code, "")
        return gettext(text) if text else ""
