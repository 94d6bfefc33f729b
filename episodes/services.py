"""Writes of episodes: create with triage and flagging, mark in error, attach a file."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.access import Action, can
from clinic.levels import Level
from clinic.services import review_case_raise
from episodes.models import (
    Episode,
    EpisodeAttachment,
    EpisodeStatus,
    Source,
)
from episodes.selectors import episode_recent_history
from episodes.tasks import notify_clinic
from episodes.triage import RULE_SET_VERSION, EpisodeReport, TriageResult, assess, is_convulsive
from episodes.uploads import check_upload

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from clinic.models import Patient

NOTIFY_LEVELS = frozenset({Level.URGENT, Level.EMERGENCY})


class ClientIdConflict(Exception):
    """The idempotency key was used before for a different report."""


def _report(
    *,
    started_at: datetime,
    duration_seconds: int,
    body_parts: Iterable[str],
    state: str,
    pattern: str,
    stops_when_held_or_woken: str,
    signs: Iterable[str] = (),
    temperature_c: Decimal | None = None,
    notes: str = "",
) -> EpisodeReport:
    return EpisodeReport(
        started_at=started_at, duration_seconds=duration_seconds,
        body_parts=frozenset(body_parts), state=state, pattern=pattern,
        stops_when_held_or_woken=stops_when_held_or_woken, signs=frozenset(signs),
        temperature_c=temperature_c, notes=notes or "",
    )


def episode_assess(
    *, patient: Patient, before: datetime | None = None, **fields: object
) -> TriageResult:
    """The triage a report would get now, stored nowhere (the "Check" step and the API)."""
    report = _report(**fields)  # type: ignore[arg-type]
    history = episode_recent_history(patient=patient, before=before or report.started_at)
    return assess(report, patient.age(timezone.localtime(report.started_at).date()), history,
                  clinic_phone=patient.clinic.phone)


def _content_hash(patient: Patient, fields: dict[str, object]) -> str:
    canonical = {
        "patient": str(patient.uuid),
        "started_at": fields["started_at"].isoformat(),  # type: ignore[union-attr]
        "duration_seconds": int(fields["duration_seconds"]),  # type: ignore[arg-type]
        "body_parts": sorted(fields.get("body_parts") or []),  # type: ignore[type-var]
        "state": fields["state"],
        "pattern": fields["pattern"],
        "stops_when_held_or_woken": fields["stops_when_held_or_woken"],
        "signs": sorted(fields.get("signs") or []),  # type: ignore[type-var]
        "temperature_c": None if fields.get("temperature_c") is None
        else str(Decimal(str(fields["temperature_c"])).quantize(Decimal("0.1"))),
        "notes": (fields.get("notes") or "").strip(),  # type: ignore[union-attr]
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _existing(reporter: AbstractBaseUser, client_id: uuid.UUID, content_hash: str) -> Episode | None:
    episode = Episode.objects.filter(reporter=reporter, client_id=client_id).first()
    if episode is not None and episode.content_hash != content_hash:
        raise ClientIdConflict("This client_id was already used for a different report.")
    return episode


def episode_create(
    *,
    patient: Patient,
    reporter: AbstractBaseUser,
    started_at: datetime,
    duration_seconds: int,
    body_parts: list[str],
    state: str,
    pattern: str,
    stops_when_held_or_woken: str,
    signs: list[str] | None = None,
    temperature_c: Decimal | None = None,
    notes: str = "",
    source: str = Source.PARENT,
    client_id: uuid.UUID | None = None,
) -> tuple[Episode, bool]:
    """Triage and store one report; returns ``(episode, created)``.

    A repeated ``client_id`` from the same reporter returns the stored episode
    (``created`` False) or raises ``ClientIdConflict`` when the content differs.
    Above routine, the patient's review case is opened or raised and linked; for
    urgent and emergency the clinic is notified once the transaction commits.
    """
    fields: dict[str, object] = {
        "started_at": started_at, "duration_seconds": duration_seconds,
        "body_parts": list(body_parts), "state": state, "pattern": pattern,
        "stops_when_held_or_woken": stops_when_held_or_woken, "signs": list(signs or []),
        "temperature_c": temperature_c,
    }
    content_hash = _content_hash(patient, {**fields, "notes": notes})
    if client_id is not None:
        existing = _existing(reporter, client_id, content_hash)
        if existing is not None:
            return existing, False
    result = episode_assess(patient=patient, notes=notes, **fields)
    episode = Episode(
        patient=patient, reporter=reporter, source=source, notes=notes, client_id=client_id,
        convulsive=is_convulsive(_report(**fields)),  # type: ignore[arg-type]
        content_hash=content_hash, triage=result.as_dict(), level=str(result.level),
        rule_set_version=result.rule_set_version or RULE_SET_VERSION, **fields,
    )
    # Field validators cover the check constraints; the unique client_id is left to the
    # database, whose IntegrityError below answers a concurrent replay with the stored row.
    episode.full_clean(exclude=["content_hash", "rule_set_version", "level", "triage"],
                       validate_constraints=False)
    try:
        with transaction.atomic():
            episode.save()
            case = review_case_raise(
                patient=patient, level=result.level,
                reasons=[reason.as_dict() for reason in result.reasons], at=started_at,
            )
            if case is not None:
                episode.review_case = case
                episode.save(update_fields=["review_case", "updated_at"])
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its row.
        if client_id is None:
            raise
        existing = _existing(reporter, client_id, content_hash)
        if existing is None:
            raise
        return existing, False
    if result.level in NOTIFY_LEVELS:
        episode_id = str(episode.uuid)
        transaction.on_commit(lambda: notify_clinic.enqueue(episode_id))
    return episode, True


def episode_can_mark_in_error(user: AbstractBaseUser, episode: Episode) -> bool:
    """Clinicians may for their patients; a parent only for a report they made."""
    if can(user, Action.CHART, episode.patient):
        return True
    return episode.reporter_id == user.pk and can(user, Action.REPORT, episode.patient)


@transaction.atomic
def episode_mark_in_error(*, episode: Episode, by: AbstractBaseUser, reason: str) -> Episode:
    """Keep the row and its history; only say it was a mistake, who said so and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say briefly why this report is a mistake."})
    if not episode.is_active:
        raise ValidationError({"reason": "This report is already marked as entered in error."})
    episode.status = EpisodeStatus.ENTERED_IN_ERROR
    episode.entered_in_error_by = by
    episode.entered_in_error_reason = reason[:2000]
    episode.entered_in_error_at = timezone.now()
    episode.save(update_fields=[
        "status", "entered_in_error_by", "entered_in_error_reason", "entered_in_error_at",
        "updated_at",
    ])
    return episode


def attachment_add(
    *, episode: Episode, upload: UploadedFile, by: AbstractBaseUser
) -> EpisodeAttachment:
    """Check the file first; only an accepted file reaches storage and the database."""
    checked = check_upload(upload)
    attachment = EpisodeAttachment(
        episode=episode, kind=checked.kind, content_type=checked.content_type,
        size=checked.size, uploaded_by=by,
    )
    with transaction.atomic():
        attachment.file.save(f"upload{checked.extension}", upload, save=False)
        try:
            attachment.save()
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment
