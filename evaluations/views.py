"""Pages of the evaluations app: chart timeline, exam form with live findings, print, decisions.

Views parse, call one service or selector and render. Access comes from
clinic/access.py only; every read or write of patient data is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clinic import audit
from clinic.access import Action, actions_on, get_for, get_patient_for, require
from clinic.models import AuditAction, Patient
from evaluations import norms, selectors, services
from evaluations.forms import (
    ANSWER_CHOICES,
    OBLIGATORY_LABEL,
    SIDE_CHOICES,
    DismissForm,
    EvaluationForm,
    OrderForm,
    OrderUpdateForm,
    TimelineFilterForm,
)
from evaluations.models import (
    Evaluation,
    FollowUpOrder,
    OrderStatus,
    SignedEvaluationError,
    Suggestion,
)


def _evaluation_for(request: HttpRequest, evaluation_id: Any, action: Action) -> Evaluation:
    evaluation = get_for(
        request.user, selectors.evaluation_with_details(Evaluation.objects.all()), Action.VIEW_CHART,
        uuid=evaluation_id,
    )
    if action != Action.VIEW_CHART:
        require(request.user, action, evaluation.patient, obj=evaluation,
                message=_("You may not chart for this patient."))
    return evaluation


def _norms_age_context(patient: Patient, age: Any) -> dict[str, Any]:
    return {
        "age": age,
        "checklist": norms.checklist_for(age),
        "checklist_note": norms.no_checklist_reason(age),
        "hine_applies": norms.hine_applies(age),
    }


# --------------------------------------------------------------------------
# Chart timeline
# --------------------------------------------------------------------------


@login_required
def chart(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, Action.VIEW_CHART)
    form = TimelineFilterForm(request.GET or None)
    filt = selectors.TimelineFilter(limit=selectors.TIMELINE_PAGE)
    if form.is_valid():
        data = form.cleaned_data
        filt = selectors.TimelineFilter(
            kinds=frozenset(data["kind"] or selectors.KINDS), since=data["since"],
            until=data["until"], before=data["before"], limit=selectors.TIMELINE_PAGE,
        )
    timeline = selectors.chart_timeline(patient=patient, filt=filt)
    audit.record(request, AuditAction.READ, patient=patient, object_type="chart")
    allowed = actions_on(request.user, patient)
    return render(request, "chart/chart.html", {
        "patient": patient, "age": patient.age(), "items": timeline.items,
        "older_than": timeline.older_than, "filter_form": form,
        "can_chart": Action.CHART in allowed,
        "suggestions": list(selectors.open_suggestions(patient=patient)),
        "dismiss_form": DismissForm(), "order_form": OrderForm(), "order_statuses": OrderStatus.choices,
    })


# --------------------------------------------------------------------------
# The exam form
# --------------------------------------------------------------------------


def _form_page(request: HttpRequest, *, patient: Patient, form: EvaluationForm,
               evaluation: Evaluation | None, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"patient": patient, "form": form, "evaluation": evaluation,
               **_norms_age_context(patient, form.age), **extra}
    if form.is_bound and form.is_valid():
        context["live"] = _judge(patient, form, evaluation)
    elif evaluation is not None:
        context["live"] = _judge_stored(evaluation)
    return render(request, "chart/evaluation_form.html", context, status=status)


def _judge(patient: Patient, form: EvaluationForm, evaluation: Evaluation | None) -> dict[str, Any]:
    performed_at = evaluation.performed_at if evaluation else (
        form.cleaned_data.get("performed_at") or timezone.now()
    )
    try:
        judgement = services.evaluation_judge(patient=patient, data=form.to_data(),
                                              performed_at=performed_at, evaluation=evaluation)
    except ValidationError as exc:
        return {"errors": exc.messages}
    return {"judgement": judgement}


def _judge_stored(evaluation: Evaluation) -> dict[str, Any]:
    data = {name: getattr(evaluation, name) for name in services.CLINICAL_FIELDS}
    return {"judgement": services.evaluation_judge(
        patient=evaluation.patient, data=data, performed_at=evaluation.performed_at,
        evaluation=evaluation,
    )}


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, Action.CHART)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient, object_type="evaluation_form",
                     object_id=str(patient.uuid))
    age = patient.age()
    form = EvaluationForm(request.POST or None, age=age,
                          initial={"birth_history": patient.birth_notes})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(
                patient=patient, clinician=request.user, data=form.to_data(),
                performed_at=form.cleaned_data.get("performed_at"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit.record(request, AuditAction.CREATE, patient=patient, obj=evaluation)
            if "sign" in request.POST:
                return _sign(request, evaluation, evaluation.version)
            messages.success(request, _("Draft saved."))
            return redirect("evaluation-edit", evaluation_id=evaluation.uuid)
    return _form_page(request, patient=patient, form=form, evaluation=None)


def _sign(request: HttpRequest, evaluation: Evaluation, version: int) -> HttpResponse:
    evaluation = services.evaluation_sign(evaluation=evaluation, by=request.user, version=version)
    audit.record(request, AuditAction.UPDATE, patient=evaluation.patient, obj=evaluation)
    messages.success(request, _("Evaluation signed. It can no longer change; amend it if needed."))
    return redirect(evaluation)


def _changed_fields(mine: dict[str, Any], current: Evaluation) -> list[str]:
    """Which parts of the clinician's input differ from what the other person saved."""
    return [name.replace("_", " ") for name in services.CLINICAL_FIELDS
            if mine.get(name) != getattr(current, name)]


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    evaluation = _evaluation_for(request, evaluation_id, Action.CHART)
    patient = evaluation.patient
    if evaluation.is_signed:
        messages.error(request, _("This evaluation is signed and cannot change. Amend it instead."))
        return redirect(evaluation)
    if request.method == "GET":
        audit.record(request, AuditAction.READ, patient=patient, obj=evaluation)
        form = EvaluationForm(initial=EvaluationForm.initial_from(evaluation), age=evaluation.age)
        return _form_page(request, patient=patient, form=form, evaluation=evaluation)
    form = EvaluationForm(request.POST, age=evaluation.age)
    if not form.is_valid():
        return _form_page(request, patient=patient, form=form, evaluation=evaluation, status=400)
    data = form.to_data()
    # Answers outside this page's checklist (entered through the API) are kept, not dropped.
    data["milestones"] = {
        **{code: answer for code, answer in evaluation.milestones.items()
           if f"ms_{code}" not in form.fields},
        **data["milestones"],
    }
    try:
        saved = services.evaluation_save_draft(
            evaluation=evaluation, by=request.user, version=form.cleaned_data.get("version"),
            data=data,
        )
    except services.EvaluationConflict as exc:
        # Keep every word the clinician typed; offer the newer version side by side.
        current = Evaluation.objects.get(pk=evaluation.pk)
        data = form.data.copy()
        data["version"] = str(exc.current_version)
        form = EvaluationForm(data, age=evaluation.age)
        form.is_valid()
        return _form_page(request, patient=patient, form=form, evaluation=current, status=409,
                          conflict={"message": str(exc), "current": current,
                                    "fields": _changed_fields(form.to_data(), current)})
    except SignedEvaluationError:
        messages.error(request, _("This evaluation was signed meanwhile; your input was not saved."))
        return redirect(evaluation)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _form_page(request, patient=patient, form=form, evaluation=evaluation, status=400)
    audit.record(request, AuditAction.UPDATE, patient=patient, obj=saved)
    if "sign" in request.POST:
        return _sign(request, saved, saved.version)
    messages.success(request, _("Draft saved (version %(version)d).") % {"version": saved.version})
    return redirect("evaluation-edit", evaluation_id=saved.uuid)


@login_required
@require_POST
def evaluation_preview(request: HttpRequest, patient_id: str) -> HttpResponse:
    """htmx: findings and suggestions for the form as it stands; nothing is stored."""
    patient = get_patient_for(request.user, patient_id, Action.CHART)
    evaluation = None
    if request.POST.get("evaluation"):
        evaluation = _evaluation_for(request, request.POST["evaluation"], Action.CHART)
        if evaluation.patient_id != patient.pk:
            raise PermissionDenied(_("This evaluation belongs to another patient."))
    age = evaluation.age if evaluation else patient.age()
    form = EvaluationForm(request.POST, age=age)
    audit.record(request, AuditAction.READ, patient=patient, object_type="evaluation-preview")
    live = _judge(patient, form, evaluation) if form.is_valid() else {
        "errors": [f"{name}: {' '.join(errs)}" for name, errs in form.errors.items()]
    }
    return render(request, "chart/_live.html", {"live": live, "patient": patient,
                                                **_norms_age_context(patient, age)})


@login_required
def evaluation_detail(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    """The evaluation as a printable record (drafts are marked as such)."""
    evaluation = _evaluation_for(request, evaluation_id, Action.VIEW_CHART)
    audit.record(request, AuditAction.READ, patient=evaluation.patient, obj=evaluation)
    allowed = actions_on(request.user, evaluation.patient)
    return render(request, "chart/evaluation_detail.html", {
        "evaluation": evaluation, "patient": evaluation.patient,
        "findings": [f for f in evaluation.findings.all() if f.kind != "note"],
        "notes": [f for f in evaluation.findings.all() if f.kind == "note"],
        "hine_sections": _hine_sections(evaluation),
        "milestones": _milestone_rows(evaluation),
        "reflexes": _reflex_rows(evaluation),
        "obligatory_label": OBLIGATORY_LABEL,
        "can_chart": Action.CHART in allowed, "dismiss_form": DismissForm(),
    })


def _hine_sections(evaluation: Evaluation) -> list[dict[str, Any]]:
    sections = []
    for section in norms.HINE_SECTIONS.values():
        rows = [
            {"item": item, **(evaluation.hine.get(code) or {})}
            for code, item in norms.HINE_ITEMS.items()
            if item.section == section.code and code in evaluation.hine
        ]
        if rows:
            sections.append({"section": section, "rows": rows})
    return sections


def _milestone_rows(evaluation: Evaluation) -> list[dict[str, str]]:
    answers = dict(ANSWER_CHOICES)
    return [
        {"code": code, "text": norms.MILESTONES[code].text if code in norms.MILESTONES else code,
         "answer": answers.get(answer, answer.replace("_", " "))}
        for code, answer in (evaluation.milestones or {}).items()
    ]


def _reflex_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The reflexes as the form names them (labels, not codes such as ``plantar_grasp``)."""
    sides = dict(SIDE_CHOICES)
    rows = []
    for row in evaluation.reflexes or []:
        norm = norms.REFLEXES.get(row.get("reflex", ""))
        rows.append({
            "code": row.get("reflex", ""),
            "label": norm.label if norm else str(row.get("reflex", "")).replace("_", " "),
            "obligatory": bool(row.get("obligatory")),
            "left": sides.get(row.get("left"), row.get("left") or "—"),
            "right": sides.get(row.get("right"), row.get("right") or "—"),
        })
    return rows


@login_required
@require_POST
def evaluation_amend(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    evaluation = _evaluation_for(request, evaluation_id, Action.CHART)
    try:
        amendment = services.evaluation_amend(evaluation=evaluation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(evaluation)
    audit.record(request, AuditAction.CREATE, patient=amendment.patient, obj=amendment)
    messages.info(request, _("Amendment started: the signed original stays on the record."))
    return redirect("evaluation-edit", evaluation_id=amendment.uuid)


# --------------------------------------------------------------------------
# Suggestions and orders
# --------------------------------------------------------------------------


def _suggestion_for(request: HttpRequest, suggestion_id: str) -> Suggestion:
    suggestion = get_for(request.user, Suggestion.objects.select_related("patient", "evaluation"),
                         Action.VIEW_CHART, uuid=suggestion_id)
    require(request.user, Action.CHART, suggestion.patient, obj=suggestion,
            message=_("You may not decide suggestions for this patient."))
    return suggestion


def _back(request: HttpRequest, patient: Patient, anchor: str = "") -> HttpResponse:
    nxt = request.POST.get("next", "")
    # Only a path on this site: a browser reads "/\evil.example" as "//evil.example".
    if not (nxt.startswith("/") and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )):
        nxt = reverse("chart", kwargs={"patient_id": patient.uuid})
    # Back to where the clinician was: the suggestion's own block, not the top of the page.
    return redirect(f"{nxt.split('#')[0]}#{anchor}" if anchor else nxt)


def _decided(request: HttpRequest, suggestion: Suggestion, *, notice: str = "",
             error: str = "") -> HttpResponse:
    """The answer to accept / dismiss: the suggestion's block for htmx, else back to it.

    htmx swaps the block in place (a 400 with the error shown, swapped too: see base.html's
    htmx-config); a plain form post gets the message and a redirect to the block's anchor.
    """
    if request.htmx:
        suggestion.refresh_from_db()
        # The page the block sits on, kept for the block's own forms (not this endpoint's path).
        context = {"s": suggestion, "can_chart": True, "notice": notice, "error": error,
                   "next": request.POST.get("next", "")}
        evaluation = suggestion.evaluation
        if evaluation is not None and request.POST.get("next") == evaluation.get_absolute_url():
            # On the evaluation's own page its findings are listed: reasons point at them.
            context["findings"] = [f for f in evaluation.findings.all() if f.kind != "note"]
            context["finding_anchor"] = "finding"
        return render(request, "chart/_suggestion.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return _back(request, suggestion.patient, anchor=f"suggestion-{suggestion.uuid}")


@login_required
@require_POST
def suggestion_accept(request: HttpRequest, suggestion_id: str) -> HttpResponse:
    suggestion = _suggestion_for(request, suggestion_id)
    try:
        order = services.suggestion_accept(suggestion=suggestion, by=request.user)
    except ValidationError as exc:
        return _decided(request, suggestion, error=" ".join(exc.messages))
    audit.record(request, AuditAction.CREATE, patient=order.patient, obj=order)
    return _decided(request, suggestion, notice=_("Ordered: %(test)s.") % {"test": order.test})


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, suggestion_id: str) -> HttpResponse:
    suggestion = _suggestion_for(request, suggestion_id)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _decided(request, suggestion,
                        error=_("Say why the suggestion is dismissed: it was not dismissed."))
    try:
        services.suggestion_dismiss(suggestion=suggestion, by=request.user,
                                    reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        return _decided(request, suggestion, error=" ".join(exc.messages))
    audit.record(request, AuditAction.UPDATE, patient=suggestion.patient, obj=suggestion)
    return _decided(request, suggestion,
                    notice=_("Dismissed: %(code)s.") % {"code": suggestion.get_code_display()})


@login_required
@require_POST
def order_create(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = get_patient_for(request.user, patient_id, Action.CHART)
    form = OrderForm(request.POST)
    if form.is_valid():
        try:
            order = services.order_create(patient=patient, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            audit.record(request, AuditAction.CREATE, patient=patient, obj=order)
            messages.success(request, _("Ordered: %(test)s.") % {"test": order.test})
    else:
        messages.error(request, _("Pick a test (and name it when it is 'other')."))
    return redirect("chart", patient_id=patient.uuid)


@login_required
@require_POST
def order_update(request: HttpRequest, order_id: str) -> HttpResponse:
    order = get_for(request.user, FollowUpOrder.objects.select_related("patient"), Action.VIEW,
                    uuid=order_id)
    require(request.user, Action.CHART, order.patient, obj=order,
            message=_("You may not change orders for this patient."))
    form = OrderUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.order_update(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            audit.record(request, AuditAction.UPDATE, patient=order.patient, obj=order)
            messages.success(request, _("Order updated."))
    return redirect("chart", patient_id=order.patient.uuid)


@login_required
def patient_orders(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The tests ordered for a child, in plain words: what parents see (and staff too)."""
    patient = get_patient_for(request.user, patient_id, Action.VIEW)
    orders = list(selectors.orders_for_patients([patient]))
    audit.record(request, AuditAction.READ, patient=patient, object_type="followuporder")
    return render(request, "evaluations/patient_orders.html", {"patient": patient, "orders": orders})
