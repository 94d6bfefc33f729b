"""Every message page and endpoint, for every role, against its own child, another
family's child of the same clinic, and a child of another clinic.

Invisible answers 404; a child whose record the caller sees but whose messages they may
not read (a clinic admin) answers 403; both are audited as denied attempts.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from messaging.models import Message, MessageAttachment
from tests.conftest import client_for
from tests.episodes.helpers import PNG_BYTES
from tests.messaging.helpers import ROLES, TARGETS, WRITERS, api_status, page_status, send

AUTHOR = {"patient": "parent", "other_patient": "other_parent", "foreign_patient": "other_clinician"}


def _denied(world, target, *, write: bool) -> bool:
    action = AuditAction.DENIED_WRITE if write else AuditAction.DENIED_READ
    return AuditEvent.objects.filter(action=action, patient=getattr(world, target)).exists()


def _check_denial(world, role, target, code, *, write=False):
    if code in (403, 404):
        assert _denied(world, target, write=write), f"{role} refused {code} but not audited"


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_thread_page_read(client, world, role, target):
    patient = getattr(world, target)
    send(patient, world.user(AUTHOR[target]), body="A question about the left foot")
    response = client_for(client, world.user(role)).get(
        reverse("messaging:thread", kwargs={"patient_id": patient.uuid}))
    expected = page_status(role, target)
    assert response.status_code == expected
    if expected == 200:
        assert "A question about the left foot" in response.content.decode()
        assert AuditEvent.objects.filter(action=AuditAction.READ, patient=patient,
                                         object_type="message_thread",
                                         actor=world.user(role)).exists()
    else:
        assert b"left foot" not in response.content
    _check_denial(world, role, target, expected)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_thread_page_write(client, world, role, target):
    patient = getattr(world, target)
    response = client_for(client, world.user(role)).post(
        reverse("messaging:thread", kwargs={"patient_id": patient.uuid}), {"body": "Hello"})
    expected = page_status(role, target, ok=302)
    assert response.status_code == expected
    stored = Message.objects.filter(thread__patient=patient, body="Hello")
    if role in WRITERS[target]:
        message = stored.get()
        assert message.author == world.user(role)
        assert message.side == ("family" if role.endswith("parent") else "clinic")
        assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(message.uuid),
                                         patient=patient).exists()
    else:
        assert not stored.exists()
    _check_denial(world, role, target, expected, write=True)


@pytest.mark.parametrize("role", ROLES)
def test_inbox(client, world, role):
    send(world.patient, world.parent, body="From Noah's mother")
    send(world.foreign_patient, world.other_clinician, body="To Ava's family")
    response = client_for(client, world.user(role)).get(reverse("messaging:inbox"))
    expected = {"anonymous": 302, "clinician": 200, "reviewer": 200, "other_clinician": 200}.get(
        role, 403)
    assert response.status_code == expected
    if expected == 200:
        page = response.content.decode()
        own, foreign = (("Ava", "Noah") if role == "other_clinician" else ("Noah", "Ava"))
        assert own in page and foreign not in page
        assert "From Noah" not in page  # the inbox lists threads, never message text


@pytest.fixture
def messages_by_target(world):
    """One message per child, by a writer of its thread, each with a photo."""
    made = {}
    for target, author in AUTHOR.items():
        upload = SimpleUploadedFile("p.png", PNG_BYTES, content_type="image/png")
        made[target] = send(getattr(world, target), world.user(author), upload=upload)
    return made


def _message_status(role, target, ok=200, anonymous=302):
    """A message is looked up among those the caller may open: outside them, 404."""
    if role == "anonymous":
        return anonymous
    return ok if role in WRITERS[target] else 404


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_attachment_download(client, world, messages_by_target, role, target):
    attachment = MessageAttachment.objects.get(message=messages_by_target[target])
    response = client_for(client, world.user(role)).get(attachment.get_absolute_url())
    expected = _message_status(role, target)
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PNG_BYTES
        assert response["Cache-Control"] == "private, no-store"
    _check_denial(world, role, target, expected)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_api_attachment_download(api, world, messages_by_target, role, target):
    attachment = MessageAttachment.objects.get(message=messages_by_target[target])
    if world.user(role):
        api.force_authenticate(world.user(role))
    response = api.get(f"/api/v1/message-attachments/{attachment.uuid}/download/")
    expected = _message_status(role, target, anonymous=401)
    assert response.status_code == expected
    _check_denial(world, role, target, expected)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_sent_in_error_page(client, world, messages_by_target, role, target):
    """Only the author withdraws a message; others who read the thread get 403."""
    message = messages_by_target[target]
    url = reverse("messaging:sent-in-error", kwargs={"message_id": message.uuid})
    logged_in = client_for(client, world.user(role))
    response = logged_in.post(url, {"reason": "Wrong child"})
    author = role == AUTHOR[target]
    expected = 302 if author else _message_status(role, target, ok=403)
    assert response.status_code == expected
    message.refresh_from_db()
    assert message.sent_in_error is author
    if author:
        assert response.url == reverse("messaging:thread", kwargs={"patient_id": message.thread.patient.uuid})
    _check_denial(world, role, target, expected, write=True)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_api_thread_list(api, world, role, target):
    patient = getattr(world, target)
    send(patient, world.user(AUTHOR[target]), body="Listed")
    if world.user(role):
        api.force_authenticate(world.user(role))
    response = api.get(f"/api/v1/patients/{patient.uuid}/messages/")
    expected = api_status(role, target)
    assert response.status_code == expected
    if expected == 200:
        assert [m["body"] for m in response.json()["results"]] == ["Listed"]
    _check_denial(world, role, target, expected)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_api_thread_create(api, world, role, target):
    patient = getattr(world, target)
    if world.user(role):
        api.force_authenticate(world.user(role))
    response = api.post(f"/api/v1/patients/{patient.uuid}/messages/", {"body": "Via the API"},
                        format="json")
    expected = api_status(role, target, ok=201)
    assert response.status_code == expected
    assert Message.objects.filter(body="Via the API").exists() is (expected == 201)
    _check_denial(world, role, target, expected, write=True)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_api_mark_read(api, world, messages_by_target, role, target):
    message = messages_by_target[target]
    if world.user(role):
        api.force_authenticate(world.user(role))
    response = api.post(f"/api/v1/messages/{message.uuid}/read/")
    expected = _message_status(role, target, anonymous=401)
    assert response.status_code == expected
    message.refresh_from_db()
    other_side = expected == 200 and role != AUTHOR[target] and not (
        role.endswith("parent") and AUTHOR[target].endswith("parent"))
    assert (message.read_at is not None) is other_side
    _check_denial(world, role, target, expected, write=True)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
def test_api_sent_in_error(api, world, messages_by_target, role, target):
    message = messages_by_target[target]
    if world.user(role):
        api.force_authenticate(world.user(role))
    response = api.post(f"/api/v1/messages/{message.uuid}/sent-in-error/",
                        {"reason": "Wrong family"}, format="json")
    author = role == AUTHOR[target]
    expected = 200 if author else _message_status(role, target, ok=403, anonymous=401)
    assert response.status_code == expected
    message.refresh_from_db()
    assert message.sent_in_error is author
    _check_denial(world, role, target, expected, write=True)
