"""FHIR export: the Bundle validates with fhir.resources (R4B), references resolve inside it,
access follows Action.EXPORT, and the export is audited."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from clinic.models import AuditEvent, CaseStatus
from episodes.models import EpisodeAttachment
from episodes.services import episode_create
from evaluations import norms
from evaluations import services as evaluation_services
from tests.conftest import client_for
from tests.review.review_factories import make_case

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]
# Export is Action.EXPORT: clinicians and clinic admins. Someone who may see the child
# but not export it (its parent, a reviewer) gets 403; anyone else 404 (DESIGN: no leak).
EXPECTED = {"anonymous": 401, "parent": 403, "other_parent": 404, "clinician": 200,
            "other_clinician": 404, "reviewer": 403, "clinic_admin": 200}


def url(patient: Any) -> str:
    return reverse("api:patient-fhir", kwargs={"id": patient.uuid})


def worrying_exam() -> dict[str, Any]:
    return {
        "history": "Right arm moves less.",
        "reflexes": [{"reflex": "moro", "left": "present", "right": "weak", "obligatory": False}],
        "hine": {code: {"score": 1, "asymmetric": i < 7} for i, code in enumerate(norms.HINE_ITEMS)},
        "tone": "increased",
    }


def report(world: Any, minutes_ago: int, **fields: Any) -> Any:
    data = {"duration_seconds": 40, "body_parts": ["left_foot"], "state": "asleep",
            "pattern": "isolated", "stops_when_held_or_woken": "yes"} | fields
    episode, _ = episode_create(patient=world.patient, reporter=world.parent,
                                started_at=timezone.now() - timedelta(minutes=minutes_ago), **data)
    return episode


@pytest.fixture
def record(world):
    """Episodes (one with a video, one in error), a signed evaluation with findings and
    suggestions, an accepted suggestion (order), a hand-made order and an open case."""
    calm = report(world, 300)
    worrying = report(world, 20, pattern="rhythmic", stops_when_held_or_woken="no",
                      body_parts=["left_arm", "left_leg"], state="awake", duration_seconds=90,
                      signs=["unresponsive"], temperature_c="38.4", notes="Lips went blue?")
    mistaken = report(world, 200, notes="wrong baby")
    mistaken.status = "entered_in_error"
    mistaken.save()
    video = EpisodeAttachment(episode=worrying, kind="video", content_type="video/mp4", size=11,
                              uploaded_by=world.parent)
    video.file.save("clip.mp4", ContentFile(b"\x00" * 11), save=True)
    evaluation = evaluation_services.evaluation_create(
        patient=world.patient, clinician=world.clinician, data=worrying_exam()
    )
    evaluation = evaluation_services.evaluation_sign(evaluation=evaluation, by=world.clinician,
                                                     version=evaluation.version)
    suggestions = list(world.patient.suggestions.all())
    assert suggestions, "the worrying exam should suggest follow-up tests"
    accepted = evaluation_services.suggestion_accept(suggestion=suggestions[0], by=world.clinician)
    by_hand = evaluation_services.order_create(patient=world.patient, by=world.clinician,
                                               code="hearing_evaluation")
    make_case(world.foreign_patient, "urgent")  # another patient's case: not exported
    return {"episodes": [calm, worrying, mistaken], "video": video, "evaluation": evaluation,
            "suggestions": suggestions, "orders": [accepted, by_hand]}


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in references(item)]
    return []


def test_bundle_validates_and_references_resolve(client, world, record):
    client.force_login(world.clinician)
    response = client.get(url(world.patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = json.loads(response.content)

    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    full_urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(full_urls) == len(set(full_urls))
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    refs = references([entry["resource"] for entry in data["entry"]])
    assert refs and set(refs) <= set(full_urls)

    kinds = Counter(entry["resource"]["resourceType"] for entry in data["entry"])
    evaluation = record["evaluation"]
    episodes = record["episodes"]
    findings = evaluation.findings.count()
    assert kinds["Patient"] == 1 and kinds["RelatedPerson"] == 1
    assert kinds["Encounter"] == 1
    assert kinds["Observation"] == findings + (evaluation.hine_total is not None) + len(episodes)
    assert kinds["QuestionnaireResponse"] == len(episodes)
    assert kinds["DocumentReference"] == 1
    open_cases = world.patient.review_cases.exclude(status=CaseStatus.RESOLVED).count()
    assert kinds["Flag"] == open_cases == 1

    resources = [entry["resource"] for entry in data["entry"]]
    by_id = {r["id"]: r for r in resources}
    requests = [r for r in resources if r["resourceType"] == "ServiceRequest"]
    assert Counter(r["intent"] for r in requests) == {"proposal": len(record["suggestions"]),
                                                       "order": 2}
    accepted = by_id[str(record["orders"][0].uuid)]
    assert accepted["basedOn"] == [{"reference": f"urn:uuid:{record['suggestions'][0].uuid}"}]
    assert by_id[str(record["suggestions"][0].uuid)]["status"] == "completed"

    # Each parent report is authored by the guardian's RelatedPerson.
    guardian = next(r for r in resources if r["resourceType"] == "RelatedPerson")
    reports = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert {r["author"]["reference"] for r in reports} == {f"urn:uuid:{guardian['id']}"}
    assert by_id[str(episodes[2].uuid)]["status"] == "entered-in-error"
    worrying = by_id[str(episodes[1].uuid)]
    answers = {item["linkId"]: item["answer"] for item in worrying["item"]}
    assert answers["temperature_c"] == [{"valueDecimal": 38.4}]
    assert [a["valueCoding"]["code"] for a in answers["signs"]] == ["unresponsive"]

    # The attachment is linked, never embedded, through the access-checked download view.
    document = next(r for r in resources if r["resourceType"] == "DocumentReference")
    link = document["content"][0]["attachment"]["url"]
    assert link == f"http://testserver{record['video'].get_absolute_url()}"
    assert "data" not in document["content"][0]["attachment"]
    assert document["context"]["related"] == [{"reference": f"urn:uuid:{episodes[1].uuid}"}]

    hine = next(r for r in resources if r.get("code", {}).get("coding", [{}])[0].get("code") == "hine-total")
    assert hine["valueInteger"] == evaluation.hine_total
    assert hine["encounter"] == {"reference": f"urn:uuid:{evaluation.uuid}"}


def test_export_writes_one_audit_event(client, world, record):
    client.force_login(world.clinic_admin)
    before = AuditEvent.objects.count()
    client.get(url(world.patient))
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_type, event.patient_id, event.actor_id) == (
        "export", "fhir_bundle", world.patient.pk, world.clinic_admin.pk)


@pytest.mark.parametrize("role", ROLES)
def test_access(api, world, record, role):
    client = client_for(api, world.user(role))
    before = AuditEvent.objects.filter(action="export").count()
    response = client.get(url(world.patient))
    assert response.status_code == EXPECTED[role]
    exported = AuditEvent.objects.filter(action="export").count() - before
    assert exported == (1 if response.status_code == 200 else 0)
    if response.status_code != 200:
        assert "resourceType" not in response.content.decode()


def test_unknown_and_malformed_ids_are_missing(api, world):
    api.force_authenticate(world.clinician)
    assert api.get("/api/v1/patients/not-a-uuid/fhir/").status_code == 404
    assert api.get(url(world.foreign_patient)).status_code == 404


def test_export_queries_do_not_grow(client, world, record, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.clinician)
    client.get(url(world.patient))
    with CaptureQueriesContext(connection) as small:
        client.get(url(world.patient))
    for minutes in range(30, 90, 10):
        report(world, minutes)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url(world.patient))


def test_exporting_twice_gives_the_same_resource_ids(client, world, record):
    client.force_login(world.clinician)
    first = json.loads(client.get(url(world.patient)).content)
    second = json.loads(client.get(url(world.patient)).content)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]
