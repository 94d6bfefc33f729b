"""Admin for evaluations, suggestions and orders.

Rows come through clinic/access.py. A signed evaluation is read-only here as
everywhere; draft edits and order updates go through the services, so the
version check, findings and order transitions still apply.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.access import Action
from clinic.admin import PatientScopedAdmin
from clinic.paging import LargeTableAdminMixin
from evaluations import services
from evaluations.models import Evaluation, FollowUpOrder, Suggestion

EVALUATION_READONLY = [
    "uuid", "patient", "clinician", "performed_at", "age_chronological_days", "age_corrected_days",
    "age_uses", "hine_total", "hine_asymmetries", "norms_note", "checklist_age_months", "status",
    "version", "signed_at", "signed_by", "amends", "review_case", "created_at", "updated_at",
    "updated_by",
]


class EvaluationAdminForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = list(services.CLINICAL_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            services.evaluation_clean({k: v for k, v in cleaned.items() if k in services.CLINICAL_FIELDS},
                                      partial=True)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                                        ) from exc
        return cleaned


@admin.register(Evaluation)
class EvaluationAdmin(LargeTableAdminMixin, PatientScopedAdmin, SimpleHistoryAdmin):
    form = EvaluationAdminForm
    list_display = ["patient", "performed_at", "clinician", "status", "version", "hine_total"]
    list_filter = ["status", "age_uses"]
    list_select_related = ["patient", "clinician"]
    search_fields = ["patient__family_name", "patient__given_name", "patient__mrn"]
    readonly_fields = EVALUATION_READONLY

    access_action = Action.VIEW_CHART
    change_action = Action.CHART

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # evaluations start on the chart page or the API (ages, findings)

    def has_change_permission(self, request: HttpRequest, obj: Evaluation | None = None) -> bool:
        if obj is not None and obj.is_signed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Evaluation | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Evaluation, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in services.CLINICAL_FIELDS
                if name in form.cleaned_data}
        # ``obj.version`` is read-only in the form: the version this admin page loaded.
        saved = services.evaluation_save_draft(evaluation=obj, by=request.user, version=obj.version,
                                               data=data)
        obj.pk, obj.version = saved.pk, saved.version


@admin.register(Suggestion)
class SuggestionAdmin(PatientScopedAdmin, SimpleHistoryAdmin):
    list_display = ["patient", "code", "priority", "status", "created_at", "decided_by"]
    list_filter = ["status", "code", "priority"]
    list_select_related = ["patient", "decided_by"]

    access_action = Action.VIEW_CHART

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided on the chart or through the API, with who and why

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FollowUpOrderAdminForm(forms.ModelForm):
    class Meta:
        model = FollowUpOrder
        fields = ["priority", "status", "result_notes"]

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        current = self.instance.status if self.instance.pk else None
        if current and status != current and status not in services.ORDER_NEXT.get(current, ()):
            raise forms.ValidationError(services.order_transition_error(current, status))
        return status


@admin.register(FollowUpOrder)
class FollowUpOrderAdmin(PatientScopedAdmin, SimpleHistoryAdmin):
    form = FollowUpOrderAdminForm
    list_display = ["patient", "test", "priority", "status", "ordered_at", "ordered_by"]
    list_filter = ["status", "priority", "code"]
    list_select_related = ["patient", "ordered_by"]
    readonly_fields = ["uuid", "patient", "suggestion", "code", "test", "ordered_by", "ordered_at",
                       "updated_at"]

    access_action = Action.VIEW
    change_action = Action.CHART

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FollowUpOrder, form: Any, change: bool) -> None:
        services.order_update(order=obj, by=request.user, status=form.cleaned_data.get("status"),
                              result_notes=form.cleaned_data.get("result_notes"),
                              priority=form.cleaned_data.get("priority"))
