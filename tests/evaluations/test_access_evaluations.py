"""Every evaluations page and endpoint, for every role.

Parents read the orders of their own children only, never evaluations (drafts
included) or suggestions. Invisible rows answer 404; visible but not allowed 403.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from evaluations import services
from evaluations.models import Evaluation, FollowUpOrder, Suggestion
from tests.conftest import client_for
from tests.evaluations.helpers import draft, signed, worrying_data

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]

# Reading clinical working notes (chart, evaluations, suggestions) of `world.patient`.
READ_CHART = {"anonymous": 302, "parent": 404, "other_parent": 404, "clinician": 200,
              "other_clinician": 404, "reviewer": 200, "clinic_admin": 200}
# Pages addressed by the patient: the parent sees the child exists, so 403 not 404.
READ_CHART_BY_PATIENT = READ_CHART | {"parent": 403}
# Writing: only the clinician of the clinic.
WRITE_BY_PATIENT = {"anonymous": 302, "parent": 403, "other_parent": 404, "clinician": 200,
                    "other_clinician": 404, "reviewer": 403, "clinic_admin": 403}
WRITE_BY_RECORD = WRITE_BY_PATIENT | {"parent": 404}
READ_ORDERS = {"anonymous": 302, "parent": 200, "other_parent": 404, "clinician": 200,
               "other_clinician": 404, "reviewer": 200, "clinic_admin": 200}
API = {302: 401}  # the API answers anonymous callers 401 instead of a login redirect


@pytest.fixture
def records(world):
    draft_evaluation = draft(world.patient, world.clinician, worrying_data())
    signed_evaluation = signed(world.patient, world.clinician, worrying_data())
    suggestion = signed_evaluation.suggestions.get(code="brain_mri")
    order = services.order_create(patient=world.patient, by=world.clinician, code="eeg")
    return {"draft": draft_evaluation, "signed": signed_evaluation, "suggestion": suggestion,
            "order": order}


def as_role(client, world, role):
    return client_for(client, world.user(role))


def ok(code: int, expected: int) -> bool:
    """A successful POST redirects (302) where a GET answers 200."""
    return code == expected or (expected == 200 and code == 302)


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize("role", ROLES)
def test_chart_page(client, world, records, role):
    response = as_role(client, world, role).get(reverse("chart", args=[world.patient.uuid]))
    assert response.status_code == READ_CHART_BY_PATIENT[role]
    if response.status_code == 200:
        kinds = {item.kind for item in response.context["items"]}
        assert {"evaluation", "order"} <= kinds


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["draft", "signed"])
def test_evaluation_page(client, world, records, role, which):
    evaluation = records[which]
    response = as_role(client, world, role).get(evaluation.get_absolute_url())
    assert response.status_code == READ_CHART[role]
    if response.status_code == 200:
        assert response.context["evaluation"] == evaluation


@pytest.mark.parametrize("role", ROLES)
def test_new_evaluation_page(client, world, role):
    url = reverse("evaluation-create", args=[world.patient.uuid])
    c = as_role(client, world, role)
    assert c.get(url).status_code == WRITE_BY_PATIENT[role]
    c.post(url, {"history": "posted"})
    assert Evaluation.objects.filter(history="posted").exists() == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_edit_draft_page(client, world, records, role):
    evaluation = records["draft"]
    url = reverse("evaluation-edit", args=[evaluation.uuid])
    c = as_role(client, world, role)
    assert c.get(url).status_code == WRITE_BY_RECORD[role]
    c.post(url, {"version": evaluation.version, "plan": "posted"})
    assert (Evaluation.objects.get(pk=evaluation.pk).plan == "posted") == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_preview_endpoint(client, world, role):
    url = reverse("evaluation-preview", args=[world.patient.uuid])
    response = as_role(client, world, role).post(url, {"tone": "decreased"})
    assert response.status_code == WRITE_BY_PATIENT[role]
    if response.status_code == 200:
        assert "TONE-DECREASED" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_amend(client, world, records, role):
    url = reverse("evaluation-amend", args=[records["signed"].uuid])
    response = as_role(client, world, role).post(url)
    assert ok(response.status_code, WRITE_BY_RECORD[role])
    assert Evaluation.objects.filter(amends=records["signed"]).exists() == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", ["accept", "dismiss"])
def test_decide_suggestion(client, world, records, role, decision):
    suggestion = records["suggestion"]
    url = reverse(f"suggestion-{decision}", args=[suggestion.uuid])
    response = as_role(client, world, role).post(url, {"reason": "not now"})
    assert ok(response.status_code, WRITE_BY_RECORD[role])
    decided = Suggestion.objects.get(pk=suggestion.pk).status != "suggested"
    assert decided == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_order_pages(client, world, records, role):
    c = as_role(client, world, role)
    response = c.get(reverse("patient-orders", args=[world.patient.uuid]))
    assert response.status_code == READ_ORDERS[role]
    if response.status_code == 200:
        assert [o.pk for o in response.context["orders"]] == [records["order"].pk]
        assert "electrical signals" in response.text
    created = c.post(reverse("order-create", args=[world.patient.uuid]), {"code": "brain_mri",
                                                                          "priority": "soon"})
    assert ok(created.status_code, WRITE_BY_PATIENT[role])
    assert FollowUpOrder.objects.filter(code="brain_mri").exists() == (role == "clinician")
    updated = c.post(reverse("order-update", args=[records["order"].uuid]), {"status": "scheduled"})
    assert ok(updated.status_code, WRITE_BY_PATIENT[role])
    assert (FollowUpOrder.objects.get(pk=records["order"].pk).status == "scheduled") == (
        role == "clinician")


@pytest.mark.parametrize("role", ["parent", "other_parent"])
def test_parent_portal_shows_own_orders_and_never_evaluations(client, world, records, role):
    c = as_role(client, world, role)
    patient = world.patient if role == "parent" else world.other_patient
    page = c.get(patient.get_absolute_url())
    assert page.status_code == 200
    assert ("EEG" in page.text) == (role == "parent")
    assert "Evaluation" not in page.text and "HINE" not in page.text
    assert reverse("chart", args=[patient.uuid]) not in page.text


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize("role", ROLES)
def test_api_evaluation_list_and_detail(api, world, records, role):
    api.force_authenticate(world.user(role))
    listing = api.get("/api/v1/evaluations/")
    if role == "anonymous":
        assert listing.status_code == 401
        return
    ids = {row["id"] for row in listing.json()["results"]}
    visible = READ_CHART[role] == 200
    assert ids == ({str(records["draft"].uuid), str(records["signed"].uuid)} if visible else set())
    for which in ("draft", "signed"):
        response = api.get(f"/api/v1/evaluations/{records[which].uuid}/")
        assert response.status_code == READ_CHART[role]


@pytest.mark.parametrize("role", ROLES)
def test_api_evaluation_writes(api, world, records, role):
    api.force_authenticate(world.user(role))
    created = api.post("/api/v1/evaluations/", {"patient": str(world.patient.uuid)}, format="json")
    expected_create = {"anonymous": 401, "parent": 403, "other_parent": 400, "clinician": 201,
                       "other_clinician": 400, "reviewer": 403, "clinic_admin": 403}
    assert created.status_code == expected_create[role]
    evaluation = records["draft"]
    patched = api.patch(f"/api/v1/evaluations/{evaluation.uuid}/", {"plan": "api", "version": 1},
                        format="json")
    assert patched.status_code == API.get(WRITE_BY_RECORD[role], WRITE_BY_RECORD[role])
    signed_now = api.post(f"/api/v1/evaluations/{evaluation.uuid}/sign/", {"version": 2},
                          format="json")
    assert ok(signed_now.status_code, API.get(WRITE_BY_RECORD[role], WRITE_BY_RECORD[role]))
    assert Evaluation.objects.get(pk=evaluation.pk).is_signed == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_api_suggestions(api, world, records, role):
    api.force_authenticate(world.user(role))
    listing = api.get("/api/v1/suggestions/")
    if role == "anonymous":
        assert listing.status_code == 401
    else:
        assert bool(listing.json()["results"]) == (READ_CHART[role] == 200)
    suggestion = records["suggestion"]
    accepted = api.post(f"/api/v1/suggestions/{suggestion.uuid}/accept/")
    expected = {"anonymous": 401, "clinician": 201}.get(role, 403 if READ_CHART[role] == 200 else 404)
    assert accepted.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_api_orders(api, world, records, role):
    api.force_authenticate(world.user(role))
    order = records["order"]
    listing = api.get("/api/v1/orders/")
    retrieved = api.get(f"/api/v1/orders/{order.uuid}/")
    assert retrieved.status_code == API.get(READ_ORDERS[role], READ_ORDERS[role])
    if role != "anonymous":
        ids = [row["id"] for row in listing.json()["results"]]
        assert ids == ([str(order.uuid)] if READ_ORDERS[role] == 200 else [])
    created = api.post("/api/v1/orders/", {"patient": str(world.patient.uuid), "code": "eeg"},
                       format="json")
    expected_create = {"anonymous": 401, "parent": 403, "other_parent": 400, "clinician": 201,
                       "other_clinician": 400, "reviewer": 403, "clinic_admin": 403}
    assert created.status_code == expected_create[role]
    patched = api.patch(f"/api/v1/orders/{order.uuid}/", {"status": "cancelled"}, format="json")
    assert ok(patched.status_code, API.get(WRITE_BY_PATIENT[role], WRITE_BY_PATIENT[role]))
    assert (FollowUpOrder.objects.get(pk=order.pk).status == "cancelled") == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_api_milestones(api, world, role):
    api.force_authenticate(world.user(role))
    response = api.get("/api/v1/milestones/", {"patient": str(world.patient.uuid)})
    assert response.status_code == API.get(READ_CHART_BY_PATIENT[role], READ_CHART_BY_PATIENT[role])
    if response.status_code == 200:
        assert response.json()["checklist_age_months"] == 2
