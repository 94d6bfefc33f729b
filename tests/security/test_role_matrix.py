"""Role matrices for the endpoints the app matrices left out: FHIR, API amend, API suggestions.

Invisible answers 404, visible but not allowed 403, anonymous 401 (DESIGN.md, API contract).
"""

from __future__ import annotations

import pytest

from clinic.models import AuditEvent
from evaluations.models import Evaluation

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]
# Evaluations and suggestions are clinical notes (VIEW_CHART): a parent does not see them at all.
CHART_READ = {"anonymous": 401, "parent": 404, "other_parent": 404, "clinician": 200,
              "other_clinician": 404, "reviewer": 200, "clinic_admin": 200}
CHART_WRITE = {**CHART_READ, "reviewer": 403, "clinic_admin": 403}
FHIR = {"anonymous": 401, "parent": 403, "other_parent": 404, "clinician": 200,
        "other_clinician": 404, "reviewer": 403, "clinic_admin": 200}


def _as(api, world, role):
    user = world.user(role)
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.mark.parametrize("role", ROLES)
def test_fhir_export(api, world, records, role):
    response = _as(api, world, role).get(f"/api/v1/patients/{world.patient.uuid}/fhir/")
    assert response.status_code == FHIR[role]
    exported = AuditEvent.objects.filter(patient=world.patient, action="export").exists()
    assert exported == (response.status_code == 200)


@pytest.mark.parametrize("role", ROLES)
def test_api_amend(api, world, records, role):
    response = _as(api, world, role).post(f"/api/v1/evaluations/{records.evaluation.uuid}/amend/")
    expected = {**CHART_WRITE, "clinician": 201}[role]
    assert response.status_code == expected
    assert Evaluation.objects.filter(amends=records.evaluation).exists() == (expected == 201)


@pytest.mark.parametrize("role", ROLES)
def test_api_suggestion_detail(api, world, records, role):
    response = _as(api, world, role).get(f"/api/v1/suggestions/{records.suggestion.uuid}/")
    assert response.status_code == CHART_READ[role]
    if response.status_code == 200:
        assert response.json()["id"] == str(records.suggestion.uuid)
        assert response.json()["code"] == records.suggestion.code
    else:
        assert str(records.suggestion.uuid) not in response.text


@pytest.mark.parametrize("role", ROLES)
def test_api_suggestion_dismiss(api, world, records, role):
    response = _as(api, world, role).post(f"/api/v1/suggestions/{records.suggestion.uuid}/dismiss/",
                                          {"reason": "not now"}, format="json")
    assert response.status_code == CHART_WRITE[role]
    records.suggestion.refresh_from_db()
    assert (records.suggestion.status == "dismissed") == (role == "clinician")


@pytest.mark.parametrize("role", ROLES)
def test_api_me_names_only_the_callers_own_children(api, world, role):
    response = _as(api, world, role).get("/api/v1/me/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    children = set(response.json()["children"])
    expected = {"parent": {str(world.patient.uuid)},
                "other_parent": {str(world.other_patient.uuid)}}.get(role, set())
    assert children == expected
