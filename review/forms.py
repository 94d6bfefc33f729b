"""Forms of the review pages: they parse input; the rules live in clinic/review.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.fields import EARLIEST, LATEST, BoundedDateField
from clinic.models import CallOutcome, CaseLevel, CaseOutcome, CaseStatus
from clinic.review import CALL_NOTE_MAX_LENGTH, FAMILY_MESSAGE_MAX_LENGTH

STATUS_CHOICES = [("active", _("Open or acknowledged")), *CaseStatus.choices, ("all", _("All"))]
DEFAULT_RANGE_DAYS = 30


class QueueFilterForm(forms.Form):
    clinic = forms.UUIDField(required=False)
    level = forms.ChoiceField(choices=[("", _("Any level")), *CaseLevel.choices], required=False,
                              widget=forms.Select(attrs={"class": "form-select"}))
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
    mine = forms.BooleanField(required=False, label=_("Assigned to me"))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = clinicians
        self.fields["assignee"].label_from_instance = (
            lambda user: user.get_full_name() or user.get_username()
        )


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, label=_("Note"))


class ResolveForm(forms.Form):
    """The outcome is chosen on purpose (the list starts empty) and comes with the line the
    family reads; the note stays the clinic's."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("Choose an outcome…")), *CaseOutcome.choices],
        error_messages={"required": _("Choose the outcome.")},
    )
    family_message = forms.CharField(
        label=_("Message for the family"), max_length=FAMILY_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The family reads this as the outcome, e.g. “The video looks like normal "
                    "sleep twitches; no visit is needed.”"),
        error_messages={"required": _("Write a short line for the family.")},
    )
    note = forms.CharField(label=_("Note for the clinic"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=4000, required=False)

    def clean_family_message(self) -> str:
        message = self.cleaned_data["family_message"].strip()
        if not message:
            raise forms.ValidationError(_("Write a short line for the family."))
        return message


class CallLogForm(forms.Form):
    """A call to the family; the time is typed in the viewer's zone (the clinic's)."""

    called_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[MinValueValidator(datetime(EARLIEST.year, 1, 1, tzinfo=UTC)),
                    MaxValueValidator(datetime(LATEST.year, 12, 31, tzinfo=UTC))],
    )
    outcome = forms.ChoiceField(label=_("How it went"), choices=[("", _("Choose…")), *CallOutcome.choices],
                                error_messages={"required": _("Choose how the call went.")})
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=CALL_NOTE_MAX_LENGTH, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The field reads and shows times in the active zone (the clinic's, for staff): say so.
        self.fields["called_at"].help_text = _("Time in %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()}

    @classmethod
    def blank(cls) -> CallLogForm:
        return cls(initial={"called_at": timezone.localtime().replace(second=0, microsecond=0)})


class DashboardFilterForm(forms.Form):
    """Clinic and date range of the dashboards; the range is inclusive of both days."""

    clinic = forms.UUIDField(required=False)
    start = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = default_range(data.get("start"), data.get("end"))
        if start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (end - start).days > 366:
            raise forms.ValidationError(_("Choose a range of at most a year."))
        data["start"], data["end"] = start, end
        return data


class RowsFilterForm(forms.Form):
    """What narrows the rows behind a figure, on top of the dashboard's scope."""

    day = BoundedDateField(required=False)
    level = forms.ChoiceField(
        choices=[("", _("Any")), *[(lv, lv) for lv in ("emergency", "urgent", "soon", "routine")],
                 ("urgent_or_worse", _("urgent or emergency"))],
        required=False,
    )
    rule = forms.CharField(required=False, max_length=60)
    code = forms.CharField(required=False, max_length=30)
    status = forms.ChoiceField(
        choices=[("", "Any"), ("suggested", "suggested"), ("accepted", "accepted"),
                 ("dismissed", "dismissed")],
        required=False,
    )
    pending = forms.BooleanField(required=False)


def default_range(start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """Fill a missing end with today and a missing start with 30 days before the end."""
    end = end or timezone.localdate()
    return start or end - timedelta(days=DEFAULT_RANGE_DAYS - 1), end


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware datetimes covering ``start`` 00:00 up to the day after ``end``."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )
