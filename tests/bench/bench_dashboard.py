"""Dashboard queries and render time at 100 and 5,000 episodes (printed figures).

Run on PostgreSQL with DATABASE_URL set; the query count must not depend on the data.
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clinic.models import CaseStatus, ReviewCase
from episodes.models import Episode
from evaluations.models import Suggestion
from tests.bench.measure import measure
from tests.factories import PatientFactory
from tests.review.review_factories import episode

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

LEVELS = ["routine"] * 6 + ["soon"] * 2 + ["urgent", "emergency"]
RULES = ["EP-TYPICAL", "EP-RHYTHMIC-30S", "EP-NOT-SUPPRESSIBLE", "EP-FEVER", "EP-SPASM-CLUSTER"]
CODES = ["eeg", "brain_mri", "physical_therapy", "creatine_kinase"]


def grow(world, patients, episodes: int, rng: random.Random) -> None:
    """Add ``episodes`` episodes (and a case and suggestions per patient) with bulk inserts."""
    now = timezone.now()
    cases = {}
    for patient in patients:
        if not ReviewCase.objects.filter(patient=patient).exists():
            status = rng.choice([CaseStatus.OPEN, CaseStatus.ACKNOWLEDGED, CaseStatus.RESOLVED])
            opened = now - timedelta(hours=rng.randint(1, 400))
            cases[patient.pk] = ReviewCase(
                clinic_id=patient.clinic_id, patient=patient, level=rng.choice(["soon", "urgent"]),
                status=status, opened_at=opened,
                oldest_unacknowledged_at=opened if status == CaseStatus.OPEN else None,
                acknowledged_at=None if status == CaseStatus.OPEN else opened + timedelta(hours=2),
                resolved_at=opened + timedelta(hours=30) if status == CaseStatus.RESOLVED else None,
                reasons=[{"rule": rng.choice(RULES)}],
            )
    ReviewCase.objects.bulk_create(cases.values())
    case_of = dict(ReviewCase.objects.filter(patient__in=patients).exclude(
        status=CaseStatus.RESOLVED).values_list("patient_id", "id"))
    rows = []
    for _ in range(episodes):
        patient = rng.choice(patients)
        level = rng.choice(LEVELS)
        rows.append(episode(
            patient, world.parent, level=level, save=False,
            started_at=now - timedelta(minutes=rng.randint(10, 29 * 24 * 60)),
            rules=tuple(rng.sample(RULES, rng.randint(1, 2))),
            review_case_id=case_of.get(patient.pk) if level != "routine" else None,
        ))
    Episode.objects.bulk_create(rows, batch_size=1000)
    Suggestion.objects.bulk_create(
        [Suggestion(patient=rng.choice(patients), code=rng.choice(CODES), priority="soon",
                    status=rng.choice(["suggested", "accepted"]), reasons=[])
         for _ in range(episodes // 10)],
        batch_size=1000,
    )




@pytest.mark.parametrize("url_name", ["review:dashboard", "admin:index"])
def test_dashboard_queries_do_not_grow(client, world, url_name):
    rng = random.Random(5)
    user = world.clinic_admin if url_name == "admin:index" else world.reviewer
    client.force_login(user)
    url = reverse(url_name)
    patients = [PatientFactory(clinic=world.clinic) for _ in range(40)]
    grow(world, patients, 100, rng)
    small = measure(client, url)
    grow(world, patients, 4900, rng)
    assert Episode.objects.count() == 5000
    large = measure(client, url)
    print(f"\n{url_name} on {connection.vendor}: 100 episodes -> {small}; 5,000 episodes -> {large}")
    assert small.queries == large.queries
