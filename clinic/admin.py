"""Admin for the clinic core. Querysets go through clinic/access.py like every other view."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from clinic.access import Action, clinics_for, patients_visible_to, restrict
from clinic.models import (
    AuditEvent,
    Clinic,
    Guardianship,
    Invitation,
    Membership,
    Patient,
    ReviewCase,
)


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


@admin.register(ReviewCase)
class ReviewCaseAdmin(SimpleHistoryAdmin, PatientScopedAdmin):
    list_display = ["patient", "level", "status", "opened_at", "assigned_to", "outcome"]
    list_filter = ["status", "level", "clinic", "outcome"]
    list_select_related = ["patient", "assigned_to"]
    search_fields = ["patient__family_name", "patient__mrn"]
    access_action = Action.REVIEW
    raw_id_fields = ["patient", "assigned_to"]
