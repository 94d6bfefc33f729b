"""Admin for the clinic core. Querysets go through clinic/access.py like every other view."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from clinic import audit, review, services
from clinic.access import (
    Action,
    can,
    can_record_seizure_plan,
    case_assignees,
    clinics_for,
    not_visible,
    patients_visible_to,
    restrict,
)
from clinic.models import (
    AuditAction,
    AuditEvent,
    CaseStatus,
    Clinic,
    Guardianship,
    Invitation,
    Membership,
    Patient,
    ReviewCase,
)
from clinic.paging import LargeTableAdminMixin
from clinic.review import overdue_q


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


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "view on site" redirect, only for rows the user may see in the admin.

    Django's own view redirects for any id to the row's page, turning sequential ids into
    public ones; here the row must come through its model admin's scoped queryset.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError) as exc:
        raise Http404(_("Not found.")) from exc
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied(_("You may not view this."))
    if isinstance(model_admin, ScopedObjectMixin):
        model_admin.scoped_object(request, object_id)
    elif model_admin.get_object(request, unquote(object_id)) is None:
        raise Http404(_("Not found."))
    return shortcut(request, content_type_id, object_id)


class ScopedObjectMixin:
    """Every admin URL that names a row answers 404 when the row is outside the queryset.

    Django's admin answers such a row with a redirect, and django-simple-history falls
    back to the history table (showing another clinic's record); both go through
    ``scoped_object`` instead, whose 404 comes from clinic/access.py and is audited as a
    denied attempt. Custom actions on hidden rows are refused the same way.
    """

    patient_field = "patient"

    def scoped_object(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise not_visible(self.model._default_manager.all(),  # type: ignore[attr-defined]
                              self.patient_field, pk=unquote(object_id))
        return obj

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: Any = None) -> Any:
        self.scoped_object(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self.scoped_object(request, object_id)
        return super().delete_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self.scoped_object(request, object_id)
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: Any = None) -> Any:
        """A past version of the row, read-only (django-simple-history admins only).

        Restoring one would write a clinical row around its services (a signed
        evaluation, a resolved case, a triaged episode), so the page only shows.
        """
        obj = self.scoped_object(request, object_id)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied(_("Past versions can be read, not restored."))
        if not str(version_id).isdigit():
            raise not_visible(self.model._default_manager.all(),  # type: ignore[attr-defined]
                              self.patient_field, pk=obj.pk)
        return super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # hides simple-history's "Revert" button; history_form_view refuses POST

    def has_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> Any:
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if selected and request.POST.get("select_across") not in ("1", "True"):
            visible = {str(pk) for pk in queryset.values_list("pk", flat=True)}
            hidden = [pk for pk in selected if pk not in visible]
            if hidden:
                raise not_visible(self.model._default_manager.all(),  # type: ignore[attr-defined]
                                  self.patient_field, pk=hidden[0])
        return super().response_action(request, queryset)  # type: ignore[misc]


class PatientScopedAdmin(ScopedObjectMixin, ScopedChoicesMixin, admin.ModelAdmin):
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
            self._audit(request, AuditAction.READ, self.scoped_object(request, object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self._audit(request, AuditAction.READ, self.scoped_object(request, object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: Any = None) -> Any:
        if request.method in ("GET", "HEAD"):
            self._audit(request, AuditAction.READ, self.scoped_object(request, object_id))
        return super().history_form_view(request, object_id, version_id, extra_context)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, AuditAction.CREATE, obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, AuditAction.UPDATE, obj)
        return super().log_change(request, obj, message)


@admin.register(Clinic)
class ClinicAdmin(ScopedObjectMixin, admin.ModelAdmin):
    patient_field = ""  # not a patient record: a denial names the clinic only

    list_display = ["name", "phone", "emergency_number", "created_at"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return clinics_for(request.user, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Clinic | None = None) -> bool:
        if obj is not None and not clinics_for(request.user, Action.MANAGE).filter(pk=obj.pk).exists():
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser  # a new practice is set up by the operators

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a clinic owns patient records


@admin.register(Membership)
class MembershipAdmin(ScopedObjectMixin, ScopedChoicesMixin, admin.ModelAdmin):
    """Roles of the staff of the admin's own clinics.

    Staff join a clinic by accepting an invitation, like parents, so only superusers
    attach a user here; a clinic admin changes the role of others in the clinics they
    administer, never their own. Every change and removal is an AuditEvent.
    """

    list_display = ["user", "clinic", "role", "created_at"]
    list_filter = ["role", ("clinic", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "clinic"]
    search_fields = ["user__username", "clinic__name"]
    autocomplete_fields = ["user"]
    patient_field = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).filter(
            clinic__in=clinics_for(request.user, Action.MANAGE)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        # Who and where never change: only the role of an existing membership is edited.
        return ["user", "clinic", "created_at"] if obj is not None else ["created_at"]

    def _may_manage(self, request: HttpRequest, obj: Membership | None) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return obj.user_id != request.user.pk and clinics_for(request.user, Action.MANAGE).filter(
            pk=obj.clinic_id).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self._may_manage(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return self._may_manage(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change and not self._may_manage(request, obj):
            raise PermissionDenied(_("You may not change this membership."))
        super().save_model(request, obj, form, change)
        audit.record(request, AuditAction.UPDATE if change else AuditAction.CREATE, patient=None,
                     obj=obj, object_id=f"{obj.pk}:{obj.role}")

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        audit.record(request, AuditAction.DELETE, patient=None, obj=obj,
                     object_id=f"{obj.pk}:{obj.role}")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        memberships = list(queryset)
        if any(not self._may_manage(request, m) for m in memberships):
            raise PermissionDenied(_("You may not remove your own membership."))
        for membership in memberships:
            audit.record(request, AuditAction.DELETE, patient=None, obj=membership,
                         object_id=f"{membership.pk}:{membership.role}")
        super().delete_queryset(request, queryset)


@admin.register(Patient)
class PatientAdmin(PatientScopedAdmin, SimpleHistoryAdmin):
    list_display = ["family_name", "given_name", "mrn", "date_of_birth", "gestational_age_weeks",
                    "clinic"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "sex"]
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
    list_display = ["user", "patient", "relationship", "phone", "preferred_language", "created_at"]
    list_select_related = ["user", "patient"]
    search_fields = ["user__username", "patient__family_name"]
    access_action = Action.MANAGE
    raw_id_fields = ["user", "patient"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Parents join by accepting an invitation for their child (bound to their e-mail);
        # only superusers attach an account here, so no clinic admin reaches other users.
        return request.user.is_superuser and super().has_add_permission(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Guardianship | None = None) -> list[str]:
        return ["user", "patient", "created_at"] if obj is not None else ["created_at"]

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


class StaffInvitationForm(forms.ModelForm):
    """Invite a colleague: the e-mail the link goes to, the clinic and the role."""

    class Meta:
        model = Invitation
        fields = ["email", "clinic", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinic"].required = True
        self.fields["role"].required = True


def _staff_invitation_mail(invitation: Invitation, link: str) -> tuple[str, str]:
    """The invitation in every language the site offers: the invitee's is not known yet."""
    subjects, bodies = [], []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            subjects.append(str(_("Your invitation to %(clinic)s") % {"clinic": invitation.clinic.name}))
            bodies.append(str(_(
                "%(clinic)s invites you to join as %(role)s.\n\n"
                "Open this link within %(days)d days:\n%(link)s\n\n"
                "If you did not expect this message, you can ignore it."
            ) % {"clinic": invitation.clinic.name, "role": str(invitation.get_role_display()).lower(),
                 "days": settings.INVITATION_TTL_DAYS, "link": link}))
    return " / ".join(dict.fromkeys(subjects)), "\n\n-----\n\n".join(bodies)


@admin.register(Invitation)
class InvitationAdmin(PatientScopedAdmin):
    """Parents' invitations (made from the patient page) and staff invitations (made here).

    Staff join a clinic only by accepting an invitation bound to their e-mail, so a clinic
    admin never attaches an existing account, of their clinic or another, directly.
    """

    list_display = ["email", "patient", "clinic", "role", "relationship", "created_at", "expires_at",
                    "accepted_at"]
    list_select_related = ["patient", "clinic"]
    list_filter = ["accepted_at", "role"]
    search_fields = ["email", "patient__family_name"]
    readonly_fields = ["uuid", "token_hash", "created_by", "created_at", "accepted_at",
                       "accepted_by", "expires_at", "patient", "clinic", "role", "email",
                       "relationship"]
    access_action = Action.MANAGE

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        parents = super().get_queryset(request)
        staff = Invitation.objects.filter(patient__isnull=True,
                                          clinic__in=clinics_for(request.user, Action.MANAGE))
        return (parents | staff).select_related("patient", "clinic")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return clinics_for(request.user, Action.MANAGE).exists() and super().has_add_permission(request)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = StaffInvitationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return super().get_fields(request, obj) if obj is not None else ["email", "clinic", "role"]

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        if change:
            return  # nothing of an invitation is edited
        invitation, token = services.staff_invitation_create(
            clinic=form.cleaned_data["clinic"], email=form.cleaned_data["email"],
            role=form.cleaned_data["role"], created_by=request.user)
        obj.pk, obj.uuid = invitation.pk, invitation.uuid
        link = request.build_absolute_uri(reverse("invitation-accept", kwargs={"token": token}))
        subject, message = _staff_invitation_mail(invitation, link)
        send_mail(subject=subject, message=message, from_email=None, recipient_list=[invitation.email])

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        audit.record(request, AuditAction.CREATE, patient=None, obj=obj,
                     object_id=f"{obj.uuid}:{obj.role}")
        return admin.ModelAdmin.log_addition(self, request, obj, message)


@admin.register(AuditEvent)
class AuditEventAdmin(LargeTableAdminMixin, PatientScopedAdmin):
    """Read-only: the trail can be searched and filtered, never changed or deleted."""

    audited = False  # the trail itself; reading it is not a read of the record

    # Fits 1440 px: the object and the patient are cut short, in full on hover (title).
    list_display = ["at", "actor_username", "role", "action", "object_short", "patient_short",
                    "ip"]
    # Only filters with fixed choices: a filter on "role" or "object_type" lists its values
    # with SELECT DISTINCT over the whole trail on every page; those are searchable instead.
    list_filter = ["action", "at"]
    list_select_related = ["patient"]
    search_fields = ["actor_username", "patient__family_name", "patient__mrn", "object_id",
                     "request_id", "=role", "=object_type"]
    # No date_hierarchy: the largest table; the "at" filter gives the same ranges.
    access_action = Action.REVIEW

    @admin.display(description=_("object"), ordering="object_type")
    def object_short(self, obj: AuditEvent) -> str:
        full = f"{obj.object_type} {obj.object_id}".strip()
        short = f"{obj.object_type} {Truncator(obj.object_id).chars(9)}".strip()
        return format_html('<span title="{}">{}</span>', full, short)

    @admin.display(description=_("patient"), ordering="patient__family_name")
    def patient_short(self, obj: AuditEvent) -> str:
        if obj.patient is None:
            return "—"
        name = obj.patient.full_name
        return format_html('<span title="{}">{}</span>', name, Truncator(name).chars(22))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


@admin.register(ReviewCase)
class ReviewCaseAdmin(LargeTableAdminMixin, PatientScopedAdmin, SimpleHistoryAdmin):
    """Cases are opened by episodes and evaluations; here they are worked through actions
    that call the same services as the review pages (the fields themselves are read-only)."""

    list_display = ["patient", "clinic", "level", "status", "overdue_flag", "oldest_unacknowledged_at",
                    "opened_at", "assigned_to", "outcome"]
    list_filter = ["status", "level", OverdueFilter, ("clinic", admin.RelatedOnlyFieldListFilter),
                   "outcome", "opened_at"]
    list_select_related = ["patient", "clinic", "assigned_to"]
    search_fields = ["patient__family_name", "patient__given_name", "patient__mrn", "uuid"]
    # No date_hierarchy: its year links and MIN/MAX read every case (70 ms at 57,000 cases);
    # the "opened at" filter gives the same ranges.
    access_action = Action.REVIEW
    readonly_fields = [
        "uuid", "clinic", "patient", "level", "status", "reasons", "opened_at", "updated_at",
        "oldest_unacknowledged_at", "assigned_to", "acknowledged_at", "acknowledged_by",
        "resolved_at", "resolved_by", "outcome", "family_message", "notes", "previous",
    ]
    # No bulk resolve: resolving takes an outcome chosen on purpose and a line written for
    # each family, on the case page (review/).
    actions = ["assign_cases", "acknowledge_cases"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(
            overdue=Case(When(overdue_q(), then=Value(True)), default=Value(False),
                         output_field=BooleanField())
        )

    @admin.display(boolean=True, description=_("overdue"), ordering="overdue")
    def overdue_flag(self, obj: ReviewCase) -> bool:
        return bool(getattr(obj, "overdue", False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Acknowledge selected cases"))
    def acknowledge_cases(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for case in queryset.exclude(status=CaseStatus.RESOLVED):
            review.review_case_acknowledge(case=case, by=request.user)
            audit.record(request, AuditAction.UPDATE, patient=case.patient, obj=case)
            done += 1
        self.message_user(request, ngettext("%(count)d case acknowledged.", "%(count)d cases acknowledged.",
                                            done) % {"count": done})

    @admin.action(description=_("Assign selected cases to a clinician…"))
    def assign_cases(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        cases = list(queryset.exclude(status=CaseStatus.RESOLVED))
        clinic_ids = {case.clinic_id for case in cases}
        # Only a clinician of every selected case's clinic can take them all.
        clinicians = case_assignees(clinic_ids)
        if "apply" in request.POST:
            chosen = request.POST.get("assignee", "")
            assignee = clinicians.filter(pk=chosen).first() if chosen.isdigit() else None
            if assignee is None:
                self.message_user(request, _("Choose a clinician of the cases' clinic."), messages.ERROR)
                return None
            for case in cases:
                review.review_case_assign(case=case, assignee=assignee, by=request.user)
                audit.record(request, AuditAction.UPDATE, patient=case.patient, obj=case)
            self.message_user(request, ngettext(
                "%(count)d case assigned to %(assignee)s.", "%(count)d cases assigned to %(assignee)s.",
                len(cases)) % {"count": len(cases), "assignee": assignee})
            return None
        return TemplateResponse(request, "admin/clinic/reviewcase/assign.html", {
            **self.admin_site.each_context(request), "title": _("Assign cases"), "cases": cases,
            "clinicians": clinicians.order_by("username"), "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


# The app's name on every admin page (instead of "Django administration").
admin.site.site_header = _("Twitch clinic administration")
admin.site.site_title = _("Twitch clinic admin")
admin.site.index_title = _("Twitch clinic: records and settings")
