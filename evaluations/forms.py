"""Forms of the evaluation pages: the sectioned exam form, dismissal, orders.

The exam form only parses: ``to_data()`` gives the service's field shape, and
services.evaluation_clean / findings.evaluate judge it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.ages import Age
from clinic.fields import BoundedDateField
from evaluations import norms
from evaluations.models import ORDER_CODE_CHOICES, Evaluation, OrderStatus, Priority, Tone

SCORE_CHOICES = [("", _("not scored")), ("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")]
SIDE_LABELS = {"present": _("present"), "weak": _("weak"), "absent": _("absent"),
               "not_tested": _("not tested")}
SIDE_CHOICES = [(value, SIDE_LABELS[value]) for value in norms.SIDE_VALUES]
ANSWER_CHOICES = [("", _("not asked")), ("yes", _("yes")), ("not_yet", _("not yet")), ("unsure", _("unsure"))]
TONE_CHOICES = [("", _("not assessed")), *Tone.choices]
OBLIGATORY_LABEL = _("obligatory (cannot break out of it)")
TEXT_AREA = forms.Textarea(attrs={"rows": 3})
# Radios drawn as a Bootstrap button group (templates/chart/_buttons.html): big tap targets.
BUTTONS = forms.RadioSelect(attrs={"class": "btn-check"})
CHECK = forms.CheckboxInput(attrs={"class": "form-check-input"})


class EvaluationForm(forms.Form):
    """The exam in sections. Field names: ``hine_<item>``, ``rx_<reflex>_<side>``, ``ms_<code>``."""

    performed_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Empty: now."),
    )
    history = forms.CharField(required=False, widget=TEXT_AREA, label=_("What happened at home"))
    birth_history = forms.CharField(required=False, widget=TEXT_AREA, label=_("Birth history"))
    family_history = forms.CharField(required=False, widget=TEXT_AREA, label=_("Family history"))
    tone = forms.ChoiceField(choices=TONE_CHOICES, required=False, widget=BUTTONS,
                             label=_("Overall tone"))
    lost_skills = forms.BooleanField(required=False, label=_("Has lost skills they had"), widget=CHECK)
    observed_movements = forms.CharField(required=False, widget=TEXT_AREA,
                                         label=_("Movements observed (in clinic or on video)"))
    assessment = forms.CharField(required=False, widget=TEXT_AREA)
    plan = forms.CharField(required=False, widget=TEXT_AREA)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    evaluation = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, age: Age, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.age = age
        self.checklist = norms.checklist_for(age)
        for code in norms.HINE_ITEMS:
            self.fields[f"hine_{code}"] = forms.ChoiceField(
                choices=SCORE_CHOICES, required=False, widget=BUTTONS,
                label=norms.HINE_ITEMS[code].label,
            )
            self.fields[f"hine_{code}_asym"] = forms.BooleanField(required=False, label=_("asymmetric"),
                                                                  widget=CHECK)
        for code in norms.REFLEXES:
            for side in ("left", "right"):
                self.fields[f"rx_{code}_{side}"] = forms.ChoiceField(
                    choices=SIDE_CHOICES, required=False, initial="not_tested", label=side,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
            if norms.REFLEXES[code].obligatory_abnormal:
                self.fields[f"rx_{code}_obligatory"] = forms.BooleanField(
                    required=False, label=OBLIGATORY_LABEL, widget=CHECK,
                )
        for milestone in self.milestones:
            self.fields[f"ms_{milestone.code}"] = forms.ChoiceField(
                choices=ANSWER_CHOICES, required=False, widget=BUTTONS,
                label=milestone.text,
            )

    # --- what the template walks through -------------------------------------------------

    @property
    def milestones(self) -> tuple[norms.Milestone, ...]:
        return self.checklist.items if self.checklist else ()

    def hine_sections(self) -> list[dict[str, Any]]:
        sections = []
        for section in norms.HINE_SECTIONS.values():
            rows = [
                {"item": item, "score": self[f"hine_{code}"], "asym": self[f"hine_{code}_asym"]}
                for code, item in norms.HINE_ITEMS.items() if item.section == section.code
            ]
            sections.append({"section": section, "rows": rows,
                             "max": norms.hine_section_max(section.code)})
        return sections

    def reflex_rows(self) -> list[dict[str, Any]]:
        return [
            {"norm": norm, "left": self[f"rx_{code}_left"], "right": self[f"rx_{code}_right"],
             "obligatory": self[f"rx_{code}_obligatory"] if f"rx_{code}_obligatory" in self.fields
             else None}
            for code, norm in norms.REFLEXES.items()
        ]

    def milestone_domains(self) -> list[dict[str, Any]]:
        groups = []
        for domain, (_short, label, _rule) in norms.DOMAINS.items():
            fields = [self[f"ms_{m.code}"] for m in self.milestones if m.domain == domain]
            if fields:
                groups.append({"label": label, "fields": fields})
        return groups

    # --- parsing -----------------------------------------------------------------------

    def clean_performed_at(self) -> Any:
        value = self.cleaned_data.get("performed_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("An examination cannot be in the future."))
        return value

    def to_data(self) -> dict[str, Any]:
        """Cleaned input in the service's shape (unscored items and untested reflexes left out)."""
        data = self.cleaned_data
        hine = {}
        for code in norms.HINE_ITEMS:
            score = data.get(f"hine_{code}")
            asym = bool(data.get(f"hine_{code}_asym"))
            if score not in (None, "") or asym:
                hine[code] = {"score": int(score) if score not in (None, "") else None,
                              "asymmetric": asym}
        reflexes = []
        for code in norms.REFLEXES:
            left = data.get(f"rx_{code}_left") or "not_tested"
            right = data.get(f"rx_{code}_right") or "not_tested"
            obligatory = bool(data.get(f"rx_{code}_obligatory"))
            if left != "not_tested" or right != "not_tested" or obligatory:
                reflexes.append({"reflex": code, "left": left, "right": right,
                                 "obligatory": obligatory})
        milestones = {m.code: data[f"ms_{m.code}"] for m in self.milestones
                      if data.get(f"ms_{m.code}")}
        return {
            "history": data.get("history", ""), "birth_history": data.get("birth_history", ""),
            "family_history": data.get("family_history", ""), "reflexes": reflexes, "hine": hine,
            "tone": data.get("tone", ""), "milestones": milestones,
            "lost_skills": bool(data.get("lost_skills")),
            "observed_movements": data.get("observed_movements", ""),
            "assessment": data.get("assessment", ""), "plan": data.get("plan", ""),
        }

    @staticmethod
    def initial_from(evaluation: Evaluation) -> dict[str, Any]:
        """Form initial values from a stored evaluation."""
        initial: dict[str, Any] = {
            name: getattr(evaluation, name)
            for name in ("history", "birth_history", "family_history", "tone", "lost_skills",
                         "observed_movements", "assessment", "plan")
        }
        initial["version"] = evaluation.version
        initial["evaluation"] = evaluation.uuid
        initial["performed_at"] = timezone.localtime(evaluation.performed_at)
        for code, item in (evaluation.hine or {}).items():
            if isinstance(item, Mapping):
                initial[f"hine_{code}"] = "" if item.get("score") is None else str(item["score"])
                initial[f"hine_{code}_asym"] = bool(item.get("asymmetric"))
        for row in evaluation.reflexes or []:
            initial[f"rx_{row['reflex']}_left"] = row.get("left", "not_tested")
            initial[f"rx_{row['reflex']}_right"] = row.get("right", "not_tested")
            initial[f"rx_{row['reflex']}_obligatory"] = bool(row.get("obligatory"))
        for code, answer in (evaluation.milestones or {}).items():
            initial[f"ms_{code}"] = answer
        return initial


class DismissForm(forms.Form):
    reason = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": _("Why not now?")}), max_length=500,
        label=_("Reason for dismissing"),
    )


class TimelineFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple,
        choices=[("episode", _("Episodes")), ("evaluation", _("Evaluations")), ("order", _("Orders")),
                 ("case", _("Review cases"))],
    )
    since = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput)


class OrderForm(forms.Form):
    code = forms.ChoiceField(choices=ORDER_CODE_CHOICES, label=_("Test"))
    test = forms.CharField(required=False, max_length=200, label=_("Name (for 'other')"))
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.ROUTINE)


class OrderUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=OrderStatus.choices)
    result_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
