"""Forms for the clinic pages; validation lives on the models and services."""

from __future__ import annotations

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.utils.translation import gettext_lazy as _

from clinic.models import Guardianship, Patient, Relationship


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "given_name", "family_name", "date_of_birth", "sex", "mrn",
            "gestational_age_weeks", "gestational_age_days", "birth_weight_grams", "birth_notes",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "birth_notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"birth_weight_grams": _("Birth weight (grams)")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save patient")))


class SeizurePlanForm(forms.Form):
    known_seizure_disorder = forms.BooleanField(
        required=False, label=_("A seizure disorder has been diagnosed"),
    )
    seizure_plan = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
        label=_("The family's seizure plan, in plain words"),
        help_text=_("When to give rescue medicine, when to call an ambulance, who to call. "
                    "Parents see this with every answer they get."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("known_seizure_disorder") and not (data.get("seizure_plan") or "").strip():
            self.add_error("seizure_plan", _("Write the family's plan in plain words."))
        return data


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    # Keyset paging: the patient the page follows or precedes (see review/patient_list.py).
    after = forms.UUIDField(required=False)
    before = forms.UUIDField(required=False)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Parent's email"))
    relationship = forms.ChoiceField(choices=Relationship.choices, initial=Relationship.PARENT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("invite", _("Send invitation")))


class AcceptInvitationForm(SetPasswordMixin, forms.Form):
    """A new parent account: a username and a password typed twice."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("accept", _("Create my account")))

    def clean(self) -> dict[str, Any]:
        self.validate_passwords()
        return super().clean()


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one recovery code."""

    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "inputmode": "text", "autocapitalize": "off"}),
    )


class TotpSetupForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"), max_length=12, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


class GuardianContactForm(forms.ModelForm):
    """How the clinic reaches one guardian about one child (one form per child)."""

    class Meta:
        model = Guardianship
        fields = ["phone", "preferred_language"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}
        labels = {"phone": _("Phone the clinic can call"),
                  "preferred_language": _("Language to speak with you")}
        help_texts = {"phone": _("With the country code if you may be abroad, e.g. +1 555 0100."),
                      "preferred_language": _("For example Spanish; leave empty for the clinic's.")}


class BaseGuardianContactFormSet(forms.BaseModelFormSet):
    def clean(self) -> None:
        super().clean()
        # Django checks a posted row id against the whole table; a row that is not among
        # those shown (another family's, or one taken away meanwhile) refuses the lot.
        if any(form.instance.pk is None for form in self.initial_forms):
            raise forms.ValidationError(
                _("These details changed since the page was opened. Reload it and try again."),
                code="stale")


# Edits only the rows given as its queryset (the guardian's own); never adds or deletes.
GuardianContactFormSet = forms.modelformset_factory(
    Guardianship, form=GuardianContactForm, formset=BaseGuardianContactFormSet, extra=0,
    can_delete=False, edit_only=True,
)
