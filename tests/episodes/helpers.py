"""Report payloads and stored episodes for the episodes tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

# A typical sleep twitch: routine.
ROUTINE: dict[str, Any] = {
    "duration_seconds": 5, "body_parts": ["left_foot"], "state": "asleep",
    "pattern": "isolated", "stops_when_held_or_woken": "not_tried", "signs": [],
}
# 40 s of regular jerking that stopped when the leg was held: urgent (EP-RHYTHMIC-30S),
# and not convulsive, so it stays urgent however often it is stored.
URGENT: dict[str, Any] = {
    "duration_seconds": 40, "body_parts": ["left_leg", "left_foot"], "state": "awake",
    "pattern": "rhythmic", "stops_when_held_or_woken": "yes", "signs": [],
}
# Two minutes of rhythmic jerking with eyes rolling that did not stop when held: a
# convulsive episode (emergency the first time: EP-FIRST-SEIZURE).
SEIZURE: dict[str, Any] = {
    "duration_seconds": 120, "body_parts": ["left_leg", "left_foot"], "state": "awake",
    "pattern": "rhythmic", "stops_when_held_or_woken": "no", "signs": ["eyes_rolling_or_fixed"],
}
EMERGENCY: dict[str, Any] = {**URGENT, "signs": ["breathing_difficulty"]}


def payload(child: Any, kind: dict[str, Any] = ROUTINE, **overrides: Any) -> dict[str, Any]:
    """An API body for ``child`` (started ten minutes ago)."""
    started = timezone.now() - timedelta(minutes=10)
    return {"patient": str(child.uuid), "started_at": started.isoformat(), **kind, **overrides}


def make_episode(patient: Any, reporter: Any, kind: dict[str, Any] = ROUTINE, **overrides: Any) -> Any:
    """Store an episode through the service, so triage and review cases are real."""
    from episodes.services import episode_create

    fields = {"started_at": timezone.now() - timedelta(minutes=10), **kind, **overrides}
    episode, _ = episode_create(patient=patient, reporter=reporter, **fields)
    return episode

# Smallest byte strings the content sniffer recognises.
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 8
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def add_video(episode: Any, by: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from episodes.services import attachment_add

    upload = SimpleUploadedFile("clip.mp4", MP4_BYTES, content_type="video/mp4")
    return attachment_add(episode=episode, upload=upload, by=by)


# The three danger questions come first in the report form and must be answered.
DANGER_NO = {"sign_breathing_difficulty": "no", "sign_color_change": "no", "sign_unresponsive": "no"}
