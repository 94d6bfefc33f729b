"""Draft, sign, amend, conflicts, suggestions and orders through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import ReviewCase
from evaluations import services
from evaluations.models import (
    Evaluation,
    FollowUpOrder,
    SignedEvaluationError,
    Suggestion,
    SuggestionStatus,
)
from tests.evaluations.helpers import draft, hine_all, make_patient_age, signed, worrying_data

pytestmark = pytest.mark.django_db


def test_draft_stores_both_ages_and_findings_from_the_rules(world):
    """A preterm baby's draft keeps the corrected age the norms used and the computed findings."""
    patient = world.patient
    patient.gestational_age_weeks = 32
    make_patient_age(patient, 213)
    evaluation = draft(patient, world.clinician, worrying_data())
    assert evaluation.age_chronological_days == 213
    assert evaluation.age_corrected_days == 213 - 56
    assert evaluation.age_uses == "corrected"
    rules = [f.rule for f in evaluation.findings.all()]
    assert "RX-MORO-ASYMMETRIC" in rules and "TONE-INCREASED" in rules
    assert evaluation.hine_total == 26 and evaluation.hine_asymmetries == 7
    assert evaluation.status == "draft" and evaluation.version == 1


def test_saving_a_draft_bumps_the_version_and_recomputes_findings(world):
    evaluation = draft(world.patient, world.clinician, worrying_data())
    saved = services.evaluation_save_draft(
        evaluation=evaluation, by=world.clinician, version=1,
        data={"tone": "normal", "reflexes": [], "hine": hine_all(3)},
    )
    assert saved.version == 2
    assert saved.hine_total == 78
    rules = {f.rule for f in saved.findings.all()}
    assert "TONE-INCREASED" not in rules and "RX-MORO-ASYMMETRIC" not in rules
    assert saved.history == worrying_data()["history"]  # untouched fields stay


def test_second_clinician_with_the_same_version_gets_a_conflict_and_first_data_stays(world):
    evaluation = draft(world.patient, world.clinician, worrying_data())
    services.evaluation_save_draft(evaluation=evaluation, by=world.clinician, version=1,
                                   data={"assessment": "First clinician's assessment."})
    with pytest.raises(services.EvaluationConflict) as caught:
        services.evaluation_save_draft(evaluation=evaluation, by=world.clinician, version=1,
                                       data={"assessment": "Second clinician's assessment."})
    assert caught.value.current_version == 2
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.assessment == "First clinician's assessment." and stored.version == 2


def test_signed_evaluation_is_immutable_in_service_and_model(world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    assert evaluation.status == "signed" and evaluation.signed_by == world.clinician
    with pytest.raises(SignedEvaluationError):
        services.evaluation_save_draft(evaluation=evaluation, by=world.clinician,
                                       version=evaluation.version, data={"plan": "changed"})
    stale = Evaluation.objects.get(pk=evaluation.pk)
    stale.plan = "sneaky"
    with pytest.raises(SignedEvaluationError):
        stale.save()
    with pytest.raises(SignedEvaluationError):
        stale.delete()
    assert Evaluation.objects.get(pk=evaluation.pk).plan == ""


def test_signing_stores_suggestions_with_reasons_and_opens_a_review_case(world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    codes = {s.code: s for s in evaluation.suggestions.all()}
    assert {"brain_mri", "neurology_referral", "physical_therapy"} <= set(codes)
    mri = codes["brain_mri"]
    assert mri.status == "suggested" and mri.priority == "soon"
    assert all({"rule", "level", "explanation", "source"} <= set(r) for r in mri.reasons)
    case = ReviewCase.objects.get(patient=world.patient)
    assert evaluation.review_case == case
    assert any(r["rule"] == "HINE-HEMIPLEGIC" for r in case.reasons)


def test_lost_skills_opens_an_urgent_case(world):
    signed(world.patient, world.clinician, {"lost_skills": True, "history": "Stopped smiling."})
    case = ReviewCase.objects.get(patient=world.patient)
    assert case.level == "urgent"
    assert any(r["rule"] == "MS-LOST-SKILLS" for r in case.reasons)


def test_typical_exam_gets_no_suggestions_and_no_case(world):
    evaluation = signed(world.patient, world.clinician)
    assert evaluation.suggestions.count() == 0
    assert not ReviewCase.objects.filter(patient=world.patient).exists()


def test_amendment_is_a_new_draft_and_the_original_stays_readable(world):
    original = signed(world.patient, world.clinician, worrying_data())
    amendment = services.evaluation_amend(evaluation=original, by=world.clinician)
    assert amendment.pk != original.pk and amendment.amends == original
    assert amendment.status == "draft" and amendment.tone == original.tone
    assert services.evaluation_amend(evaluation=original, by=world.clinician) == amendment
    services.evaluation_save_draft(evaluation=amendment, by=world.clinician,
                                   version=amendment.version, data={"tone": "normal"})
    assert Evaluation.objects.get(pk=original.pk).tone == "increased"
    with pytest.raises(ValidationError):
        services.evaluation_amend(evaluation=amendment, by=world.clinician)


def test_accept_creates_an_order_and_cannot_be_decided_twice(world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    suggestion = evaluation.suggestions.get(code="brain_mri")
    order = services.suggestion_accept(suggestion=suggestion, by=world.clinician)
    assert order.code == "brain_mri" and order.test == "Brain MRI" and order.priority == "soon"
    assert order.suggestion == suggestion and order.status == "ordered"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.decided_by == world.clinician
    with pytest.raises(ValidationError):
        services.suggestion_dismiss(suggestion=suggestion, by=world.clinician, reason="late")
    assert FollowUpOrder.objects.filter(suggestion=suggestion).count() == 1


def test_dismiss_needs_a_reason(world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    suggestion = evaluation.suggestions.get(code="physical_therapy")
    with pytest.raises(ValidationError) as caught:
        services.suggestion_dismiss(suggestion=suggestion, by=world.clinician, reason="   ")
    assert "reason" in caught.value.message_dict
    assert Suggestion.objects.get(pk=suggestion.pk).status == "suggested"
    services.suggestion_dismiss(suggestion=suggestion, by=world.clinician,
                                reason="Already sees a physiotherapist.")
    suggestion.refresh_from_db()
    assert suggestion.status == "dismissed" and suggestion.dismiss_reason.startswith("Already")


def test_decided_suggestions_are_not_raised_again_for_the_same_reasons(world):
    first = signed(world.patient, world.clinician, worrying_data())
    for suggestion in first.suggestions.all():
        if suggestion.code == "brain_mri":
            services.suggestion_accept(suggestion=suggestion, by=world.clinician)
        else:
            services.suggestion_dismiss(suggestion=suggestion, by=world.clinician, reason="Known.")
    second = signed(world.patient, world.clinician, worrying_data())
    assert second.suggestions.count() == 0


def test_open_suggestions_are_not_duplicated_by_a_later_evaluation(world):
    first = signed(world.patient, world.clinician, worrying_data())
    second = signed(world.patient, world.clinician, worrying_data())
    assert first.suggestions.count() > 0
    assert second.suggestions.count() == 0
    assert Suggestion.objects.filter(patient=world.patient, code="brain_mri").count() == 1


def test_a_new_reason_raises_the_code_again(world):
    first = signed(world.patient, world.clinician, worrying_data())
    for suggestion in first.suggestions.all():
        services.suggestion_dismiss(suggestion=suggestion, by=world.clinician, reason="Watch.")
    data = worrying_data() | {"lost_skills": True}
    second = signed(world.patient, world.clinician, data)
    codes = set(second.suggestions.values_list("code", flat=True))
    assert "neurology_referral" in codes  # regression is a new reason for the referral


def test_orders_by_hand_and_their_transitions(world):
    order = services.order_create(patient=world.patient, by=world.clinician, code="other",
                                  test="Hip ultrasound", priority="soon")
    assert order.parent_explanation == ""
    with pytest.raises(ValidationError):
        services.order_create(patient=world.patient, by=world.clinician, code="other")
    with pytest.raises(ValidationError):
        services.order_create(patient=world.patient, by=world.clinician, code="xray")
    services.order_update(order=order, by=world.clinician, status="scheduled")
    done = services.order_update(order=order, by=world.clinician, status="resulted",
                                 result_notes="Normal hips.")
    assert done.status == "resulted" and done.result_notes == "Normal hips."
    with pytest.raises(ValidationError):
        services.order_update(order=order, by=world.clinician, status="ordered")


def test_examination_in_the_future_is_refused(world):
    with pytest.raises(ValidationError):
        services.evaluation_create(patient=world.patient, clinician=world.clinician, data={},
                                   performed_at=timezone.now() + timedelta(days=1))


@pytest.mark.parametrize("data,field", [
    ({"reflexes": [{"reflex": "knee_jerk"}]}, "reflexes"),
    ({"reflexes": [{"reflex": "moro", "left": "maybe"}]}, "reflexes"),
    ({"hine": {"nose": {"score": 1}}}, "hine"),
    ({"hine": {"head": {"score": 4}}}, "hine"),
    ({"hine": {"head": {"score": True}}}, "hine"),
    ({"milestones": {"m2-lang-reacts-loud-sounds": "perhaps"}}, "milestones"),
    ({"milestones": {"m99-nothing": "yes"}}, "milestones"),
    ({"tone": "floppy"}, "tone"),
    ({"tone": ["normal"]}, "tone"),
    ({"lost_skills": "yes"}, "lost_skills"),
])
def test_invalid_input_is_refused_with_the_field_named(data, field):
    with pytest.raises(ValidationError) as caught:
        services.evaluation_clean(data, partial=True)
    assert field in caught.value.message_dict
