"""Review pages: the queue, one case and its steps, the dashboard and its CSV tables.

Views parse input, call one selector or service, and render; access comes from
clinic/access.py through the selectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clinic import audit, review
from clinic.access import Action, clinics_for, require, staff_patients
from clinic.db_routers import reads_from_replica
from clinic.forms import PatientSearchForm
from clinic.models import AuditAction, CaseOutcome, ReviewCase
from review import dashboards, selectors
from review import patient_list as patients
from review.forms import (
    AssignForm,
    CallLogForm,
    DashboardFilterForm,
    NoteForm,
    QueueFilterForm,
    ResolveForm,
    RowsFilterForm,
    default_range,
)

QUEUE_PAGE_SIZE = 50


def _require_reviewer(request: HttpRequest) -> list:
    clinics = list(selectors.review_clinics(request.user))
    if not clinics:
        raise PermissionDenied(_("The review queue is for the staff of a clinic."))
    return clinics


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    clinics = _require_reviewer(request)
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.QueueFilter(
        clinic=str(data.get("clinic") or ""),
        level=data.get("level") or "",
        status=data.get("status") or "active",
        overdue=bool(data.get("overdue")),
        assigned_to_me=bool(data.get("mine")),
    )
    page = Paginator(selectors.review_queue(request.user, filters), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cases = list(page.object_list)
    audit.record_list(request, [case.patient for case in cases], object_type="reviewcase")
    return render(request, "review/queue.html", {
        "form": form, "page": page, "cases": cases, "clinics": clinics, "filters": filters,
        "outcomes": CaseOutcome.choices,
    })


def _case_context(request: HttpRequest, case: ReviewCase, **forms: object) -> dict[str, object]:
    clinicians = selectors.assignable_clinicians(case)
    return {
        "case": case,
        "family": selectors.family_contacts_for(request.user, case,
                                                all_calls=request.GET.get("calls") == "all"),
        "call_form": forms.get("call_form") or CallLogForm.blank(),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"assignee": case.assigned_to_id}, clinicians=clinicians),
        "note_form": forms.get("note_form") or NoteForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "latest_episode": selectors.latest_episode(case),
    }


@login_required
@require_GET
def case_detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.review_case_for(request.user, case_id)
    audit.record(request, AuditAction.READ, patient=case.patient, obj=case)
    return render(request, "review/case.html", _case_context(request, case))


def _step(request: HttpRequest, case: ReviewCase, form_name: str, form: Any,
          run: Callable[[ReviewCase, dict[str, Any]], ReviewCase], done: str) -> HttpResponse:
    """Shared POST flow: validate, run the service, audit, and redirect or re-render."""
    if form is None or form.is_valid():
        try:
            run(case, form.cleaned_data if form is not None else {})
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect(case)
            form.add_error(None, exc)
        else:
            audit.record(request, AuditAction.UPDATE, patient=case.patient, obj=case)
            messages.success(request, done)
            return redirect(case)
    context = _case_context(request, case, **{form_name: form})
    return render(request, "review/case.html", context, status=400)


@login_required
@require_POST
def case_assign(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.review_case_for(request.user, case_id)
    form = AssignForm(request.POST, clinicians=selectors.assignable_clinicians(case))
    return _step(
        request, case, "assign_form", form,
        lambda case, data: review.review_case_assign(
            case=case, assignee=data["assignee"], by=request.user
        ),
        _("The case was assigned."),
    )


@login_required
@require_POST
def case_acknowledge(request: HttpRequest, case_id: str) -> HttpResponse:
    return _step(
        request, selectors.review_case_for(request.user, case_id), "", None,
        lambda case, data: review.review_case_acknowledge(case=case, by=request.user),
        _("Acknowledged: the case is off the overdue clock until something new happens."),
    )


@login_required
@require_POST
def case_note(request: HttpRequest, case_id: str) -> HttpResponse:
    return _step(
        request, selectors.review_case_for(request.user, case_id), "note_form", NoteForm(request.POST),
        lambda case, data: review.review_case_add_note(case=case, text=data["text"], by=request.user),
        _("Note added."),
    )


@login_required
@require_POST
def case_resolve(request: HttpRequest, case_id: str) -> HttpResponse:
    return _step(
        request, selectors.review_case_for(request.user, case_id), "resolve_form", ResolveForm(request.POST),
        lambda case, data: review.review_case_resolve(
            case=case, outcome=data["outcome"], family_message=data["family_message"],
            note=data["note"], by=request.user,
        ),
        _("The case was resolved; the family now reads your line as its outcome."),
    )


@login_required
@require_POST
def case_call(request: HttpRequest, case_id: str) -> HttpResponse:
    """Log a call to the family (reviewers and clinicians of the case's clinic)."""
    case = selectors.review_case_for(request.user, case_id)
    require(request.user, Action.CONTACT_FAMILY, case.patient, obj=case,
            message=_("Only the clinic's reviewers and clinicians log calls to the family."))
    form = CallLogForm(request.POST)
    if form.is_valid():
        try:
            call = review.review_case_log_call(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            audit.record(request, AuditAction.CREATE, patient=case.patient, obj=call)
            messages.success(request, _("The call was logged."))
            return redirect(f"{case.get_absolute_url()}#calls")
    return render(request, "review/case.html", _case_context(request, case, call_form=form), status=400)


def _scope(request: HttpRequest) -> tuple[DashboardFilterForm, dashboards.Scope]:
    """The dashboard filter from the query string; bad input falls back to the defaults."""
    _require_reviewer(request)
    form = DashboardFilterForm(request.GET)
    if form.is_valid():
        data = form.cleaned_data
        clinic, start, end = data["clinic"], data["start"], data["end"]
    else:
        clinic, (start, end) = None, default_range()
    return form, dashboards.scope_for(request.user, clinic=str(clinic or ""), start=start, end=end)


@login_required
@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    form, scope = _scope(request)
    board = dashboards.dashboard(request.user, scope)
    context = {
        "form": form, "clinics": selectors.review_clinics(request.user),
        **dashboards.presentation(board),
    }
    return render(request, "review/dashboard.html", context)


@login_required
@require_GET
@reads_from_replica
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in dashboards.TABLES:
        raise Http404("No such table.")
    _, scope = _scope(request)
    header, rows = dashboards.table(dashboards.dashboard(request.user, scope), table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{table}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"'
    )
    dashboards.write_csv(response, header, rows)
    # Counts across patients, none named: one event for the export, with no patient.
    audit.record(request, AuditAction.EXPORT, patient=None, object_type=f"dashboard_csv:{table}",
                 object_id=scope.clinic_uuid or "all")
    return response


@login_required
@require_GET
def rows(request: HttpRequest, kind: str) -> HttpResponse:
    """The rows behind a dashboard figure: episodes, findings or suggestions."""
    if kind not in dashboards.ROW_KINDS:
        raise Http404("No such list.")
    _, scope = _scope(request)
    form = RowsFilterForm(request.GET)
    narrow = form.cleaned_data if form.is_valid() else {}
    queryset = dashboards.rows(kind, scope, request.user, **{k: v for k, v in narrow.items() if v})
    page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    audit.record_list(request, [dashboards.patient_of(item) for item in items], object_type=kind)
    return render(request, f"review/rows_{kind}.html", {
        "page": page, "items": items, "scope": scope, "narrow": narrow,
        "kind": kind,
    })


# --------------------------------------------------------------------------
# The staff's patient list (at /patients/; clinic/urls.py routes it here)
# --------------------------------------------------------------------------


@login_required
@require_GET
@reads_from_replica
def patient_list(request: HttpRequest) -> HttpResponse:
    """Patients of the viewer's clinics with their last episode and open case, by keyset."""
    visible = staff_patients(request.user)
    form = PatientSearchForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    data = form.cleaned_data if valid else {}
    query = (data.get("q") or "").strip()
    rows = patients.with_row_columns(patients.search(visible, query))
    rows, show_unread = patients.with_unread_messages(rows, request.user)
    page = patients.page_of(rows, visible, after=data.get("after"), before=data.get("before"))
    audit.record_list(request, page.rows, object_type="patient")
    return render(request, "clinic/patient_list.html", {
        "form": form, "page": page, "query": query, "show_unread": show_unread,
        "can_add": clinics_for(request.user, Action.MANAGE).exists(),
        # The open case links to its page where the viewer may review it (one fixed query).
        "review_clinic_ids": set(clinics_for(request.user, Action.REVIEW).values_list("id", flat=True)),
    }, status=400 if form.is_bound and not valid else 200)
