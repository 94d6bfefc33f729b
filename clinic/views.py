"""Pages of the clinic core: home, patients, invitations."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from clinic import audit, services
from clinic.access import (
    SEIZURE_PLAN_RECORD,
    Action,
    actions_on,
    can_record_seizure_plan,
    clinics_for,
    get_patient_for,
    landing_for,
    not_visible,
    own_guardianships,
    patients_visible_to,
)
from clinic.forms import (
    AcceptInvitationForm,
    GuardianContactFormSet,
    InvitationForm,
    PatientForm,
    SeizurePlanForm,
)
from clinic.models import AuditAction, Guardianship


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Reviewers land on the queue, other staff on their patient list, parents on their children."""
    landing = landing_for(request.user)
    if landing:
        return redirect(landing)
    children = list(patients_visible_to(request.user).order_by("date_of_birth"))
    audit.record_list(request, children, object_type="patient")
    return render(request, "portal/children.html", {"children": children})


@login_required
@require_http_methods(["GET", "POST"])
def contact_details(request: HttpRequest) -> HttpResponse:
    """A guardian's own phone and language for each of their children: what the clinic
    sees on a case when it calls the family."""
    formset = GuardianContactFormSet(request.POST or None, queryset=own_guardianships(request.user),
                                     prefix="contact")
    if request.method == "POST" and formset.is_valid():
        # Only the rows shown: the formset edits, it never adds (extra posted forms are ignored).
        changed = [form for form in formset.initial_forms if form.has_changed()]
        with transaction.atomic():
            for form in changed:
                guardianship = services.guardianship_contact_update(
                    guardianship=form.instance, phone=form.cleaned_data["phone"],
                    preferred_language=form.cleaned_data["preferred_language"])
                audit.record(request, AuditAction.UPDATE, patient=guardianship.patient, obj=guardianship)
        if changed:
            messages.success(request, _("Saved. The clinic will use these details from now on."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("contact-details")
    if formset.is_bound and formset.non_form_errors().as_data():
        # A row not among the guardian's own was posted: nothing is kept, the attempt on
        # the row named is audited as refused, and the page starts again.
        for form in formset.initial_forms:
            if form.instance.pk is None:
                audit.record_denied(request, not_visible(Guardianship.objects.all(), pk=form["id"].value()))
        for error in formset.non_form_errors():
            messages.error(request, error)
        return redirect("contact-details")
    audit.record_list(request, [form.instance.patient for form in formset.forms],
                      object_type="guardianship")
    return render(request, "clinic/contact_details.html", {"formset": formset})


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request: HttpRequest) -> HttpResponse:
    clinics = list(clinics_for(request.user, Action.MANAGE)[:2])
    if not clinics:
        raise PermissionDenied(_("You may not add patients."))
    if len(clinics) > 1:
        # Staff of several clinics add patients through the API or the admin, naming the clinic.
        messages.info(request, _("You belong to several clinics: the first one is used here."))
    clinic = clinics[0]
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                clinic=clinic, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit.record(request, AuditAction.CREATE, patient=patient)
            messages.success(request, _("%(name)s was added.") % {"name": patient.full_name})
            return redirect(patient)
    return render(request, "clinic/patient_form.html", {"form": form, "clinic": clinic})


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, Action.MANAGE)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(patient=patient, updated_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit.record(request, AuditAction.UPDATE, patient=patient)
            messages.success(request, _("Saved."))
            return redirect(patient)
    return render(
        request, "clinic/patient_form.html", {"form": form, "patient": patient,
                                              "clinic": patient.clinic}
    )


@login_required
def patient_detail(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id)
    audit.record(request, AuditAction.READ, patient=patient)
    allowed = actions_on(request.user, patient)
    context = {
        "patient": patient,
        "age": patient.age(),
        "allowed": {action.value for action in allowed},
        "invite_form": InvitationForm() if Action.MANAGE in allowed else None,
        "guardians": patient.guardianships.select_related("user")
        if Action.VIEW_CHART in allowed
        else [],
        "can_record_seizure_plan": can_record_seizure_plan(request.user, patient),
    }
    return render(request, "clinic/patient_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def patient_seizure_plan(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A clinician records a known seizure disorder and the family's plan (CLINICAL.md 3a)."""
    patient = get_patient_for(request.user, patient_id, SEIZURE_PLAN_RECORD)
    initial = {"known_seizure_disorder": patient.known_seizure_disorder,
               "seizure_plan": patient.seizure_plan}
    form = SeizurePlanForm(request.POST or None, initial=initial)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient, object_type="seizure_plan",
                     object_id=str(patient.uuid))
    elif form.is_valid():
        try:
            services.patient_seizure_plan_set(patient=patient, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit.record(request, AuditAction.UPDATE, patient=patient, object_type="seizure_plan",
                         object_id=str(patient.uuid))
            messages.success(request, _("The seizure plan is saved. Parents see it with every answer."))
            return redirect(patient)
    return render(request, "clinic/seizure_plan_form.html", {"patient": patient, "form": form})


def _parent_invitation_mail(patient: Any, link: str) -> tuple[str, str]:
    """The invitation in every language the portal offers: the family's is not known yet."""
    subjects, bodies = [], []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            subjects.append(_("Your invitation to %(clinic)s") % {"clinic": patient.clinic.name})
            bodies.append(_(
                "%(clinic)s invites you to follow %(child)s's care online.\n\n"
                "Open this link within %(days)d days to set your password:\n%(link)s\n\n"
                "If you did not expect this message, you can ignore it."
            ) % {"clinic": patient.clinic.name, "child": patient.given_name,
                 "days": settings.INVITATION_TTL_DAYS, "link": link})
    return " / ".join(dict.fromkeys(subjects)), "\n\n-----\n\n".join(bodies)


@login_required
@require_http_methods(["POST"])
def invitation_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, Action.MANAGE)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address to invite a parent."))
        return redirect(patient)
    invitation, token = services.invitation_create(
        patient=patient, created_by=request.user, **form.cleaned_data
    )
    link = request.build_absolute_uri(reverse("invitation-accept", kwargs={"token": token}))
    subject, message = _parent_invitation_mail(patient, link)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[invitation.email])
    audit.record(request, AuditAction.CREATE, patient=patient, obj=invitation)
    messages.success(request, _("Invitation sent to %(email)s. It expires in %(days)d days.") % {
        "email": invitation.email, "days": settings.INVITATION_TTL_DAYS})
    return redirect(patient)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: a parent follows the emailed link, sets a password (or links their account)."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    signed_in = request.user.is_authenticated
    if signed_in and not services.invitation_matches(invitation, request.user):
        return render(request, "registration/invitation_invalid.html",
                      {"reason": services.WRONG_ACCOUNT}, status=403)
    form = None if signed_in else AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            user = services.invitation_accept(
                token=token,
                user=request.user if signed_in else None,
                username="" if signed_in else form.cleaned_data["username"],
                password="" if signed_in else form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if form is None:
                return render(request, "registration/invitation_invalid.html", status=404)
            form.add_error(None, exc)
        else:
            if not signed_in:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            # The new access, named by the invitation that granted it.
            if invitation.is_staff_invitation:
                audit.record(request, AuditAction.CREATE, patient=None, object_type="membership",
                             object_id=f"{invitation.uuid}:{invitation.role}")
                messages.success(request, _("You now work at %(clinic)s.")
                                 % {"clinic": invitation.clinic.name})
            else:
                audit.record(request, AuditAction.CREATE, patient=invitation.patient,
                             object_type="guardianship", object_id=str(invitation.uuid))
                messages.success(request, _("You can now follow %(name)s's care.")
                                 % {"name": invitation.patient.given_name})
            return redirect("home")
    return render(
        request, "registration/invitation_accept.html",
        {"form": form, "invitation": invitation, "signed_in": signed_in},
    )


class _ResetThrottle(SimpleRateThrottle):
    """DRF's rate counter on the shared cache, keyed by an address or a hashed e-mail."""

    scope = "password_reset"

    def __init__(self, rate: str, ident: str) -> None:
        self.rate, self.ident = rate, ident
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, with mails limited per client address and per e-mail address.

    Over the limit the form says so without sending; the answer is the same whether or not
    the address has an account, so it tells nothing about who is registered.
    """

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        by_address = _ResetThrottle(settings.PASSWORD_RESET_RATE_PER_IP, "")
        by_address.ident = f"ip:{by_address.get_ident(self.request)}"
        by_email = _ResetThrottle(settings.PASSWORD_RESET_RATE_PER_EMAIL,
                                  f"email:{hashlib.sha256(email.encode()).hexdigest()}")
        if not (by_address.allow_request(self.request, self)
                and by_email.allow_request(self.request, self)):
            form.add_error(None, _("Too many reset requests. Please try again later."))
            return self.form_invalid(form)
        return super().form_valid(form)
