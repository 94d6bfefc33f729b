"""Demo episodes for `manage.py seed_demo`: three weeks of diary for each demo baby.

Made through ``episode_create`` so triage, review cases and notices are real.
Idempotent: each demo episode has a fixed client_id and is skipped once stored.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from episodes.models import Episode, Source
from episodes.services import episode_create

NAMESPACE = uuid.UUID("5b7c3f1e-2d4a-4c39-9a61-0e4f3b8d2c10")

SLEEP_TWITCH = {"duration_seconds": 4, "body_parts": ["left_foot"], "state": "asleep",
                "pattern": "isolated", "stops_when_held_or_woken": "not_tried"}
SLEEP_JERKS = {"duration_seconds": 40, "body_parts": ["right_leg", "right_foot"], "state": "asleep",
               "pattern": "cluster", "stops_when_held_or_woken": "yes"}
STARTLE = {"duration_seconds": 2, "body_parts": ["left_arm", "right_arm"], "state": "awake",
           "pattern": "isolated", "stops_when_held_or_woken": "not_tried"}
SHORT_RHYTHMIC = {"duration_seconds": 15, "body_parts": ["left_leg"], "state": "awake",
                  "pattern": "rhythmic", "stops_when_held_or_woken": "not_tried"}
LONG_RHYTHMIC = {"duration_seconds": 50, "body_parts": ["left_leg", "left_foot"], "state": "awake",
                 "pattern": "rhythmic", "stops_when_held_or_woken": "yes"}
JITTERY = {"duration_seconds": 10, "body_parts": ["left_arm", "right_arm"], "state": "crying",
           "pattern": "rhythmic", "stops_when_held_or_woken": "yes"}

# (days ago, hour, kind, notes, reported by phone); days ago counts back from today.
PLANS: dict[str, list[tuple[int, int, dict[str, Any], str, bool]]] = {
    "term": [
        (21, 2, SLEEP_TWITCH, "", False), (20, 23, SLEEP_TWITCH, "", False),
        (18, 3, SLEEP_JERKS, "Stopped as soon as he woke up.", False),
        (17, 14, STARTLE, "When the door slammed.", False), (15, 1, SLEEP_TWITCH, "", False),
        (13, 4, SLEEP_TWITCH, "", False), (12, 22, SLEEP_JERKS, "", False),
        (10, 16, SHORT_RHYTHMIC, "Left leg shaking while on the changing mat.", False),
        (9, 2, SLEEP_TWITCH, "", False), (7, 3, SLEEP_TWITCH, "", False),
        (4, 11, LONG_RHYTHMIC, "Mother called: the leg jerked regularly on the changing mat "
         "and settled once she held it.", True),
        (3, 1, SLEEP_TWITCH, "", False), (1, 23, SLEEP_TWITCH, "Just a tiny foot twitch.", False),
    ],
    "preterm": [
        (20, 5, SLEEP_TWITCH, "", False), (19, 1, SLEEP_TWITCH, "", False),
        (16, 9, STARTLE, "", False), (14, 2, SLEEP_TWITCH, "", False),
        (11, 18, JITTERY, "Chin and arms trembled while crying; stopped when held.", False),
        (8, 4, SLEEP_TWITCH, "", False), (5, 0, SLEEP_TWITCH, "", False),
        (2, 3, SLEEP_TWITCH, "", False),
    ],
}
REPORTERS = {"term": "parent", "preterm": "parent2"}


def seed(world: Any) -> None:
    today = timezone.localtime().replace(minute=10, second=0, microsecond=0)
    for key, plan in PLANS.items():
        patient = world.patients[key]
        parent = world.users[REPORTERS[key]]
        for index, (days_ago, hour, kind, notes, by_phone) in enumerate(plan):
            reporter = world.users["doctor"] if by_phone else parent
            client_id = uuid.uuid5(NAMESPACE, f"{patient.mrn}-{index}")
            if Episode.objects.filter(reporter=reporter, client_id=client_id).exists():
                continue
            episode_create(
                patient=patient, reporter=reporter, client_id=client_id, notes=notes,
                source=Source.PHONE if by_phone else Source.PARENT,
                started_at=today.replace(hour=hour) - timedelta(days=days_ago), **kind,
            )
