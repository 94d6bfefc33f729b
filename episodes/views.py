"""Pages for episodes: report (with a check before saving), diary, episode, summary, guide."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinic import audit
from clinic.access import Action, can, get_for, get_patient_for
from clinic.models import AuditAction, Patient
from episodes import services
from episodes.charts import frequency_chart
from episodes.downloads import serve_attachment
from episodes.forms import DiaryFilterForm, EpisodeReportForm, MarkInErrorForm
from episodes.models import EpisodeAttachment, EpisodeStatus, Source
from episodes.selectors import episode_daily_counts, episodes_visible_to
from episodes.triage import TriageResult, level_meaning
from episodes.uploads import check_upload

PAGE_SIZE = 25


def _report_form(request: HttpRequest, patient: Patient) -> EpisodeReportForm:
    staff = can(request.user, Action.CHART, patient)
    if request.method == "POST":
        return EpisodeReportForm(request.POST, request.FILES, staff=staff)
    started = timezone.localtime().replace(second=0, microsecond=0)
    return EpisodeReportForm(initial={"started_at": started}, staff=staff)


def _report_context(patient: Patient, form: EpisodeReportForm,
                    result: TriageResult | None = None) -> dict[str, Any]:
    return {
        "patient": patient, "form": form, "result": result,
        "emergency_number": patient.clinic.emergency_number_or_default,
        "meaning": level_meaning(result.level) if result else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def episode_report(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The step-by-step report form; saving stores the episode and shows its page."""
    patient = get_patient_for(request.user, patient_id, Action.REPORT)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient, object_type="episode_report_form",
                     object_id=str(patient.uuid))
    form = _report_form(request, patient)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("attachment")
        try:
            if upload:
                check_upload(upload)  # refuse a bad file before anything is stored
            episode, _ = services.episode_create(
                patient=patient, reporter=request.user, notes=form.cleaned_data["notes"],
                source=form.cleaned_data.get("source") or Source.PARENT, **form.report_fields(),
            )
            if upload:
                attachment = services.attachment_add(episode=episode, upload=upload, by=request.user)
                audit.record(request, AuditAction.CREATE, patient=patient, obj=attachment)
        except ValidationError as exc:
            form.add_error("attachment" if upload and not hasattr(exc, "error_dict") else None, exc)
        else:
            audit.record(request, AuditAction.CREATE, patient=patient, obj=episode)
            messages.success(request, "Saved. Here is what to do now.")
            return redirect(episode)
    return render(request, "episodes/report_form.html", _report_context(patient, form))


@login_required
@require_POST
def episode_check(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Triage the filled-in form without storing it (htmx swaps in just the answer)."""
    patient = get_patient_for(request.user, patient_id, Action.REPORT)
    form = _report_form(request, patient)
    result = None
    if form.is_valid():
        result = services.episode_assess(patient=patient, notes=form.cleaned_data.get("notes") or "",
                                         **form.report_fields())
        audit.record(request, AuditAction.READ, patient=patient, object_type="episode_assessment",
                     object_id=str(patient.uuid))
    context = _report_context(patient, form, result)
    if request.htmx:
        return render(request, "episodes/_check_answer.html", context)
    return render(request, "episodes/report_form.html", context)


@login_required
def episode_detail(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = get_for(request.user, episodes_visible_to(request.user), uuid=episode_id)
    audit.record(request, AuditAction.READ, patient=episode.patient, obj=episode)
    return render(request, "episodes/detail.html", {
        "episode": episode, "patient": episode.patient,
        "emergency_number": episode.patient.clinic.emergency_number_or_default,
        "meaning": level_meaning(episode.level),
        "can_mark_in_error": episode.is_active
        and services.episode_can_mark_in_error(request.user, episode),
        "can_report": can(request.user, Action.REPORT, episode.patient),
    })


@login_required
@require_http_methods(["GET", "POST"])
def episode_mark_in_error(request: HttpRequest, episode_id: str) -> HttpResponse:
    episode = get_for(request.user, episodes_visible_to(request.user), uuid=episode_id)
    if not services.episode_can_mark_in_error(request.user, episode):
        raise PermissionDenied("You may not change this report.")
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
            messages.success(request, "The report is marked as a mistake. It stays in the record.")
            return redirect(episode)
    return render(request, "episodes/mark_in_error.html", {"episode": episode, "form": form})


def _diary_queryset(request: HttpRequest, patient: Patient, form: DiaryFilterForm) -> Any:
    episodes = episodes_visible_to(request.user).filter(patient=patient)
    data = form.cleaned_data if form.is_valid() else {}
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
