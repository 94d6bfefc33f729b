"""Pages for episodes: report (saved when the advice shows), quick log, diary, episode, summary."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic import audit
from clinic.access import Action, can, get_for, get_patient_for, not_allowed
from clinic.models import AuditAction, Patient
from clinic.zones import remember_zone
from episodes import services
from episodes.charts import frequency_chart
from episodes.downloads import serve_attachment
from episodes.forms import (
    DiaryFilterForm,
    EpisodeAddForm,
    EpisodeReportForm,
    MarkInErrorForm,
    QuickLogForm,
)
from episodes.messages import level_meaning
from episodes.models import EpisodeAttachment, EpisodeStatus, Source
from episodes.selectors import episode_daily_counts, episodes_visible_to
from episodes.services import quick_log_fields

PAGE_SIZE = 25


def _add_form_errors(form: forms.Form, exc: ValidationError, default: str | None = None) -> None:
    """Put a service's errors on the form's own fields, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else default, errors)
    else:
        form.add_error(default, exc)


def _report_context(patient: Patient, form: forms.Form) -> dict[str, Any]:
    return {"patient": patient, "form": form,
            "emergency_number": patient.clinic.emergency_number_or_default}


@login_required
@require_http_methods(["GET", "POST"])
def episode_report(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The step-by-step report; "Get advice" stores the episode and shows it with the answer."""
    patient = get_patient_for(request.user, patient_id, Action.REPORT)
    staff = can(request.user, Action.CHART, patient)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient, object_type="episode_report_form",
                     object_id=str(patient.uuid))
        form = EpisodeReportForm(initial=EpisodeReportForm.new_initial(), staff=staff)
        return render(request, "episodes/report_form.html", _report_context(patient, form))
    form = EpisodeReportForm(request.POST, staff=staff, patient=patient)
    if form.is_valid():
        remember_zone(request, form.cleaned_data["time_zone"], staff=staff)
        try:
            episode, created = services.episode_create(
                patient=patient, reporter=request.user, notes=form.cleaned_data["notes"],
                source=form.cleaned_data.get("source") or Source.PARENT,
                client_id=form.cleaned_data.get("client_id"), **form.report_fields(),
                on_stored=lambda stored: audit.record(request, AuditAction.CREATE,
                                                      patient=patient, obj=stored),
            )
        except services.ClientIdConflict:
            form.add_error(None, _("This form was already sent with other answers. "
                                   "Open “Report an episode” again to send a new report."))
        except ValidationError as exc:
            _add_form_errors(form, exc)
        else:
            return redirect(episode)  # its page says it is saved and who was told
    return render(request, "episodes/report_form.html", _report_context(patient, form), status=400)


@login_required
@require_POST
def episode_quick_log(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Three taps from the home page: a short single twitch, judged by the same triage."""
    patient = get_patient_for(request.user, patient_id, Action.REPORT)
    form = QuickLogForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("home")
    zone = form.cleaned_data["time_zone"]
    remember_zone(request, zone, staff=can(request.user, Action.CHART, patient))
    try:
        episode, created = services.episode_create(
            patient=patient, reporter=request.user, client_id=form.cleaned_data.get("client_id"),
            **quick_log_fields(body_part=form.cleaned_data["body_part"],
                               state=form.cleaned_data["state"]),
            on_stored=lambda stored: audit.record(request, AuditAction.CREATE,
                                                  patient=patient, obj=stored),
        )
    except (services.ClientIdConflict, ValidationError):
        messages.error(request, _("That quick log could not be saved; please use the full report."))
        return redirect("episode-report", patient_id=patient.uuid)
    return redirect(episode)


def _detail_context(request: HttpRequest, episode: Any, add_form: EpisodeAddForm | None = None
                    ) -> dict[str, Any]:
    can_add = episode.is_active and can(request.user, Action.REPORT, episode.patient)
    return {
        "episode": episode, "patient": episode.patient,
        "emergency_number": episode.patient.clinic.emergency_number_or_default,
        "meaning": level_meaning(episode.level),
        "can_mark_in_error": episode.is_active
        and services.episode_can_mark_in_error(request.user, episode),
        "can_report": can(request.user, Action.REPORT, episode.patient),
        "add_form": (add_form or EpisodeAddForm()) if can_add else None,
        # The answer's "Yes, this happened" buttons for the signs the notes named.
        "can_confirm_sign": can_add,
    }


@login_required
def episode_detail(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = get_for(request.user, episodes_visible_to(request.user), uuid=episode_id)
    audit.record(request, AuditAction.READ, patient=episode.patient, obj=episode)
    return render(request, "episodes/detail.html", _detail_context(request, episode))


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def episode_add(request: HttpRequest, episode_id: str) -> HttpResponse:
    """Add notes, a video or a photo to a saved report; the triage runs again."""
    episode = get_for(request.user, episodes_visible_to(request.user), uuid=episode_id)
    if not can(request.user, Action.REPORT, episode.patient):
        raise not_allowed(episode.patient, episode, _("You may not add to this report."))
    form = EpisodeAddForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            episode, attachment = services.episode_add_details(
                episode=episode, by=request.user, notes=form.cleaned_data["notes"],
                upload=form.cleaned_data.get("attachment"),
            )
        except ValidationError as exc:
            _add_form_errors(form, exc, default="attachment" if request.FILES else None)
        else:
            audit.record(request, AuditAction.UPDATE, patient=episode.patient, obj=episode)
            if attachment is not None:
                audit.record(request, AuditAction.CREATE, patient=episode.patient, obj=attachment)
            if _wants_json(request):
                return JsonResponse({"url": episode.get_absolute_url(), "level": episode.level})
            messages.success(request, _("Added to the report."))
            return redirect(episode)
    if _wants_json(request):
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}},
                            status=400)
    return render(request, "episodes/detail.html", _detail_context(request, episode, form),
                  status=400)


@login_required
@require_POST
def episode_confirm_sign(request: HttpRequest, episode_id: str) -> HttpResponse:
    """The parent ticks a sign its notes named; the triage runs again (CLINICAL.md 3a)."""
    episode = get_for(request.user, episodes_visible_to(request.user), uuid=episode_id)
    if not can(request.user, Action.REPORT, episode.patient):
        raise not_allowed(episode.patient, episode, _("You may not add to this report."))
    try:
        episode = services.episode_confirm_sign(episode=episode, by=request.user,
                                                sign=request.POST.get("sign", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        audit.record(request, AuditAction.UPDATE, patient=episode.patient, obj=episode)
        messages.success(request, _("Thank you: the answer now counts that sign."))
    return redirect(episode)


@login_required
@require_http_methods(["GET", "POST"])
def episode_mark_in_error(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = get_for(request.user, episodes_visible_to(request.user), uuid=episode_id)
    if not services.episode_can_mark_in_error(request.user, episode):
        raise not_allowed(episode.patient, episode, _("You may not change this report."))
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=episode.patient, obj=episode)
    form = MarkInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_mark_in_error(episode=episode, by=request.user,
                                           reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit.record(request, AuditAction.UPDATE, patient=episode.patient, obj=episode)
            messages.success(request, _("The report is marked as a mistake. It stays in the record."))
            return redirect(episode)
    return render(request, "episodes/mark_in_error.html", {"episode": episode, "form": form})


def _diary_queryset(request: HttpRequest, patient: Patient, form: DiaryFilterForm) -> Any:
    episodes = episodes_visible_to(request.user).filter(patient=patient)
    if form.is_bound and not form.is_valid():
        return episodes.none()  # e.g. a reversed range: the form says why
    data = form.cleaned_data if form.is_bound else {}
    tz = timezone.get_current_timezone()
    if not data.get("include_errors"):
        episodes = episodes.filter(status=EpisodeStatus.ACTIVE)
    if data.get("level"):
        episodes = episodes.filter(level=data["level"])
    if data.get("start"):
        episodes = episodes.filter(started_at__gte=datetime.combine(data["start"], time.min, tz))
    if data.get("end"):
        episodes = episodes.filter(
            started_at__lt=datetime.combine(data["end"] + timedelta(days=1), time.min, tz)
        )
    return episodes


@login_required
def episode_diary(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The child's episodes, newest first, with filters and the 30-day chart."""
    patient = get_patient_for(request.user, patient_id)
    form = DiaryFilterForm(request.GET or None)
    page = Paginator(_diary_queryset(request, patient, form), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.record(request, AuditAction.READ, patient=patient, object_type="episode_diary",
                 object_id=str(patient.uuid))
    return render(request, "episodes/diary.html", {
        "patient": patient, "form": form, "page": page,
        "chart": frequency_chart(episode_daily_counts(patient=patient)),
        "can_report": can(request.user, Action.REPORT, patient),
        "filtered": any(value for key, value in request.GET.items() if key != "page"),
    })


@login_required
def episode_summary(request: HttpRequest, patient_id: str) -> HttpResponse:
    """A printable page for the doctor: the last 30 days at a glance."""
    patient = get_patient_for(request.user, patient_id)
    since = timezone.now() - timedelta(days=30)
    episodes = list(
        episodes_visible_to(request.user).filter(
            patient=patient, status=EpisodeStatus.ACTIVE, started_at__gte=since
        )
    )
    by_level: dict[str, int] = {}
    for episode in episodes:
        by_level[episode.level] = by_level.get(episode.level, 0) + 1
    audit.record(request, AuditAction.READ, patient=patient, object_type="episode_summary",
                 object_id=str(patient.uuid))
    return render(request, "episodes/summary.html", {
        "patient": patient, "episodes": episodes, "age": patient.age(),
        "by_level": [(level, by_level.get(level, 0)) for level in
                     ("emergency", "urgent", "soon", "routine")],
        "chart": frequency_chart(episode_daily_counts(patient=patient)),
        "printed_at": timezone.now(),
    })


@login_required
def attachment_download(request: HttpRequest, attachment_id: str) -> HttpResponse:
    attachment = get_for(
        request.user, EpisodeAttachment.objects.select_related("episode__patient"),
        patient_field="episode__patient", uuid=attachment_id,
    )
    audit.record(request, AuditAction.READ, patient=attachment.episode.patient, obj=attachment)
    return serve_attachment(request, attachment)


def guide(request: HttpRequest) -> HttpResponse:
    """What is normal: general information, no patient data, open to everyone."""
    return render(request, "episodes/guide.html")
