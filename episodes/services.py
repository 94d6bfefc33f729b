"""Writes of episodes: create with triage and flagging, mark in error, attach a file."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from clinic.access import Action, can
from clinic.levels import Level
from clinic.services import review_case_raise
from episodes.models import (
    Episode,
    EpisodeAttachment,
    EpisodeStatus,
    Source,
    validate_started_at_for,
)
from episodes.selectors import episode_recent_history
from episodes.tasks import notify_clinic
from episodes.triage import (
    RULE_SET_VERSION,
    SIGNS,
    EpisodeReport,
    TriageResult,
    assess,
    is_convulsive,
)
from episodes.uploads import check_upload, store_checked

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from clinic.models import Patient

NOTIFY_LEVELS = frozenset({Level.URGENT, Level.EMERGENCY})
SIGN_CODES = frozenset(code for code, _label in SIGNS)


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
    unsure_signs: Iterable[str] = (),
    notes: str = "",
) -> EpisodeReport:
    return EpisodeReport(
        started_at=started_at, duration_seconds=duration_seconds,
        body_parts=frozenset(body_parts), state=state, pattern=pattern,
        stops_when_held_or_woken=stops_when_held_or_woken, signs=frozenset(signs),
        temperature_c=temperature_c, unsure_signs=frozenset(unsure_signs),
        notes=notes or "",
    )


def episode_assess(
    *, patient: Patient, before: datetime | None = None, **fields: object
) -> TriageResult:
    """The triage a report would get now, stored nowhere (the "Check" step and the API)."""
    report = _report(**fields)  # type: ignore[arg-type]
    try:
        validate_started_at_for(patient, report.started_at)
    except ValidationError as exc:
        raise ValidationError({"started_at": exc.messages}) from exc
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
    if fields.get("unsure_signs"):  # only when given, so earlier hashes stay valid
        canonical["unsure_signs"] = sorted(fields["unsure_signs"])  # type: ignore[call-overload]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _existing(reporter: AbstractBaseUser, client_id: uuid.UUID, content_hash: str) -> Episode | None:
    episode = Episode.objects.filter(reporter=reporter, client_id=client_id).first()
    if episode is not None and episode.content_hash != content_hash:
        raise ClientIdConflict(_("This client_id was already used for a different report."))
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
    unsure_signs: list[str] | None = None,
    on_stored: Callable[[Episode], object] | None = None,
) -> tuple[Episode, bool]:
    """Triage and store one report; returns ``(episode, created)``.

    ``on_stored`` (the caller's audit event) runs in the report's own transaction, so the
    two commit together, in one commit; it does not run for a replay.

    A repeated ``client_id`` from the same reporter returns the stored episode
    (``created`` False) or raises ``ClientIdConflict`` when the content differs.
    Above routine, the patient's review case is opened or raised and linked; for
    urgent and emergency the clinic is notified once the transaction commits.
    """
    fields: dict[str, object] = {
        "started_at": started_at, "duration_seconds": duration_seconds,
        "body_parts": list(body_parts), "state": state, "pattern": pattern,
        "stops_when_held_or_woken": stops_when_held_or_woken, "signs": list(signs or []),
        "temperature_c": temperature_c, "unsure_signs": list(unsure_signs or []),
    }
    content_hash = _content_hash(patient, {**fields, "notes": notes})
    # The client_id is checked by the database's unique constraint alone (no look-up
    # first): a repeat fails the INSERT and is answered from the stored row below.
    try:
        result = episode_assess(patient=patient, notes=notes, **fields)
    except ValidationError:
        # A repeat of a report that was valid when stored (e.g. now more than a year
        # old) still answers with the stored episode, as it did before.
        existing = _existing(reporter, client_id, content_hash) if client_id else None
        if existing is None:
            raise
        return existing, False
    episode = Episode(
        patient=patient, reporter=reporter, source=source, notes=notes, client_id=client_id,
        convulsive=is_convulsive(_report(**fields)),  # type: ignore[arg-type]
        content_hash=content_hash, triage=result.as_dict(), level=str(result.level),
        rule_set_version=result.rule_set_version or RULE_SET_VERSION, **fields,
    )
    # Field validators cover the check constraints. What the database checks itself is
    # left to it: the unique uuid and client_id (an IntegrityError below answers a replay
    # with the stored row) and the foreign keys to the patient and reporter in hand.
    episode.full_clean(
        exclude=["content_hash", "rule_set_version", "level", "triage", "uuid", "patient",
                 "reporter", "review_case", "entered_in_error_by"],
        validate_unique=False, validate_constraints=False,
    )
    try:
        with transaction.atomic():
            # The case first, so the episode is inserted once, already linked to it.
            episode.review_case = review_case_raise(
                patient=patient, level=result.level,
                reasons=[reason.as_dict() for reason in result.reasons], at=started_at,
            )
            episode.save(force_insert=True)
            if on_stored is not None:
                on_stored(episode)
    except IntegrityError:
        # A repeated key (or a concurrent twin that won the race): answer with its row.
        # The case changes above were rolled back with the failed INSERT.
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
        raise ValidationError({"reason": _("Say briefly why this report is a mistake.")})
    if not episode.is_active:
        raise ValidationError({"reason": _("This report is already marked as entered in error.")})
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
    """Check the file first; only an accepted file reaches storage and the database.

    No file joins a report marked entered in error, and a report holds at most
    ``MAX_ATTACHMENTS_PER_EPISODE`` files (the episode row is locked while counting, so
    simultaneous uploads cannot pass the cap together).
    """
    limit = settings.MAX_ATTACHMENTS_PER_EPISODE
    with transaction.atomic():
        current = Episode.objects.select_for_update().get(pk=episode.pk)
        if not current.is_active:
            raise ValidationError(_("This report is marked as entered in error: no files can be added."))
        if current.attachments.count() >= limit:
            raise ValidationError(_("A report can hold at most %(limit)d files.") % {"limit": limit})
        return _attachment_store(episode=current, upload=upload, by=by)


def _attachment_store(*, episode: Episode, upload: UploadedFile, by: AbstractBaseUser
                      ) -> EpisodeAttachment:
    checked = check_upload(upload)
    attachment = EpisodeAttachment(
        episode=episode, kind=checked.kind, content_type=checked.content_type,
        size=checked.size, uploaded_by=by,
    )
    with transaction.atomic():
        return store_checked(attachment, checked, upload)


def _stored_report(episode: Episode) -> dict[str, object]:
    return {
        "started_at": episode.started_at, "duration_seconds": episode.duration_seconds,
        "body_parts": episode.body_parts, "state": episode.state, "pattern": episode.pattern,
        "stops_when_held_or_woken": episode.stops_when_held_or_woken, "signs": episode.signs,
        "temperature_c": episode.temperature_c, "unsure_signs": episode.unsure_signs,
        "notes": episode.notes,  # added notes are read for danger words too
    }


def episode_add_details(
    *,
    episode: Episode,
    by: AbstractBaseUser,
    notes: str = "",
    upload: UploadedFile | None = None,
) -> tuple[Episode, EpisodeAttachment | None]:
    """Add notes and/or a video or photo to a saved report, then triage it again.

    The history table keeps every earlier version. For a parent the level can only
    rise (what they were told stands); a clinician's edit takes the new triage as it is.
    A rise above routine raises the review case and, at urgent or emergency, tells the
    clinic, exactly as a new report would.
    """
    notes = (notes or "").strip()
    if not notes and upload is None:
        raise ValidationError({"notes": _("Write a note or choose a video or photo to add.")})
    if not episode.is_active:
        raise ValidationError({"notes": _("This report is marked as a mistake; add nothing to it.")})
    limit = Episode._meta.get_field("notes").max_length
    too_long = ValidationError({"notes": _("The notes are too long; keep them under 4000 characters.")})
    if notes and len(episode.notes) + len(notes) + 2 > limit:
        raise too_long  # before any file is stored
    if upload is not None:
        check_upload(upload)  # refuse a bad file before anything changes
    with transaction.atomic():
        episode = Episode.objects.select_for_update().select_related("patient").get(pk=episode.pk)
        combined = f"{episode.notes}\n\n{notes}".strip() if episode.notes else notes
        if notes and len(combined) > limit:
            raise too_long
        attachment = attachment_add(episode=episode, upload=upload, by=by) if upload else None
        if not notes:
            return episode, attachment
        episode.notes = combined
        before = Level(episode.level)
        result = episode_assess(patient=episode.patient, **_stored_report(episode))
        # Danger words the added notes name for the first time (CLINICAL.md 3a): a clinician
        # must read them even when the level stays, and the parent is asked to tick the sign.
        new_words = _note_words(result.as_dict()) - _note_words(episode.triage)
        clinician = can(by, Action.CHART, episode.patient)
        rises = result.level.rank > before.rank
        if clinician or rises or (new_words and result.level.rank == before.rank):
            episode.triage = result.as_dict()
            episode.level = str(result.level)
            episode.rule_set_version = result.rule_set_version
        episode.save(update_fields=["notes", "triage", "level", "rule_set_version", "updated_at"])
        if rises or new_words:
            _raise_case(episode, result, notify=rises)
    return episode, attachment


def _note_words(triage: object) -> set[tuple[str, str]]:
    """(sign, word) pairs a stored or fresh answer read in the notes."""
    matched = triage.get("notes_matched", []) if isinstance(triage, dict) else []
    return {
        (str(m.get("sign")), str(word))
        for m in matched if isinstance(m, dict) for word in (m.get("words") or [])
    }


def _raise_case(episode: Episode, result: TriageResult, *, notify: bool) -> None:
    """Open or raise the patient's review case with the answer's reasons and link the episode;
    at urgent or emergency, tell the clinic once the transaction commits (``notify``)."""
    case = review_case_raise(
        patient=episode.patient, level=result.level,
        reasons=[reason.as_dict() for reason in result.reasons], at=episode.started_at,
    )
    if case is not None and episode.review_case_id != case.pk:
        episode.review_case = case
        episode.save(update_fields=["review_case", "updated_at"])
    if notify and result.level in NOTIFY_LEVELS:
        episode_id = str(episode.uuid)
        transaction.on_commit(lambda: notify_clinic.enqueue(episode_id))


def episode_confirm_sign(*, episode: Episode, by: AbstractBaseUser, sign: str) -> Episode:
    """The parent ticks a sign the notes named ("she went stiff": yes, stiff): CLINICAL.md 3a.

    Only a sign the stored answer read in the notes can be ticked here. The sign joins the
    report (no longer "not sure"), the triage runs again and the ticked sign gives its own
    level; for a parent the level never drops (what they were told stands), a clinician's
    tick takes the new triage. The history table keeps the earlier version; a rise raises
    the review case and, at urgent or emergency, tells the clinic, as a new report would.
    """
    if not episode.is_active:
        raise ValidationError({"sign": _("This report is marked as a mistake; add nothing to it.")})
    with transaction.atomic():
        episode = Episode.objects.select_for_update().select_related("patient").get(pk=episode.pk)
        named = {word_sign for word_sign, _word in _note_words(episode.triage)}
        if sign not in named or sign not in SIGN_CODES:
            raise ValidationError({"sign": _("Your notes did not name that sign.")})
        if sign in episode.signs:
            return episode
        episode.signs = [*episode.signs, sign]
        episode.unsure_signs = [s for s in (episode.unsure_signs or []) if s != sign]
        episode.convulsive = is_convulsive(_report(**_stored_report(episode)))  # type: ignore[arg-type]
        before = Level(episode.level)
        result = episode_assess(patient=episode.patient, **_stored_report(episode))
        rises = result.level.rank > before.rank
        if can(by, Action.CHART, episode.patient) or result.level.rank >= before.rank:
            episode.triage = result.as_dict()
            episode.level = str(result.level)
            episode.rule_set_version = result.rule_set_version
        episode.save(update_fields=["signs", "unsure_signs", "convulsive", "triage", "level",
                                    "rule_set_version", "updated_at"])
        if rises:
            _raise_case(episode, result, notify=True)
    return episode


# The quick log records what the parent affirmed by its three taps: one part, asleep or
# awake, a single brief twitch that stopped by itself, no warning sign. Design choice:
# 2 seconds stands for "a second or two" (no threshold: EP-TYPICAL needs no duration).
QUICK_LOG_SECONDS = 2
# Stored in English like any record text (the notes reader reads it as it reads a parent's
# words); pages show it in the reader's language (episode_tags.episode_notes).
QUICK_LOG_NOTE = gettext_noop("Logged with the quick log: a single brief twitch, no warning signs.")


def quick_log_fields(*, body_part: str, state: str) -> dict[str, object]:
    return {
        "started_at": timezone.now().replace(microsecond=0), "duration_seconds": QUICK_LOG_SECONDS,
        "body_parts": [body_part], "state": state, "pattern": "isolated",
        "stops_when_held_or_woken": "not_tried", "signs": [],
        "notes": QUICK_LOG_NOTE,
    }
