"""The audit trail: one append-only ``AuditEvent`` per read or write of patient data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from clinic.access import Denied, NotAllowed, NotVisible, role_for
from clinic.models import AuditAction, AuditEvent, Patient

if TYPE_CHECKING:
    from django.db.models import Model
    from django.http import HttpRequest


def _text(value: object, limit: int) -> str:
    # What an attacker typed lands here (a refused id, the path): PostgreSQL text cannot
    # hold NUL, so it is shown as U+FFFD instead of failing the write (and the request).
    return str(value).replace("\x00", "\ufffd")[:limit]


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _base(request: HttpRequest) -> dict[str, object]:
    user = request.user if request.user.is_authenticated else None
    return {
        "actor": user,
        "actor_username": user.get_username() if user else "",
        "ip": _client_ip(request),
        "request_id": getattr(request, "request_id", ""),
        "path": _text(request.get_full_path(), 300),
    }


def record(
    request: HttpRequest,
    action: AuditAction | str,
    *,
    patient: Patient | None,
    obj: Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEvent:
    """Write one event for ``obj`` (or the patient itself) touched in ``request``."""
    target = obj if obj is not None else patient
    return AuditEvent.objects.create(
        **_base(request),
        role=role_for(request.user, patient),
        patient=patient,
        action=action,
        object_type=object_type or (target._meta.model_name if target is not None else ""),
        object_id=object_id or str(getattr(target, "uuid", getattr(target, "pk", "")) or ""),
    )


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def record_denied(request: HttpRequest, denial: Denied) -> AuditEvent | None:
    """Write the refused attempt on a patient object (a 404 or 403 from clinic/access.py).

    The event names the object asked for and, when it exists, its patient, so the clinic
    that owns the record sees who tried. Anonymous callers never reach an object lookup.
    """
    if not isinstance(denial, NotVisible | NotAllowed) or not request.user.is_authenticated:
        return None
    write = request.method not in SAFE_METHODS
    return AuditEvent.objects.create(
        **_base(request),
        role=role_for(request.user, None)[:20],  # all the actor's roles: none reached the record
        patient=denial.patient,
        action=AuditAction.DENIED_WRITE if write else AuditAction.DENIED_READ,
        object_type=_text(denial.object_type, 60),
        object_id=_text(denial.object_id, AuditEvent._meta.get_field("object_id").max_length),
    )


def record_list(
    request: HttpRequest,
    patients: Iterable[Patient],
    *,
    object_type: str,
    action: AuditAction | str = AuditAction.READ,
) -> int:
    """One event per distinct patient shown in a list, written in a single query."""
    seen: dict[int, Patient] = {}
    for patient in patients:
        seen.setdefault(patient.pk, patient)
    if not seen:
        return 0
    base = _base(request)
    role = role_for(request.user, None)
    events = [
        AuditEvent(
            **base, role=role, patient=patient, action=action, object_type=object_type,
            object_id=str(patient.uuid),
        )
        for patient in seen.values()
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
