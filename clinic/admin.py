"""Admin for the clinic core. Querysets go through clinic/access.py like every other view."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, Count, QuerySet, Value, When
from django.http import HttpRequest
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from clinic import audit, review
from clinic.access import Action, clinics_for, patients_visible_to, restrict
from clinic.models import (
    AuditAction,
    AuditEvent,
    CaseOutcome,
    CaseStatus,
    Clinic,
    Guardianship,
    Invitation,
    Membership,
    Patient,
    ReviewCase,
    Role,
)
from clinic.selectors import overdue_q


class PatientScopedAdmin(admin.ModelAdmin):
    """Staff who are not superusers see only rows of patients they may see."""

    patient_field = "patient"
    access_action = Action.VIEW

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return restrict(queryset, request.user, self.access_action, self.patient_field)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "emergency_number", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return clinics_for(request.user, Action.VIEW)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "role", "created_at"]
    list_filter = ["role", "clinic"]
    list_select_related = ["user", "clinic"]
    search_fields = ["user__username", "clinic__name"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(
            clinic__in=clinics_for(request.user, Action.MANAGE)
        )


@admin.register(Patient)
class PatientAdmin(SimpleHistoryAdmin):
    list_display = ["family_name", "given_name", "mrn", "date_of_birth", "gestational_age_weeks",
                    "clinic"]
    list_filter = ["clinic", "sex"]
    list_select_related = ["clinic"]
    search_fields = ["family_name", "given_name", "mrn"]
    readonly_fields = ["uuid", "created_at", "updated_at", "created_by", "updated_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return patients_visible_to(request.user, Action.VIEW_CHART)

    def save_model(self, request: HttpRequest, obj: Patient, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Guardianship)
class GuardianshipAdmin(PatientScopedAdmin):
    list_display = ["user", "patient", "relationship", "created_at"]
    list_select_related = ["user", "patient"]
    search_fields = ["user__username", "patient__family_name"]
    access_action = Action.MANAGE
    raw_id_fields = ["user", "patient"]


@admin.register(Invitation)
class InvitationAdmin(PatientScopedAdmin):
    list_display = ["email", "patient", "relationship", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["patient"]
    list_filter = ["accepted_at"]
    search_fields = ["email", "patient__family_name"]
    readonly_fields = ["uuid", "token_hash", "created_by", "created_at", "accepted_at",
                       "accepted_by", "expires_at", "patient", "email", "relationship"]
    access_action = Action.MANAGE

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Invitations are made from the patient page, which mails the one-time link.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(PatientScopedAdmin):
    """Read-only: the trail can be searched and filtered, never changed or deleted."""

    list_display = ["at", "actor_username", "role", "action", "object_type", "object_id",
                    "patient", "ip"]
    list_filter = ["action", "role", "object_type", "at"]
    list_select_related = ["patient"]
    search_fields = ["actor_username", "patient__family_name", "patient__mrn", "object_id",
                     "request_id"]
    date_hierarchy = "at"
    access_action = Action.REVIEW

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


def _resolve_action(outcome: CaseOutcome) -> Any:
    def action(modeladmin: ReviewCaseAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for case in queryset.exclude(status=CaseStatus.RESOLVED):
            review.review_case_resolve(case=case, outcome=outcome, by=request.user)
            audit.record(request, AuditAction.UPDATE, patient=case.patient, obj=case)
            done += 1
        modeladmin.message_user(request, f"{done} case(s) resolved as {outcome.label.lower()}.")

    action.__name__ = f"resolve_{outcome.value}"
    action.short_description = f"Resolve: {outcome.label.lower()}"  # type: ignore[attr-defined]
    return action


@admin.register(ReviewCase)
class ReviewCaseAdmin(SimpleHistoryAdmin, PatientScopedAdmin):
    """Cases are opened by episodes and evaluations; here they are worked through actions
    that call the same services as the review pages (the fields themselves are read-only)."""

    list_display = ["patient", "clinic", "level", "status", "overdue_flag", "oldest_unacknowledged_at",
                    "opened_at", "assigned_to", "outcome"]
    list_filter = ["status", "level", OverdueFilter, "clinic", "outcome", "opened_at"]
    list_select_related = ["patient", "clinic", "assigned_to"]
    search_fields = ["patient__family_name", "patient__given_name", "patient__mrn", "uuid"]
    date_hierarchy = "opened_at"
    access_action = Action.REVIEW
    readonly_fields = [
        "uuid", "clinic", "patient", "level", "status", "reasons", "opened_at", "updated_at",
        "oldest_unacknowledged_at", "assigned_to", "acknowledged_at", "acknowledged_by",
        "resolved_at", "resolved_by", "outcome", "notes", "previous",
    ]
    actions = ["assign_cases", "acknowledge_cases",
               *[_resolve_action(outcome) for outcome in CaseOutcome]]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(
            overdue=Case(When(overdue_q(), then=Value(True)), default=Value(False),
                         output_field=BooleanField())
        )

    @admin.display(boolean=True, description="overdue", ordering="overdue")
    def overdue_flag(self, obj: ReviewCase) -> bool:
        return bool(getattr(obj, "overdue", False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Acknowledge selected cases")
    def acknowledge_cases(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for case in queryset.exclude(status=CaseStatus.RESOLVED):
            review.review_case_acknowledge(case=case, by=request.user)
            audit.record(request, AuditAction.UPDATE, patient=case.patient, obj=case)
            done += 1
        self.message_user(request, f"{done} case(s) acknowledged.")

    @admin.action(description="Assign selected cases to a clinician…")
    def assign_cases(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        cases = list(queryset.exclude(status=CaseStatus.RESOLVED))
        clinic_ids = {case.clinic_id for case in cases}
        # Only a clinician of every selected case's clinic can take them all.
        clinicians = get_user_model().objects.filter(
            memberships__role=Role.CLINICIAN, memberships__clinic_id__in=clinic_ids, is_active=True
        ).annotate(n=Count("memberships__clinic", distinct=True)).filter(n=len(clinic_ids))
        if "apply" in request.POST:
            assignee = clinicians.filter(pk=request.POST.get("assignee")).first()
            if assignee is None:
                self.message_user(request, "Choose a clinician of the cases' clinic.", messages.ERROR)
                return None
            for case in cases:
                review.review_case_assign(case=case, assignee=assignee, by=request.user)
                audit.record(request, AuditAction.UPDATE, patient=case.patient, obj=case)
            self.message_user(request, f"{len(cases)} case(s) assigned to {assignee}.")
            return None
        return TemplateResponse(request, "admin/clinic/reviewcase/assign.html", {
            **self.admin_site.each_context(request), "title": "Assign cases", "cases": cases,
            "clinicians": clinicians.order_by("username"), "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })
