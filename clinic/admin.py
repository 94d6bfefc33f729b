"""Admin for the clinic core. Querysets go through clinic/access.py like every other view."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from clinic import audit, review
from clinic.access import (
    Action,
    can,
    can_record_seizure_plan,
    case_assignees,
    clinics_for,
    patients_visible_to,
    restrict,
)
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
)
from clinic.selectors import overdue_q


def scoped_choices(db_field: Any, request: HttpRequest) -> QuerySet | None:
    """Patients and clinics a form may point at: only those the user may manage.

    Without this an admin form offers every row of the database, so staff of one
    clinic could move a patient, a membership or a guardianship into another.
    """
    related = getattr(db_field, "related_model", None)
    if related is Patient:
        return patients_visible_to(request.user, Action.MANAGE)
    if related is Clinic:
        return clinics_for(request.user, Action.MANAGE)
    return None


class ScopedChoicesMixin:
    """Foreign-key choices of admin forms narrowed by clinic/access.py."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        queryset = scoped_choices(db_field, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class PatientScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """The one admin base for patient records.

    Staff who are not superusers see only rows of patients they may act on with
    ``access_action`` and pick only patients and clinics they may manage. Nothing is
    hard-deleted here (entries made in error are marked so by the services). Every
    page that shows a row, its history, and every save writes an ``AuditEvent``.
    """

    patient_field = "patient"  # path from a row to its patient; "" when rows are patients
    access_action = Action.VIEW  # to see a row
    change_action: Action | None = None  # to change one (None: the same as access_action)
    audited = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return restrict(queryset, request.user, self.access_action, self.patient_field)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        patient = self.patient_of(obj) if obj is not None else None
        if patient is not None and not can(request.user, self.change_action or self.access_action,
                                           patient):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def patient_of(self, obj: Any) -> Patient | None:
        for name in filter(None, self.patient_field.split("__")):
            obj = getattr(obj, name, None)
        return obj if isinstance(obj, Patient) else None

    def _audit(self, request: HttpRequest, action: AuditAction, obj: Any) -> None:
        if self.audited and obj is not None:
            patient = self.patient_of(obj)
            audit.record(request, action, patient=patient, obj=obj)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if self.audited else None
        if changelist is not None:
            patients = [self.patient_of(row) for row in changelist.result_list]
            audit.record_list(request, [p for p in patients if p is not None],
                              object_type=self.model._meta.model_name)
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> Any:
        if request.method == "GET":
            self._audit(request, AuditAction.READ, self.get_object(request, object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self._audit(request, AuditAction.READ, self.get_object(request, object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: Any = None) -> Any:
        """A past version of the row (django-simple-history admins only)."""
        self._audit(request, AuditAction.READ, self.get_object(request, object_id))
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, AuditAction.CREATE, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, AuditAction.UPDATE, obj)
        return super().log_change(request, obj, message)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "emergency_number", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return clinics_for(request.user, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Clinic | None = None) -> bool:
        if obj is not None and not clinics_for(request.user, Action.MANAGE).filter(pk=obj.pk).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a clinic owns patient records


@admin.register(Membership)
class MembershipAdmin(ScopedChoicesMixin, admin.ModelAdmin):
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
class PatientAdmin(PatientScopedAdmin, SimpleHistoryAdmin):
    list_display = ["family_name", "given_name", "mrn", "date_of_birth", "gestational_age_weeks",
                    "clinic"]
    list_filter = ["clinic", "sex"]
    list_select_related = ["clinic"]
    search_fields = ["family_name", "given_name", "mrn"]
    readonly_fields = ["uuid", "created_at", "updated_at", "created_by", "updated_by",
                       "seizure_plan_updated_at", "seizure_plan_updated_by"]
    patient_field = ""
    access_action = Action.VIEW_CHART
    change_action = Action.MANAGE
    _SEIZURE_FIELDS = ("known_seizure_disorder", "seizure_plan")

    def get_readonly_fields(self, request: HttpRequest, obj: Patient | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("clinic")  # a patient never moves between clinics (as in the API)
        # Only a clinician records a seizure disorder and its plan (clinic/access.py).
        if obj is None or not can_record_seizure_plan(request.user, obj):
            fields += self._SEIZURE_FIELDS
        return fields

    def save_model(self, request: HttpRequest, obj: Patient, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        if change and set(form.changed_data) & set(self._SEIZURE_FIELDS):
            obj.seizure_plan_updated_at = timezone.now()
            obj.seizure_plan_updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Guardianship)
class GuardianshipAdmin(PatientScopedAdmin):
    list_display = ["user", "patient", "relationship", "created_at"]
    list_select_related = ["user", "patient"]
    search_fields = ["user__username", "patient__family_name"]
    access_action = Action.MANAGE
    raw_id_fields = ["user", "patient"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Not a clinical row: removing it takes a parent's access away (audited below).
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request: HttpRequest, obj: Guardianship) -> None:
        self._audit(request, AuditAction.UPDATE, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for guardianship in queryset.select_related("patient"):
            self._audit(request, AuditAction.UPDATE, guardianship)
        super().delete_queryset(request, queryset)


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

    audited = False  # the trail itself; reading it is not a read of the record

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
class ReviewCaseAdmin(PatientScopedAdmin, SimpleHistoryAdmin):
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
        clinicians = case_assignees(clinic_ids)
        if "apply" in request.POST:
            chosen = request.POST.get("assignee", "")
            assignee = clinicians.filter(pk=chosen).first() if chosen.isdigit() else None
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
