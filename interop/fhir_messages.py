"""Secure messages as FHIR R4 ``Communication`` resources, written as plain dicts.

interop/fhir.py adds them to the patient's Bundle and to the bulk export (a Section of
their own; the tests validate them with fhir.resources R4B). References point into that
Bundle (``urn:uuid:``): the patient, a guardian's
RelatedPerson, the episode's QuestionnaireResponse. Staff, who have no resource of
their own in the Bundle, are named by display only, as elsewhere in the export.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Prefetch

from messaging.models import Message, MessageAttachment, Side

CATEGORY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/communication-category",
                        "code": "notification"}], "text": "Secure message"}


def load_messages(patient: Any) -> list[Message]:
    """The child's messages, oldest first, in two queries (the caller checked access)."""
    return list(
        Message.objects.filter(thread__patient=patient)
        .select_related("author", "sent_in_error_by", "episode", "thread__patient__clinic")
        .prefetch_related(Prefetch("attachments", queryset=MessageAttachment.objects.order_by(
            "uploaded_at", "id")))
        .order_by("created_at", "id")
    )


def _ref(key: uuid.UUID | str, display: str = "") -> dict[str, str]:
    ref = {"reference": f"urn:uuid:{key}"}
    if display:
        ref["display"] = display
    return ref


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def communications(
    messages: Iterable[Message], *, patient_key: uuid.UUID, guardians: dict[int, uuid.UUID],
    download_url: Callable[[Any], str],
) -> list[dict[str, Any]]:
    """One ``Communication`` per message; ``guardians`` maps user ids to RelatedPerson keys."""
    family = [_ref(key) for key in guardians.values()] or [{"display": "The child's family"}]
    resources = []
    for message in messages:
        clinic_name = message.thread.patient.clinic.name
        from_family = message.side == Side.FAMILY
        author_key = guardians.get(message.author_id) if from_family else None
        payload: list[dict[str, Any]] = [{"contentString": message.body}]
        payload += [{"contentAttachment": {
            "contentType": attachment.content_type, "url": download_url(attachment),
            "size": attachment.size, "creation": attachment.uploaded_at.isoformat(),
            "title": f"{attachment.get_kind_display()} sent with a message",
        }} for attachment in message.attachments.all()]
        resource: dict[str, Any] = {
            "resourceType": "Communication",
            "id": str(message.uuid),
            "status": "entered-in-error" if message.sent_in_error else "completed",
            "category": [CATEGORY],
            "subject": _ref(patient_key),
            "sent": message.created_at.isoformat(),
            "sender": _ref(author_key) if author_key else {"display": _name(message.author)},
            "recipient": [{"display": clinic_name}] if from_family else family,
            "payload": payload,
        }
        if message.read_at is not None:
            resource["received"] = message.read_at.isoformat()
        if message.episode_id is not None:
            resource["about"] = [_ref(message.episode.uuid, "The episode this message is about")]
        if message.sent_in_error:
            resource["statusReason"] = {"text": message.sent_in_error_reason or "Sent in error"}
        resources.append(resource)
    return resources
