"""FHIR Bulk Data $export of a clinic: kick-off (202 + Content-Location), status (202 then
the manifest), NDJSON files that validate with fhir.resources (R4B), access and audit."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class

from clinic.models import AuditEvent, Membership
from interop import bulk
from tests.api.test_fhir import add_episodes, record  # noqa: F401 - the fixture
from tests.conftest import client_for

ASYNC = {"HTTP_PREFER": "respond-async"}
ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]
# Clinicians and clinic admins of the clinic export it; its reviewer sees it but may not
# (403); anyone else is told it does not exist (404).
KICK_OFF = {"anonymous": 401, "parent": 404, "other_parent": 404, "clinician": 202,
            "other_clinician": 404, "reviewer": 403, "clinic_admin": 202}


def kick_off_url(clinic: Any, query: str = "") -> str:
    return reverse("api:clinic-export", kwargs={"id": clinic.uuid}) + (f"?{query}" if query else "")


def kick_off(client: Any, clinic: Any, query: str = "") -> Any:
    return client.get(kick_off_url(clinic, query), **ASYNC)


def lines(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


@pytest.mark.parametrize("role", ROLES)
def test_kick_off_access(api, world, role):
    client = client_for(api, world.user(role))
    before = AuditEvent.objects.filter(object_type="fhir_bulk_export").count()
    response = kick_off(client, world.clinic)
    assert response.status_code == KICK_OFF[role]
    started = AuditEvent.objects.filter(object_type="fhir_bulk_export").count() - before
    assert started == (1 if response.status_code == 202 else 0)
    if response.status_code == 202:
        assert response["Content-Location"].startswith("http://testserver/api/v1/bulk-exports/")
    if role in ("parent", "other_clinician", "reviewer"):  # refused attempts are on the record
        assert AuditEvent.objects.filter(actor=world.user(role), action__startswith="deny").exists()


def test_another_clinics_export_is_missing(api, world):
    api.force_authenticate(world.clinician)
    assert kick_off(api, world.other_clinic).status_code == 404
    assert api.get("/api/v1/clinics/not-a-uuid/$export", **ASYNC).status_code == 404


def test_manifest_lists_one_ndjson_file_per_type_that_validates(client, world, record):  # noqa: F811
    add_episodes(world, 12, with_video_every=5)
    client.force_login(world.clinician)
    response = kick_off(client, world.clinic)
    assert response.status_code == 202
    status = client.get(response["Content-Location"])
    assert status.status_code == 200  # the immediate task backend has run it already
    manifest = status.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"].endswith("$export")

    found: Counter[str] = Counter()
    patients = set()
    for item in manifest["output"]:
        rows = lines(client.get(item["url"]))
        assert len(rows) == item["count"] > 0
        for resource in rows:
            assert resource["resourceType"] == item["type"]
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            found[resource["resourceType"]] += 1
            if resource["resourceType"] == "Patient":
                patients.add(resource["id"])
    # Both children of the clinic, not the other clinic's; the same resources as each
    # child's own export.
    assert patients == {str(world.patient.uuid), str(world.other_patient.uuid)}
    single = json.loads(b"".join(client.get(
        reverse("api:patient-fhir", kwargs={"id": world.patient.uuid}) + "?_count=10000").streaming_content))
    expected = Counter(e["resource"]["resourceType"] for e in single["entry"])
    expected["Patient"] += 1  # the other child
    expected["RelatedPerson"] += 1  # and its parent
    assert found == expected
    assert [item["type"] for item in manifest["output"]] == sorted(found)


def test_type_parameter_narrows_the_files(client, world, record):  # noqa: F811
    client.force_login(world.clinic_admin)
    response = kick_off(client, world.clinic, "_type=Patient,Flag")
    manifest = client.get(response["Content-Location"]).json()
    assert [item["type"] for item in manifest["output"]] == ["Flag", "Patient"]


@pytest.mark.parametrize("query", ["_type=Secret", "_type=,", "_outputFormat=text/csv",
                                   "_since=2026-01-01T00:00:00Z"])
def test_bad_parameters_answer_400_with_the_field(api, world, query):
    api.force_authenticate(world.clinician)
    response = kick_off(api, world.clinic, query)
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_kick_off_without_prefer_respond_async_is_400(api, world):
    api.force_authenticate(world.clinician)
    response = api.get(kick_off_url(world.clinic))
    assert response.status_code == 400 and "Prefer" in response.json()


def test_status_is_202_while_the_task_waits_then_the_manifest(client, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(world.clinician)
    status_url = kick_off(client, world.clinic)["Content-Location"]
    waiting = client.get(status_url)
    assert waiting.status_code == 202 and waiting["X-Progress"] == "in progress"
    job_id = status_url.rstrip("/").rsplit("/", 1)[1]
    bulk.run(job_id)  # what the worker does
    assert client.get(status_url).status_code == 200


def test_status_and_files_are_the_requesters_only(client, world, record):  # noqa: F811
    client.force_login(world.clinician)
    status_url = kick_off(client, world.clinic)["Content-Location"]
    file_url = client.get(status_url).json()["output"][0]["url"]
    assert client.get(file_url).status_code == 200
    downloads = AuditEvent.objects.filter(object_type="fhir_bulk_file", actor=world.clinician)
    assert downloads.count() == 1

    for other in ("clinic_admin", "reviewer", "other_clinician", "parent"):
        client.force_login(world.user(other))
        assert client.get(status_url).status_code == 404
        assert client.get(file_url).status_code == 404
        assert AuditEvent.objects.filter(actor=world.user(other), action="deny_read",
                                         object_type="bulk_export").count() == 2

    # The requester who leaves the clinic loses the export with it.
    Membership.objects.filter(user=world.clinician, clinic=world.clinic).delete()
    client.force_login(world.clinician)
    assert client.get(status_url).status_code == 404
    assert client.get(file_url).status_code == 404


def test_unknown_jobs_and_files_are_missing(client, world, record):  # noqa: F811
    client.force_login(world.clinician)
    assert client.get(reverse("api:bulk-export-status", kwargs={"job": "nope"})).status_code == 404
    status_url = kick_off(client, world.clinic)["Content-Location"]
    job = status_url.rstrip("/").rsplit("/", 1)[1]
    missing = reverse("api:bulk-export-file", kwargs={"job": job, "resource_type": "Communication"})
    assert client.get(missing).status_code == 404
