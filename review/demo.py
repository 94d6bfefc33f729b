"""Demo rows for the review queue and dashboards (`manage.py seed_demo`, after the
episodes and evaluations demos). Idempotent: fixed client ids and MRNs.

Four more Riverside babies, each with a story a reviewer meets: an urgent report
waiting past its limit, a "soon" report waiting for days, an urgent case handled
and resolved, an emergency sent to care, plus ordinary sleep twitches spread over
three weeks so the per-day chart has a shape.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic import review
from clinic.models import CaseStatus, Patient
from episodes.models import Episode, Source
from episodes.services import episode_create

NAMESPACE = uuid.UUID("0f3f6a52-9d7e-4f0c-8b1e-5a2c7d4e9b61")

SLEEP = {"duration_seconds": 4, "body_parts": ["left_foot"], "state": "asleep",
         "pattern": "isolated", "stops_when_held_or_woken": "not_tried"}
SHORT_RHYTHMIC = {"duration_seconds": 15, "body_parts": ["left_leg"], "state": "awake",
                  "pattern": "rhythmic", "stops_when_held_or_woken": "not_tried"}  # soon
NOT_STOPPING = {"duration_seconds": 50, "body_parts": ["left_leg", "left_foot"], "state": "awake",
                "pattern": "rhythmic", "stops_when_held_or_woken": "no"}  # urgent with a plan
CLUSTER = {"duration_seconds": 20, "body_parts": ["left_arm", "right_arm"], "state": "waking",
           "pattern": "cluster", "stops_when_held_or_woken": "no"}  # emergency: a first seizure
UNRESPONSIVE = {"duration_seconds": 90, "body_parts": ["left_arm", "left_leg"], "state": "awake",
                "pattern": "rhythmic", "stops_when_held_or_woken": "no",
                "signs": ["unresponsive"]}  # emergency

# mrn: (given, family, age in days, [(hours ago, report, (ack after h, resolve after h, outcome))])
BABIES: dict[str, tuple[str, str, int, list[tuple[float, dict[str, Any], tuple | None]]]] = {
    "RP-1901": ("Ivy", "Moreno", 150, [(6, NOT_STOPPING, None)]),
    "RP-1902": ("Omar", "Haddad", 70, [(100, SHORT_RHYTHMIC, None)]),
    "RP-1903": ("Zoe", "Lindgren", 200, [(74, CLUSTER, (1.5, 26, "seen_in_clinic"))]),
    "RP-1904": ("Ethan", "Brooks", 45, [(190, UNRESPONSIVE, (0.3, 3, "emergency_care"))]),
}
# What the family reads as the outcome of each demo resolution.
FAMILY_LINES = {
    "seen_in_clinic": "We saw Zoe in clinic; the plan we agreed is in her notes. "
                      "Call us if it happens again.",
    "emergency_care": "Ethan was sent to the emergency department; the clinic will follow up after.",
}
SLEEP_EVERY_HOURS = 31  # routine reports for the chart, spread over three weeks
# Ivy has known epilepsy with a plan (CLINICAL.md 3a): her report is not a first seizure.
SEIZURE_PLANS = {
    "RP-1901": "Ivy has epilepsy. If a seizure lasts 5 minutes, give the rescue medicine as "
               "shown and call the emergency number. Shorter ones: lay her on her side, time "
               "it, and call the clinic the same day.",
}


@transaction.atomic
def seed(world: Any) -> None:
    clinic, doctor, reviewer = world.clinic, world.users["doctor"], world.users["reviewer"]
    now = timezone.now().replace(second=0, microsecond=0)
    for index, (mrn, (given, family, age_days, reports)) in enumerate(BABIES.items()):
        patient, _ = Patient.objects.get_or_create(
            clinic=clinic, mrn=mrn,
            defaults={"given_name": given, "family_name": family, "created_by": doctor,
                      "date_of_birth": timezone.localdate() - timedelta(days=age_days),
                      "known_seizure_disorder": mrn in SEIZURE_PLANS,
                      "seizure_plan": SEIZURE_PLANS.get(mrn, "")},
        )
        world.patients[f"review_{mrn}"] = patient
        plan = [(hours, kind, steps) for hours, kind, steps in reports]
        plan += [(h, SLEEP, None) for h in range(20 + index * 7, 21 * 24, SLEEP_EVERY_HOURS)]
        for number, (hours_ago, kind, steps) in enumerate(plan):
            client_id = uuid.uuid5(NAMESPACE, f"{mrn}-{number}")
            if Episode.objects.filter(reporter=doctor, client_id=client_id).exists():
                continue
            started = now - timedelta(hours=hours_ago)
            episode, _ = episode_create(
                patient=patient, reporter=doctor, client_id=client_id, source=Source.PHONE,
                started_at=started, notes="Phoned in by a parent (demo).", **kind,
            )
            # The clinic heard of it a quarter of an hour later, not at seeding time.
            reported = started + timedelta(minutes=15)
            Episode.objects.filter(pk=episode.pk).update(created_at=reported)
            case = episode.review_case
            if steps and case is not None and case.status != CaseStatus.RESOLVED:
                ack_after, resolve_after, outcome = steps
                review.review_case_acknowledge(
                    case=case, by=reviewer, at=reported + timedelta(hours=ack_after)
                )
                review.review_case_resolve(
                    case=case, outcome=outcome, by=doctor, family_message=FAMILY_LINES[outcome],
                    at=reported + timedelta(hours=resolve_after), note="Demo outcome.",
                )
