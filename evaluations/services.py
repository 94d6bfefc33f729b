"""Writes of the evaluations app: draft, sign, amend, decide suggestions, order tests.

Every function is keyword-only, typed and atomic. Rules come from the pure
modules (findings.evaluate, suggestions.suggest); nothing here re-judges them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.ages import Age
from clinic.levels import Level, highest
from clinic.models import Patient
from clinic.services import review_case_raise
from evaluations import findings as rules
from evaluations import norms
from evaluations import suggestions as suggesting
from evaluations.models import (
    OTHER_TEST,
    Evaluation,
    EvaluationStatus,
    Finding,
    FollowUpOrder,
    OrderStatus,
    SignedEvaluationError,
    Suggestion,
    SuggestionStatus,
    Tone,
)
from evaluations.selectors import existing_suggestions, recent_episodes


class EvaluationConflict(Exception):
    """Someone saved the draft since the caller loaded it (optimistic concurrency)."""

    def __init__(self, *, current_version: int) -> None:
        super().__init__(
            _("Another clinician saved this evaluation while you were editing it "
              "(now at version %(version)d).") % {"version": current_version}
        )
        self.current_version = current_version


TEXT_FIELDS = ("history", "birth_history", "family_history", "observed_movements", "assessment",
               "plan")
CLINICAL_FIELDS = (*TEXT_FIELDS, "reflexes", "hine", "tone", "milestones", "lost_skills")
TONE_VALUES = {"", *Tone.values}


# --------------------------------------------------------------------------
# Validation: field-keyed errors for forms and the API
# --------------------------------------------------------------------------


def _clean_reflexes(value: Any) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("Send a list of {reflex, left, right, obligatory}."))
    cleaned, seen = [], set()
    for index, row in enumerate(value):
        if not isinstance(row, Mapping):
            raise ValidationError(_("Item %(number)d: send an object.") % {"number": index + 1})
        reflex = row.get("reflex")
        if not isinstance(reflex, str) or reflex not in norms.REFLEXES:
            raise ValidationError(
                _("Item %(number)d: unknown reflex %(reflex)r; use one of %(choices)s.")
                % {"number": index + 1, "reflex": reflex, "choices": ", ".join(norms.REFLEXES)}
            )
        if reflex in seen:
            raise ValidationError(_("%(reflex)s is listed twice.") % {"reflex": reflex})
        seen.add(reflex)
        sides = {}
        for side in ("left", "right"):
            answer = row.get(side, "not_tested")
            if not isinstance(answer, str) or answer not in norms.SIDE_VALUES:
                raise ValidationError(
                    _("%(reflex)s %(side)s: use one of %(choices)s.")
                    % {"reflex": reflex, "side": side, "choices": ", ".join(norms.SIDE_VALUES)}
                )
            sides[side] = answer
        obligatory = row.get("obligatory", False)
        if not isinstance(obligatory, bool):
            raise ValidationError(_("%(reflex)s obligatory: true or false.") % {"reflex": reflex})
        cleaned.append({"reflex": reflex, **sides, "obligatory": obligatory})
    return cleaned


def _clean_hine(value: Any) -> dict[str, dict[str, Any]]:
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Send an object keyed by HINE item code."))
    cleaned = {}
    for code, item in value.items():
        if code not in norms.HINE_ITEMS:
            raise ValidationError(_("Unknown HINE item %(code)r.") % {"code": code})
        if not isinstance(item, Mapping):
            raise ValidationError(_("%(code)s: send {score, asymmetric}.") % {"code": code})
        score = item.get("score")
        # bool is an int in Python: refuse it explicitly, a score is 0-3.
        if score is not None and (isinstance(score, bool) or not isinstance(score, int)
                                  or not 0 <= score <= norms.HINE_ITEM_MAX):
            raise ValidationError(_("%(code)s: the score is a whole number from 0 to 3.") % {"code": code})
        asymmetric = item.get("asymmetric", False)
        if not isinstance(asymmetric, bool):
            raise ValidationError(_("%(code)s: asymmetric is true or false.") % {"code": code})
        cleaned[code] = {"score": score, "asymmetric": asymmetric}
    return cleaned


def _clean_milestones(value: Any) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Send an object keyed by milestone code."))
    cleaned = {}
    for code, answer in value.items():
        if code not in norms.MILESTONES:
            raise ValidationError(_("Unknown milestone %(code)r.") % {"code": code})
        if not isinstance(answer, str) or answer not in norms.MILESTONE_ANSWERS:
            raise ValidationError(_("%(code)s: answer %(choices)s.")
                                  % {"code": code, "choices": ", ".join(norms.MILESTONE_ANSWERS)})
        cleaned[code] = answer
    return cleaned


def evaluation_clean(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Check the clinical fields of ``data``; errors come back keyed by field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    cleaners = {"reflexes": _clean_reflexes, "hine": _clean_hine, "milestones": _clean_milestones}
    for name in CLINICAL_FIELDS:
        if name not in data:
            if not partial:
                cleaned[name] = {"reflexes": [], "hine": {}, "milestones": {}, "lost_skills": False
                                 }.get(name, "")
            continue
        value = data[name]
        try:
            if name in cleaners:
                cleaned[name] = cleaners[name](value)
            elif name == "tone":
                if value is None:
                    value = ""
                if not isinstance(value, str) or value not in TONE_VALUES:
                    raise ValidationError(_("Use one of %(choices)s.")
                                          % {"choices": ", ".join(sorted(TONE_VALUES - {""}))})
                cleaned[name] = value
            elif name == "lost_skills":
                if not isinstance(value, bool):
                    raise ValidationError(_("True or false."))
                cleaned[name] = value
            else:
                if value is None:
                    value = ""
                if not isinstance(value, str):
                    raise ValidationError(_("Text expected."))
                cleaned[name] = value
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def evaluation_input(*, age: Age, data: Mapping[str, Any]) -> rules.EvaluationInput:
    """The pure module's input from cleaned fields."""
    hine = {
        code: rules.HineItem(score=item.get("score"), asymmetric=bool(item.get("asymmetric")))
        for code, item in (data.get("hine") or {}).items()
    }
    reflexes = tuple(
        rules.ReflexExam(reflex=r["reflex"], left=r.get("left", "not_tested"),
                         right=r.get("right", "not_tested"), obligatory=bool(r.get("obligatory")))
        for r in (data.get("reflexes") or [])
    )
    try:
        return rules.EvaluationInput(
            age=age, reflexes=reflexes, hine=hine, tone=data.get("tone") or "",
            milestones=dict(data.get("milestones") or {}), lost_skills=bool(data.get("lost_skills")),
        )
    except ValueError as exc:  # the pure module's own guard: same message, field-less
        raise ValidationError(str(exc)) from exc


# --------------------------------------------------------------------------
# Judging (no writes): used by saves and by the live preview
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    age: Age
    assessment: rules.Assessment
    suggestions: suggesting.SuggestionResult


def _check_performed_at(patient: Patient, performed_at: datetime) -> None:
    if performed_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"performed_at": _("An examination cannot be in the future.")})
    if not patient.born_by(performed_at):  # also year 1, before any date arithmetic
        raise ValidationError({"performed_at": _("An examination cannot be before the child's birth.")})


def evaluation_judge(
    *, patient: Patient, data: Mapping[str, Any], performed_at: datetime,
    evaluation: Evaluation | None = None,
) -> Judgement:
    """Findings and suggestions for ``data`` as if examined at ``performed_at``."""
    if evaluation is None or not evaluation.pk:  # a stored one was checked when made
        _check_performed_at(patient, performed_at)
    age = evaluation.age if evaluation is not None and evaluation.pk else patient.age(
        timezone.localdate(performed_at)
    )
    assessment = rules.evaluate(evaluation_input(age=age, data=data))
    result = suggesting.suggest(
        assessment,
        recent_episodes(patient=patient, until=performed_at, evaluation=evaluation),
        now=performed_at,
        age=age,
        existing=existing_suggestions(patient=patient, exclude_evaluation=evaluation),
    )
    return Judgement(age=age, assessment=assessment, suggestions=result)


def _store_findings(evaluation: Evaluation, assessment: rules.Assessment) -> None:
    # Findings are derived rows: replacing them wholesale keeps them equal to the rules' output.
    evaluation.findings.all().delete()
    Finding.objects.bulk_create(
        Finding(evaluation=evaluation, position=i, rule=f.rule, level=str(f.level), kind=f.kind,
                explanation=f.explanation, source=f.source)
        for i, f in enumerate(assessment.findings)
    )


def _apply_assessment(evaluation: Evaluation, assessment: rules.Assessment) -> None:
    evaluation.hine_total = assessment.hine_total
    evaluation.hine_asymmetries = assessment.hine_asymmetries
    evaluation.norms_note = assessment.norms_note or ""
    evaluation.checklist_age_months = assessment.checklist_age_months


# --------------------------------------------------------------------------
# Draft, sign, amend
# --------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *, patient: Patient, clinician: AbstractBaseUser, data: Mapping[str, Any],
    performed_at: datetime | None = None, amends: Evaluation | None = None,
) -> Evaluation:
    """A new draft with its findings computed."""
    performed_at = performed_at or timezone.now()
    _check_performed_at(patient, performed_at)
    cleaned = evaluation_clean(data)
    age = patient.age(timezone.localdate(performed_at))
    evaluation = Evaluation(
        patient=patient, clinician=clinician, updated_by=clinician, performed_at=performed_at,
        age_chronological_days=age.chronological_days, age_corrected_days=age.corrected_days,
        age_uses=age.uses, amends=amends, **cleaned,
    )
    judgement = evaluation_judge(patient=patient, data=cleaned, performed_at=performed_at,
                                 evaluation=None)
    _apply_assessment(evaluation, judgement.assessment)
    evaluation.save()
    _store_findings(evaluation, judgement.assessment)
    return evaluation


def _locked(evaluation: Evaluation, version: int | None) -> Evaluation:
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if current.status == EvaluationStatus.SIGNED:
        raise SignedEvaluationError(_("This evaluation is signed: amend it to change anything."))
    if version is None or int(version) != current.version:
        raise EvaluationConflict(current_version=current.version)
    return current


@transaction.atomic
def evaluation_save_draft(
    *, evaluation: Evaluation, by: AbstractBaseUser, version: int | None, data: Mapping[str, Any],
) -> Evaluation:
    """Save changes to a draft loaded at ``version``; a stale version raises a conflict."""
    current = _locked(evaluation, version)
    cleaned = evaluation_clean(data, partial=True)
    for name, value in cleaned.items():
        setattr(current, name, value)
    merged = {name: getattr(current, name) for name in CLINICAL_FIELDS}
    judgement = evaluation_judge(patient=current.patient, data=merged,
                                 performed_at=current.performed_at, evaluation=current)
    _apply_assessment(current, judgement.assessment)
    current.version += 1
    current.updated_by = by
    current.save()
    _store_findings(current, judgement.assessment)
    return current


# Findings that open a review case when an evaluation is signed (issue 5), with the level.
CASE_FINDINGS: Mapping[str, Level] = {
    "HINE-CP-RISK": Level.SOON, "HINE-HEMIPLEGIC": Level.SOON, "MS-LOST-SKILLS": Level.URGENT,
}


def _case_reasons(assessment: rules.Assessment, result: suggesting.SuggestionResult
                  ) -> tuple[Level, list[dict[str, str]]]:
    reasons = [
        {**f.as_dict(), "level": str(max(f.level, CASE_FINDINGS[f.rule], key=lambda lv: lv.rank))}
        for f in assessment.findings if f.rule in CASE_FINDINGS
    ]
    for s in result.suggestions:
        if s.priority == Level.URGENT:
            reasons.append({
                "rule": f"SUGGEST-{s.code.upper()}", "level": str(Level.URGENT),
                "explanation": f"Urgent follow-up suggested: {s.label}.",
                "source": ", ".join(sorted({r.source for r in s.reasons})),
            })
    return highest(r["level"] for r in reasons), reasons


def _open_duplicate(patient: Patient, s: suggesting.Suggestion) -> bool:
    """An open suggestion of an earlier evaluation already covers every reason of ``s``."""
    for row in Suggestion.objects.filter(patient=patient, code=s.code,
                                         status=SuggestionStatus.SUGGESTED):
        if s.reason_rules <= row.reason_rules and set(s.episode_ids) <= set(row.episode_ids):
            return True
    return False


@transaction.atomic
def evaluation_sign(*, evaluation: Evaluation, by: AbstractBaseUser, version: int | None) -> Evaluation:
    """Sign a draft: findings and suggestions are fixed, a review case opens if needed."""
    current = _locked(evaluation, version)
    data = {name: getattr(current, name) for name in CLINICAL_FIELDS}
    judgement = evaluation_judge(patient=current.patient, data=data,
                                 performed_at=current.performed_at, evaluation=current)
    _apply_assessment(current, judgement.assessment)
    _store_findings(current, judgement.assessment)
    for s in judgement.suggestions.suggestions:
        # suggestions.suggest() holds back decided ones; open ones of earlier evaluations are
        # held back here, so the clinician decides each reason once (thin adapter).
        if _open_duplicate(current.patient, s):
            continue
        Suggestion.objects.create(
            patient=current.patient, evaluation=current, code=s.code, priority=str(s.priority),
            reasons=[r.as_dict() for r in s.reasons], finding_rules=list(s.finding_rules),
            episode_ids=list(s.episode_ids),
        )
    level, reasons = _case_reasons(judgement.assessment, judgement.suggestions)
    if reasons:
        current.review_case = review_case_raise(patient=current.patient, level=level,
                                                reasons=reasons, at=current.performed_at)
    current.no_tests_note = judgement.suggestions.no_tests_note or ""
    current.status = EvaluationStatus.SIGNED
    current.signed_at = timezone.now()
    current.signed_by = by
    current.updated_by = by
    current.version += 1
    current.save()
    return current


@transaction.atomic
def evaluation_amend(*, evaluation: Evaluation, by: AbstractBaseUser) -> Evaluation:
    """A new draft that corrects a signed evaluation; the original stays as it was."""
    original = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if original.status != EvaluationStatus.SIGNED:
        raise ValidationError(_("Only a signed evaluation is amended; edit the draft instead."))
    pending = original.amendments.filter(status=EvaluationStatus.DRAFT).first()
    if pending is not None:
        return pending  # one open amendment at a time: reuse it
    data = {name: getattr(original, name) for name in CLINICAL_FIELDS}
    amendment = evaluation_create(patient=original.patient, clinician=by, data=data,
                                  performed_at=original.performed_at, amends=original)
    return amendment


# --------------------------------------------------------------------------
# Suggestions and orders
# --------------------------------------------------------------------------


def _locked_open_suggestion(suggestion: Suggestion) -> Suggestion:
    current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if current.status != SuggestionStatus.SUGGESTED:
        # A sentence per decision: the translation's participle agrees with "suggestion".
        raise ValidationError(_("This suggestion was already accepted.")
                              if current.status == SuggestionStatus.ACCEPTED
                              else _("This suggestion was already dismissed."))
    return current


@transaction.atomic
def suggestion_accept(*, suggestion: Suggestion, by: AbstractBaseUser) -> FollowUpOrder:
    """Accept a suggestion: it becomes an order with the suggestion's priority."""
    current = _locked_open_suggestion(suggestion)
    current.status = SuggestionStatus.ACCEPTED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.save()
    return FollowUpOrder.objects.create(
        patient=current.patient, suggestion=current, code=current.code,
        test=suggesting.CODES[current.code], priority=current.priority, ordered_by=by,
    )


@transaction.atomic
def suggestion_dismiss(*, suggestion: Suggestion, by: AbstractBaseUser, reason: str) -> Suggestion:
    """Dismiss a suggestion; the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this suggestion is dismissed.")})
    current = _locked_open_suggestion(suggestion)
    current.status = SuggestionStatus.DISMISSED
    current.decided_by = by
    current.decided_at = timezone.now()
    current.dismiss_reason = reason
    current.save()
    return current


@transaction.atomic
def order_create(
    *, patient: Patient, by: AbstractBaseUser, code: str, test: str = "", priority: str = "routine",
    result_notes: str = "",
) -> FollowUpOrder:
    """An order entered by hand: a known code, or ``other`` with the test named."""
    test = (test or "").strip()
    if code != OTHER_TEST and code not in suggesting.CODES:
        raise ValidationError({"code": _("Unknown test code %(code)r.") % {"code": code}})
    if code == OTHER_TEST and not test:
        raise ValidationError({"test": _("Name the test.")})
    order = FollowUpOrder(
        patient=patient, code=code, test=test or suggesting.CODES[code], priority=priority,
        result_notes=result_notes, ordered_by=by,
    )
    order.full_clean()
    order.save()
    return order


# An order moves forward only; resulted and cancelled are final.
ORDER_NEXT: Mapping[str, frozenset[str]] = {
    OrderStatus.ORDERED: frozenset({OrderStatus.SCHEDULED, OrderStatus.RESULTED, OrderStatus.CANCELLED}),
    OrderStatus.SCHEDULED: frozenset({OrderStatus.RESULTED, OrderStatus.CANCELLED}),
    OrderStatus.RESULTED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def order_transition_error(current: str, status: str) -> str:
    """Why an order cannot move from ``current`` to ``status``, in the statuses' own labels."""
    return _("An order marked “%(current)s” cannot become “%(status)s”.") % {
        "current": OrderStatus(current).label, "status": OrderStatus(status).label}


@transaction.atomic
def order_update(
    *, order: FollowUpOrder, by: AbstractBaseUser, status: str | None = None,
    result_notes: str | None = None, priority: str | None = None,
) -> FollowUpOrder:
    current = FollowUpOrder.objects.select_for_update().get(pk=order.pk)
    if status is not None and status != current.status:
        if status not in ORDER_NEXT.get(current.status, frozenset()):
            raise ValidationError({"status": order_transition_error(current.status, status)})
        current.status = status
    if result_notes is not None:
        current.result_notes = result_notes
    if priority is not None:
        current.priority = priority
    current.full_clean()
    current.save()
    return current
