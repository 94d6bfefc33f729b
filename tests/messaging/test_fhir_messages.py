"""Messages in the FHIR export: each a Communication that validates with fhir.resources
(R4B), whose references resolve inside the Bundle."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from messaging.services import message_mark_read, message_mark_sent_in_error
from tests.conftest import client_for
from tests.episodes.helpers import PNG_BYTES, make_episode
from tests.messaging.helpers import send


def test_messages_are_exported_as_communications(client, world, clock):
    episode = make_episode(world.patient, world.parent)
    question = send(world.patient, world.parent, body="Is this normal?", episode=episode,
                    upload=SimpleUploadedFile("p.png", PNG_BYTES, content_type="image/png"))
    clock.shift(timedelta(minutes=10))
    message_mark_read(message=question, side="clinic", by=world.clinician)
    reply = send(world.patient, world.clinician, body="Wrong family's result")
    message_mark_sent_in_error(message=reply, by=world.clinician, reason="Wrong family")
    send(world.other_patient, world.other_parent, body="Another child's question")

    response = client_for(client, world.clinician).get(
        reverse("api:patient-fhir", kwargs={"id": world.patient.uuid}))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    data = json.loads(raw)
    Bundle.model_validate(data)
    resources = {entry["fullUrl"]: entry["resource"] for entry in data["entry"]}
    communications = [r for r in resources.values() if r["resourceType"] == "Communication"]
    for resource in communications:
        get_fhir_model_class("Communication").model_validate(resource)
    assert [c["id"] for c in communications] == [str(question.uuid), str(reply.uuid)]
    asked, answered = communications
    assert asked["status"] == "completed" and asked["payload"][0]["contentString"] == "Is this normal?"
    assert asked["received"].startswith("2026-03-10T09:10")
    assert asked["payload"][1]["contentAttachment"]["contentType"] == "image/png"
    assert answered["status"] == "entered-in-error"
    assert answered["statusReason"]["text"] == "Wrong family"
    assert "Another child" not in raw.decode()
    # Every reference names an entry of the Bundle.
    for resource in communications:
        refs = [resource["subject"], resource["sender"], *resource["recipient"],
                *resource.get("about", [])]
        for ref in refs:
            if "reference" in ref:
                assert ref["reference"] in resources, ref
    assert resources[asked["sender"]["reference"]]["resourceType"] == "RelatedPerson"
    assert resources[asked["about"][0]["reference"]]["resourceType"] == "QuestionnaireResponse"


def _exported_types(client, user, patient) -> set[str]:
    response = client_for(client, user).get(reverse("api:patient-fhir", kwargs={"id": patient.uuid}))
    data = json.loads(b"".join(response.streaming_content))
    return {entry["resource"]["resourceType"] for entry in data["entry"]}


def test_a_clinic_admin_exports_the_record_without_the_familys_messages(client, world):
    send(world.patient, world.parent, body="Is this normal?")
    assert "Communication" in _exported_types(client, world.clinician, world.patient)
    # Clinic admins may export (Action.EXPORT) but not read messages (Action.MESSAGE).
    assert "Communication" not in _exported_types(client, world.clinic_admin, world.patient)


def test_the_bulk_export_carries_the_messages_its_requester_may_read(client, world):
    send(world.patient, world.parent, body="Is this normal?")
    send(world.other_patient, world.other_parent, body="And this?")
    kick_off = reverse("api:clinic-export", kwargs={"id": world.clinic.uuid})
    for user, expected in ((world.clinician, 2), (world.clinic_admin, 0)):
        client.force_login(user)
        status = client.get(kick_off, HTTP_PREFER="respond-async")["Content-Location"]
        output = {item["type"]: item for item in client.get(status).json()["output"]}
        if not expected:
            assert "Communication" not in output
            continue
        lines = b"".join(client.get(output["Communication"]["url"]).streaming_content).splitlines()
        assert len(lines) == output["Communication"]["count"] == expected
        for line in lines:
            get_fhir_model_class("Communication").model_validate(json.loads(line))
