"""The OpenAPI schema states the answers the API really gives, errors included."""

from __future__ import annotations

import pytest


@pytest.fixture
def schema(api, world):
    api.force_authenticate(world.clinician)
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _codes(schema, path, method):
    return set(schema["paths"][path][method]["responses"])


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404"} <= codes, (path, method, codes)
            if method in ("post", "put", "patch"):
                assert "400" in codes, (path, method, codes)


@pytest.mark.parametrize(("path", "method", "expected"), [
    ("/api/v1/episodes/", "post", {"200", "201", "400", "409"}),
    ("/api/v1/evaluations/{id}/amend/", "post", {"201", "409"}),
    ("/api/v1/suggestions/{id}/accept/", "post", {"201", "409"}),
    ("/api/v1/suggestions/{id}/dismiss/", "post", {"200", "400", "409"}),
    ("/api/v1/evaluations/{id}/sign/", "post", {"200", "409"}),
    ("/api/v1/evaluations/{id}/", "patch", {"200", "409"}),
])
def test_success_and_conflict_codes_are_the_real_ones(schema, path, method, expected):
    codes = _codes(schema, path, method)
    assert expected <= codes, codes
    if "201" in expected and "200" not in expected:
        assert "200" not in codes  # amend and accept create: 201 only


def test_the_documented_codes_are_the_real_ones(api, world, records):
    """The documented codes are what the endpoints answer (amend 201, replay 200)."""
    from tests.episodes.helpers import URGENT, payload

    api.force_authenticate(world.clinician)
    amend = api.post(f"/api/v1/evaluations/{records.evaluation.uuid}/amend/")
    assert amend.status_code == 201
    accept = api.post(f"/api/v1/suggestions/{records.suggestion.uuid}/accept/")
    assert accept.status_code == 201
    body = payload(world.patient, URGENT, client_id="5b0c3a36-5a55-4a66-9c55-1d5d6c1f0b7e")
    assert api.post("/api/v1/episodes/", body, format="json").status_code == 201
    assert api.post("/api/v1/episodes/", body, format="json").status_code == 200
