"""The v1 API for evaluations, suggestions, orders and milestones (DESIGN.md contract)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import AuditEvent
from evaluations.models import Evaluation, FollowUpOrder, Suggestion
from tests.evaluations.helpers import hine_all, make_patient_age, signed, worrying_data

pytestmark = pytest.mark.django_db

EVALUATIONS = "/api/v1/evaluations/"


def detail(evaluation_id: object, action: str = "") -> str:
    return f"{EVALUATIONS}{evaluation_id}/" + (f"{action}/" if action else "")


def create(api, world, **fields):
    api.force_authenticate(world.clinician)
    return api.post(EVALUATIONS, {"patient": str(world.patient.uuid), **fields}, format="json")


def test_create_answers_totals_age_findings_and_live_suggestions(api, world):
    response = create(api, world, **worrying_data())
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1
    assert body["hine_total"] == 26 and body["hine_asymmetries"] == 7
    assert body["age"] == {"chronological_days": 90, "corrected_days": 90, "uses": "chronological"}
    assert {"rule", "level", "explanation", "source"} == set(body["findings"][0])
    assert "RX-MORO-ASYMMETRIC" in {f["rule"] for f in body["findings"]}
    codes = {s["code"] for s in body["suggestions"]}
    assert "brain_mri" in codes and all(s["id"] is None for s in body["suggestions"])
    assert Suggestion.objects.count() == 0  # a draft's suggestions are a preview
    assert AuditEvent.objects.filter(object_type="evaluation", action="create").count() == 1


def test_preterm_baby_is_judged_on_corrected_age(api, world):
    world.patient.gestational_age_weeks = 30
    make_patient_age(world.patient, 120)
    body = create(api, world, hine=hine_all(3)).json()
    assert body["age"] == {"chronological_days": 120, "corrected_days": 50, "uses": "corrected"}


def test_update_needs_the_version_and_answers_409_on_a_stale_one(api, world):
    evaluation_id = create(api, world, **worrying_data()).json()["id"]
    assert api.patch(detail(evaluation_id), {"plan": "x"}, format="json").status_code == 400
    first = api.patch(detail(evaluation_id), {"plan": "MRI in 2 weeks", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    api.force_authenticate(world.user("clinician"))
    second = api.patch(detail(evaluation_id), {"plan": "No imaging", "version": 1}, format="json")
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    assert Evaluation.objects.get(uuid=evaluation_id).plan == "MRI in 2 weeks"


def test_sign_then_the_record_is_immutable_through_the_api(api, world):
    evaluation_id = create(api, world, **worrying_data()).json()["id"]
    assert api.post(detail(evaluation_id, "sign"), {}, format="json").status_code == 400
    assert api.post(detail(evaluation_id, "sign"), {"version": 7}, format="json").status_code == 409
    response = api.post(detail(evaluation_id, "sign"), {"version": 1}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed" and body["signed_by"] == "clinician"
    assert all(s["id"] and s["status"] == "suggested" for s in body["suggestions"])
    changed = api.patch(detail(evaluation_id), {"plan": "edited", "version": body["version"]},
                        format="json")
    assert changed.status_code == 409
    again = api.post(detail(evaluation_id, "sign"), {"version": body["version"]}, format="json")
    assert again.status_code == 409
    assert Evaluation.objects.get(uuid=evaluation_id).plan == ""


def test_amend_creates_a_linked_draft(api, world):
    original = signed(world.patient, world.clinician, worrying_data())
    api.force_authenticate(world.clinician)
    response = api.post(detail(original.uuid, "amend"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["amends"] == str(original.uuid) and body["status"] == "draft"
    assert api.get(detail(original.uuid)).json()["status"] == "signed"
    draft_only = create(api, world).json()["id"]
    assert api.post(detail(draft_only, "amend"), format="json").status_code == 409


def test_list_filters_by_patient(api, world):
    signed(world.patient, world.clinician)
    signed(world.other_patient, world.clinician)
    api.force_authenticate(world.clinician)
    response = api.get(EVALUATIONS, {"patient": str(world.patient.uuid)})
    assert [row["patient"] for row in response.json()["results"]] == [str(world.patient.uuid)]
    assert api.get(EVALUATIONS, {"patient": "not-a-uuid"}).status_code == 400


def test_accept_creates_an_order_and_dismiss_needs_a_reason(api, world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    mri = evaluation.suggestions.get(code="brain_mri")
    physio = evaluation.suggestions.get(code="physical_therapy")
    api.force_authenticate(world.clinician)
    accepted = api.post(f"/api/v1/suggestions/{mri.uuid}/accept/", format="json")
    assert accepted.status_code == 201
    assert accepted.json()["code"] == "brain_mri"
    assert FollowUpOrder.objects.get(uuid=accepted.json()["id"]).suggestion == mri
    assert api.post(f"/api/v1/suggestions/{mri.uuid}/accept/").status_code == 409
    no_reason = api.post(f"/api/v1/suggestions/{physio.uuid}/dismiss/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    blank = api.post(f"/api/v1/suggestions/{physio.uuid}/dismiss/", {"reason": "  "}, format="json")
    assert blank.status_code == 400
    dismissed = api.post(f"/api/v1/suggestions/{physio.uuid}/dismiss/",
                         {"reason": "Already in therapy."}, format="json")
    assert dismissed.status_code == 200
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["decided_by"] == "clinician"


def test_orders_create_update_and_parent_reads_with_plain_words(api, world):
    api.force_authenticate(world.clinician)
    created = api.post("/api/v1/orders/", {"patient": str(world.patient.uuid), "code": "eeg",
                                           "priority": "soon"}, format="json")
    assert created.status_code == 201
    order_id = created.json()["id"]
    assert created.json()["test"] == "EEG"
    bad = api.patch(f"/api/v1/orders/{order_id}/", {"status": "sometime"}, format="json")
    assert bad.status_code == 400 and "status" in bad.json()
    moved = api.patch(f"/api/v1/orders/{order_id}/", {"status": "scheduled"}, format="json")
    assert moved.json()["status"] == "scheduled"
    api.force_authenticate(world.parent)
    listed = api.get("/api/v1/orders/").json()["results"]
    assert [row["id"] for row in listed] == [order_id]
    assert "electrical" in listed[0]["parent_explanation"]


def test_milestones_checklist_uses_the_norm_age(api, world):
    world.patient.gestational_age_weeks = 32
    make_patient_age(world.patient, 213)  # ~7 months, ~5 corrected: the 4-month checklist
    api.force_authenticate(world.clinician)
    body = api.get("/api/v1/milestones/", {"patient": str(world.patient.uuid)}).json()
    assert body["age"]["uses"] == "corrected" and body["checklist_age_months"] == 4
    assert body["items"] and {"code", "domain", "text", "age_months"} == set(body["items"][0])
    assert all(item["age_months"] == 4 for item in body["items"])
    assert api.get("/api/v1/milestones/").status_code == 400


@pytest.mark.parametrize("payload,field", [
    ({"reflexes": [{"reflex": "knee", "left": "present", "right": "present"}]}, "reflexes"),
    ({"hine": {"head": {"score": 5, "asymmetric": False}}}, "hine"),
    ({"hine": {"elbow": {"score": 2}}}, "hine"),
    ({"milestones": {"m2-lang-reacts-loud-sounds": "often"}}, "milestones"),
    ({"tone": "floppy"}, "tone"),
    ({"performed_at": "2999-01-01T00:00:00Z"}, "performed_at"),
    ({"patient": "00000000-0000-0000-0000-000000000000"}, "patient"),
])
def test_invalid_evaluations_answer_400_with_the_field(api, world, payload, field):
    response = create(api, world, **payload)
    assert response.status_code == 400
    assert field in response.json()
    assert Evaluation.objects.count() == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                         max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["patient", "performed_at", "reflexes", "hine", "tone", "milestones",
                               "lost_skills", "history", "version", "plan"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(field_names, json_values, max_size=6) | json_values)
def test_arbitrary_json_never_answers_500(api, world, body):
    api.force_authenticate(world.clinician)
    if isinstance(body, dict) and "patient" not in body:
        body["patient"] = str(world.patient.uuid)
    response = api.post(EVALUATIONS, body, format="json")
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        evaluation_id = response.json()["id"]
        patched = api.patch(detail(evaluation_id), body, format="json")
        assert patched.status_code in (200, 400, 409)
    assert reverse("api:evaluation-list") == EVALUATIONS
