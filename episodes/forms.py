"""The report form (one step per fieldset in the template), adding to a report, the filters."""

from __future__ import annotations

import uuid
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.fields import BoundedDateField
from clinic.zones import is_zone
from episodes.choices import BODY_PARTS, HELD_CHOICES, PATTERNS, SIGN_QUESTIONS, SIGNS, STATES
from episodes.models import (
    MAX_DURATION_SECONDS,
    Source,
    validate_not_in_future,
    validate_started_at_for,
)
from episodes.triage import EMERGENCY_SIGNS

UNSURE = "unsure"
ANSWERS = [("yes", _("Yes")), ("no", _("No")), (UNSURE, _("Not sure"))]
# The emergency questions come first, in this order (breathing, colour, responding).
EMERGENCY_ORDER = ("breathing_difficulty", "color_change", "unresponsive")
MIN_C, MAX_C = Decimal("30.0"), Decimal("45.0")
TEMPERATURE_UNITS = [("c", "°C"), ("f", "°F")]


def _pick(what: str) -> dict[str, str]:
    return {"required": _("Choose one answer: %(what)s.") % {"what": what}}


class TemperatureField(forms.DecimalField):
    """A reading as people type it: "38.5", "38,5" or "101.5"."""

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class EpisodeReportForm(forms.Form):
    """What happened, in plain words. Each warning sign is a yes / no / not sure question."""

    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Filled by episodes.js with the browser's zone: the typed time is read in that zone.
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    started_at = forms.DateTimeField(
        label=_("When did it start?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("Give the date and time it started."),
                        "invalid": _("Give the date and time it started, like 2026-05-01 14:30.")},
    )
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=0, max_value=1440, initial=0,
        error_messages={"required": _("Give the minutes (0 if under a minute)."),
                        "invalid": _("Type the minutes as a whole number, like 2."),
                        "min_value": _("Minutes cannot be less than 0."),
                        "max_value": _("An episode can be at most 24 hours long.")},
    )
    duration_secs = forms.IntegerField(
        label=_("Seconds"), min_value=0, max_value=59, initial=0,
        error_messages={"required": _("Give the seconds (0 if you do not know)."),
                        "invalid": _("Type the seconds as a whole number, like 30."),
                        "min_value": _("Seconds cannot be less than 0."),
                        "max_value": _("Seconds go up to 59; put whole minutes under Minutes.")},
    )
    body_parts = forms.MultipleChoiceField(
        label=_("Which parts of the body moved?"), choices=BODY_PARTS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tap at least one part of the body.")},
    )
    state = forms.ChoiceField(label=_("What was your baby doing?"), choices=STATES,
                              widget=forms.RadioSelect,
                              error_messages=_pick(_("what your baby was doing")))
    pattern = forms.ChoiceField(label=_("What did the movements look like?"), choices=PATTERNS,
                                widget=forms.RadioSelect,
                                error_messages=_pick(_("how the movements looked")))
    stops_when_held_or_woken = forms.ChoiceField(
        label=_("Did it stop when you gently held the limb or woke your baby?"),
        choices=HELD_CHOICES, widget=forms.RadioSelect,
        error_messages=_pick(_("did it stop when held or woken")),
    )
    temperature = TemperatureField(
        label=_("Temperature (if you took it)"), required=False, max_digits=4, decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"invalid": _("Type the temperature as a number, like 38.5 or 101.3."),
                        "max_decimal_places": _("Use at most one decimal, like 38.5."),
                        "max_digits": _("That temperature looks wrong: type it like 38.5 or 101.3."),
                        "max_whole_digits": _("That temperature looks wrong: type it like 38.5 or 101.3.")},
    )
    temperature_unit = forms.ChoiceField(
        label=_("Unit"), choices=TEMPERATURE_UNITS, initial="c", widget=forms.RadioSelect,
        required=False,
    )
    notes = forms.CharField(label=_("Anything else you noticed"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            error_messages={"max_length": _("Keep the notes under 4000 characters.")})

    def __init__(self, *args: Any, staff: bool = False, patient: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        labels = dict(SIGNS)
        for code in self.sign_codes():
            emergency = code in EMERGENCY_SIGNS
            # No answer is filled in for the parent; the three emergency ones must be given.
            self.fields[f"sign_{code}"] = forms.ChoiceField(
                label=SIGN_QUESTIONS[code], choices=ANSWERS, required=emergency,
                widget=forms.RadioSelect,
                error_messages=_pick(str(labels[code]).lower()),
            )
        if staff:
            self.fields["source"] = forms.ChoiceField(
                label=_("How was it reported?"), initial=Source.PHONE,
                choices=[(Source.PHONE, Source.PHONE.label), (Source.CLINIC, Source.CLINIC.label)],
                widget=forms.RadioSelect,
            )

    @staticmethod
    def sign_codes() -> list[str]:
        others = [code for code, _label in SIGNS if code not in EMERGENCY_ORDER]
        return [*EMERGENCY_ORDER, *others]

    @property
    def emergency_sign_fields(self) -> list[forms.BoundField]:
        return [self[f"sign_{code}"] for code in EMERGENCY_ORDER]

    @property
    def sign_fields(self) -> list[forms.BoundField]:
        return [self[f"sign_{code}"] for code in self.sign_codes() if code not in EMERGENCY_SIGNS]

    def clean_time_zone(self) -> str:
        # Validated against zoneinfo; anything else falls back to the viewer's zone.
        value = self.cleaned_data.get("time_zone") or ""
        return value if is_zone(value) else timezone.get_current_timezone_name()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        minutes, seconds = data.get("duration_minutes"), data.get("duration_secs")
        if minutes is not None and seconds is not None:
            total = minutes * 60 + seconds
            if total > MAX_DURATION_SECONDS:
                self.add_error("duration_minutes", _("An episode can be at most 24 hours long."))
            data["duration_seconds"] = total
        started = data.get("started_at")
        zone = data.get("time_zone")
        if started is not None and is_zone(zone):
            # The typed wall-clock time is the browser's: read it in that zone.
            naive = timezone.make_naive(started, timezone.get_current_timezone())
            data["started_at"] = started = timezone.make_aware(naive, zoneinfo.ZoneInfo(zone))
        if started is not None:
            try:
                validate_not_in_future(started)
            except ValidationError:
                self.add_error("started_at", _(
                    "This time is later than now. Check the date and the time on your phone."
                ))
            else:
                if self.patient is not None:
                    try:
                        validate_started_at_for(self.patient, started)
                    except ValidationError as exc:
                        self.add_error("started_at", exc)
        data["temperature_c"] = self._temperature_c(data)
        return data

    def _temperature_c(self, data: dict[str, Any]) -> Decimal | None:
        reading = data.get("temperature")
        if reading is None:
            return None
        unit = data.get("temperature_unit") or "c"
        try:
            celsius = (reading - 32) * 5 / 9 if unit == "f" else reading
            celsius = Decimal(celsius).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            celsius = None
        if celsius is None or not MIN_C <= celsius <= MAX_C:
            self.add_error("temperature", _(
                "That temperature looks wrong: between 30 and 45 °C (86 to 113 °F). "
                "Check the unit you chose."
            ))
            return None
        return celsius

    def answers(self, value: str) -> list[str]:
        data = self.cleaned_data
        return [code for code, _label in SIGNS if data.get(f"sign_{code}") == value]

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
            "signs": self.answers("yes"),
            "unsure_signs": self.answers(UNSURE),
            "temperature_c": data.get("temperature_c"),
        }

    @staticmethod
    def new_initial() -> dict[str, Any]:
        """A fresh form: now in the viewer's zone, and a new idempotency key."""
        return {
            "started_at": timezone.localtime().replace(second=0, microsecond=0),
            "client_id": uuid.uuid4(),
        }


class EpisodeAddForm(forms.Form):
    """Notes, a video or a photo added to a saved report (the upload never blocks saving)."""

    notes = forms.CharField(
        label=_("Add a note"), required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep the note under 4000 characters.")},
    )
    attachment = forms.FileField(
        label=_("A video or photo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/*,image/*"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("notes") or "").strip() and not data.get("attachment"):
            raise ValidationError(_("Write a note or choose a video or photo to add."))
        return data


class QuickLogForm(forms.Form):
    """Three taps for a clearly typical twitch: body part, asleep or awake, done."""

    QUICK_PARTS = [(code, label) for code, label in BODY_PARTS if code != "whole_body"]
    body_part = forms.ChoiceField(label=_("Where?"), choices=QUICK_PARTS, widget=forms.RadioSelect,
                                  error_messages={"required": _("Tap where it twitched.")})
    state = forms.ChoiceField(label=_("Asleep or awake?"),
                              choices=[("asleep", _("Asleep")), ("awake", _("Awake"))],
                              widget=forms.RadioSelect,
                              error_messages={"required": _("Tap asleep or awake.")})
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class MarkInErrorForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this report a mistake?"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: logged twice, or the wrong child. The report is kept, marked as a mistake."
        ),
    )


class DiaryFilterForm(forms.Form):
    level = forms.ChoiceField(
        required=False, label=_("Level"),
        choices=[("", _("All levels")), ("routine", _("Routine")), ("soon", _("Soon")),
                 ("urgent", _("Urgent")), ("emergency", _("Emergency"))],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = BoundedDateField(required=False, label=_("From"),
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    include_errors = forms.BooleanField(required=False, label=_("Show reports marked as mistakes"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _(
                "“To” (%(end)s) is before “From” (%(start)s): no day is in between. "
                "Swap the two dates to see the episodes from %(end)s to %(start)s."
            ) % {"start": start.isoformat(), "end": end.isoformat()})
        return data
