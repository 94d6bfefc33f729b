"""Message pages. Views parse input, call one selector or service, audit, and render;
access comes from clinic/access.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clinic import audit
from clinic.access import (
    CLINIC_SIDE,
    FAMILY_SIDE,
    can_mark_message_in_error,
    get_thread_patient_for,
    message_side,
    not_allowed,
    not_visible,
)
from clinic.models import AuditAction, Patient
from episodes.downloads import serve_attachment
from messaging import selectors, services
from messaging.forms import MessageForm, SentInErrorForm, StaffMessageForm
from messaging.models import MessageAttachment

PAGE_SIZE = 50


def _form_class(side: str | None) -> type[MessageForm]:
    return StaffMessageForm if side == CLINIC_SIDE else MessageForm


def _thread_context(request: HttpRequest, patient: Patient, side: str, form: MessageForm
                    ) -> dict[str, Any]:
    paginator = Paginator(selectors.thread_messages(patient), PAGE_SIZE)
    # The newest messages first on screen, as in any conversation; older pages before.
    page = paginator.get_page(request.GET.get("page") or paginator.num_pages)
    data = form.data if form.is_bound else form.initial
    return {
        "patient": patient, "side": side, "is_family": side == FAMILY_SIDE, "page": page,
        "form": form,
        "about_episode": selectors.linkable_episode(request.user, patient, data.get("episode")),
        "about_case": selectors.linkable_case(request.user, patient, data.get("review_case")),
    }


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The child's one thread, for its guardians and for the clinic's staff alike."""
    patient = get_thread_patient_for(request.user, patient_id)
    side = message_side(request.user, patient)
    if side is None:  # can_message and message_side agree; kept so a change cannot slip by
        raise not_allowed(patient)
    form_class = _form_class(side)
    if request.method == "GET":
        services.thread_mark_read(patient=patient, side=side, by=request.user)
        audit.record(request, AuditAction.READ, patient=patient, object_type="message_thread",
                     object_id=str(patient.uuid))
        initial = {"episode": request.GET.get("episode"), "review_case": request.GET.get("case")}
        form = form_class(initial={k: v for k, v in initial.items() if v})
        return render(request, "messaging/thread.html",
                      _thread_context(request, patient, side, form))
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        episode = selectors.linkable_episode(request.user, patient, data.get("episode"))
        case = selectors.linkable_case(request.user, patient, data.get("review_case"))
        if data.get("episode") and episode is None:
            form.add_error(None, _("That report is not one of this child's."))
        elif data.get("review_case") and case is None:
            form.add_error(None, _("That case is not one of this child's."))
        else:
            try:
                message = services.message_send(
                    patient=patient, author=request.user, side=side, body=data["body"],
                    episode=episode, review_case=case, upload=data.get("attachment"))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                audit.record(request, AuditAction.CREATE, patient=patient, obj=message)
                for attachment in message.attachments.all():
                    audit.record(request, AuditAction.CREATE, patient=patient, obj=attachment)
                flash.success(request, _("Message sent."))
                if case is not None and request.POST.get("back") == "case":
                    return redirect(case)
                return redirect(f"{request.path}#m-{message.uuid}")
    return render(request, "messaging/thread.html",
                  _thread_context(request, patient, side, form), status=400)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The staff inbox: every thread of their clinics, unread family messages first."""
    if not selectors.works_an_inbox(request.user):
        raise PermissionDenied(_("The message inbox is for the clinic's clinicians and reviewers."))
    page = Paginator(selectors.inbox_threads(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    threads = list(page.object_list)
    audit.record_list(request, [thread.patient for thread in threads],
                      object_type="message_thread")
    return render(request, "messaging/inbox.html", {"page": page, "threads": threads})


@login_required
@require_http_methods(["GET", "POST"])
def mark_sent_in_error(request: HttpRequest, message_id: str) -> HttpResponse:
    message = selectors.message_for(request.user, message_id)
    patient = message.thread.patient
    if not can_mark_message_in_error(request.user, message.author_id, patient):
        raise not_allowed(patient, message, _("Only the person who wrote a message can withdraw it."))
    form = SentInErrorForm(request.POST or None)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient, obj=message)
    elif form.is_valid():
        try:
            services.message_mark_sent_in_error(message=message, by=request.user,
                                                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            audit.record(request, AuditAction.UPDATE, patient=patient, obj=message)
            flash.success(request, _("The message is marked as sent in error. It stays in the "
                                     "record."))
            return redirect("messaging:thread", patient_id=patient.uuid)
    return render(request, "messaging/sent_in_error.html",
                  {"message": message, "patient": patient, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: str) -> HttpResponse:
    attachment = selectors.attachment_for(request.user, attachment_id)
    patient = attachment.message.thread.patient
    if attachment.message.sent_in_error and message_side(request.user, patient) == FAMILY_SIDE:
        # Withdrawn (perhaps sent to the wrong family): the family no longer opens it.
        raise not_visible(MessageAttachment.objects.all(), "message__thread__patient",
                          uuid=attachment_id)
    audit.record(request, AuditAction.READ, patient=patient, obj=attachment)
    return serve_attachment(request, attachment)  # type: ignore[arg-type]
