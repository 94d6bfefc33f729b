"""The report form (one step per fieldset in the template) and the mark-in-error form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clinic.fields import BoundedDateField
from episodes.models import (
    MAX_DURATION_SECONDS,
    Source,
    validate_not_in_future,
    validate_started_at_for,
)
from episodes.triage import BODY_PARTS, HELD_CHOICES, PATTERNS, SIGN_QUESTIONS, SIGNS, STATES

YES_NO = [("no", "No"), ("yes", "Yes")]


class EpisodeReportForm(forms.Form):
    """What happened, in plain words. Warning signs are one yes/no question each."""

    started_at = forms.DateTimeField(
        label="When did it start?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(label="Minutes", min_value=0, max_value=1440, initial=0)
    duration_secs = forms.IntegerField(label="Seconds", min_value=0, max_value=59, initial=0)
    body_parts = forms.MultipleChoiceField(
        label="Which parts of the body moved?", choices=BODY_PARTS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tap at least one part of the body."},
    )
    state = forms.ChoiceField(label="What was your baby doing?", choices=STATES,
                              widget=forms.RadioSelect)
    pattern = forms.ChoiceField(label="What did the movements look like?", choices=PATTERNS,
                                widget=forms.RadioSelect)
    stops_when_held_or_woken = forms.ChoiceField(
        label="Did it stop when you gently held the limb or woke your baby?",
        choices=HELD_CHOICES, widget=forms.RadioSelect,
    )
    temperature_c = forms.DecimalField(
        label="Temperature in °C (if you took it)", required=False, max_digits=3,
        decimal_places=1, min_value=Decimal("30.0"), max_value=Decimal("45.0"),
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    notes = forms.CharField(label="Anything else you noticed", required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(
        label="A video or photo (optional)", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/*,image/*"}),
    )

    def __init__(self, *args: Any, staff: bool = False, patient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        for code, _label in SIGNS:
            self.fields[f"sign_{code}"] = forms.ChoiceField(
                label=SIGN_QUESTIONS[code], choices=YES_NO, initial="no", required=False,
                widget=forms.RadioSelect,
            )
        if staff:
            self.fields["source"] = forms.ChoiceField(
                label="How was it reported?", initial=Source.PHONE,
                choices=[(Source.PHONE, Source.PHONE.label), (Source.CLINIC, Source.CLINIC.label)],
                widget=forms.RadioSelect,
            )

    @property
    def sign_fields(self) -> list[forms.BoundField]:
        return [self[f"sign_{code}"] for code, _ in SIGNS]

    def clean_started_at(self) -> Any:
        value = self.cleaned_data["started_at"]
        validate_not_in_future(value)
        if self.patient is not None:
            validate_started_at_for(self.patient, value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        minutes, seconds = data.get("duration_minutes"), data.get("duration_secs")
        if minutes is not None and seconds is not None:
            total = minutes * 60 + seconds
            if total > MAX_DURATION_SECONDS:
                raise ValidationError("An episode can be at most 24 hours long.")
            data["duration_seconds"] = total
        return data

    def report_fields(self) -> dict[str, Any]:
        """The cleaned report, in the service's words."""
        data = self.cleaned_data
        return {
            "started_at": data["started_at"],
            "duration_seconds": data["duration_seconds"],
            "body_parts": list(data["body_parts"]),
            "state": data["state"],
            "pattern": data["pattern"],
            "stops_when_held_or_woken": data["stops_when_held_or_woken"],
            "signs": [code for code, _ in SIGNS if data.get(f"sign_{code}") == "yes"],
            "temperature_c": data.get("temperature_c"),
        }


class MarkInErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why is this report a mistake?", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: logged twice, or the wrong child. The report is kept, marked as a mistake.",
    )


class DiaryFilterForm(forms.Form):
    level = forms.ChoiceField(
        required=False, label="Level",
        choices=[("", "All levels"), ("routine", "Routine"), ("soon", "Soon"),
                 ("urgent", "Urgent"), ("emergency", "Emergency")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = BoundedDateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    include_errors = forms.BooleanField(required=False, label="Show reports marked as mistakes")
