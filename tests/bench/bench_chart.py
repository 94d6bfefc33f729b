"""Queries and time of the chart timeline as a patient's record grows (printed figures)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from episodes.models import Episode, EpisodeAttachment
from evaluations.models import Evaluation, Finding, FollowUpOrder
from evaluations.selectors import TIMELINE_PAGE
from tests.bench.measure import measure

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def add_items(world, count: int, offset: int = 0) -> None:
    """``count`` timeline items, a quarter of each kind with children (findings, videos)."""
    patient, clinician = world.patient, world.clinician
    now = timezone.now()
    per_kind = count // 3
    episodes = Episode.objects.bulk_create(
        Episode(patient=patient, reporter=world.parent, started_at=now - timedelta(hours=offset + i),
                duration_seconds=10, body_parts=["left_foot"], state="asleep", pattern="isolated",
                stops_when_held_or_woken="yes", level="routine", rule_set_version="bench",
                content_hash=f"{offset}-{i}",
                triage={"level": "routine", "headline": "Typical sleep twitches",
                        "reasons": [{"rule": "EP-TYPICAL"}]})
        for i in range(per_kind)
    )
    EpisodeAttachment.objects.bulk_create(
        EpisodeAttachment(episode=e, kind="video", file="private/episodes/bench.mp4",
                          content_type="video/mp4", size=1, uploaded_by=world.parent)
        for e in episodes
    )
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(patient=patient, clinician=clinician, performed_at=now - timedelta(hours=offset + i),
                   age_chronological_days=90, age_corrected_days=90, age_uses="chronological")
        for i in range(per_kind)
    )
    Finding.objects.bulk_create(
        Finding(evaluation=ev, rule="TONE-INCREASED", level="soon", kind="tone", explanation="x",
                source="NORITZ")
        for ev in evaluations
    )
    FollowUpOrder.objects.bulk_create(
        FollowUpOrder(patient=patient, code="eeg", test="EEG", ordered_by=clinician,
                      ordered_at=now - timedelta(hours=offset + i))
        for i in range(count - 2 * per_kind)
    )




def test_chart_timeline_queries_do_not_grow(client, world):
    client.force_login(world.clinician)
    url = reverse("chart", args=[world.patient.uuid])
    add_items(world, 10)
    small = measure(client, url)
    add_items(world, 290, offset=1000)
    large = measure(client, url)
    small_items, large_items = (len(m.response.context["items"]) for m in (small, large))
    print(f"\nchart timeline: 10 items -> {small}; 300 items ({large_items} on the first page) "
          f"-> {large}")
    # 300 entries on the chart, the first page shows TIMELINE_PAGE of them.
    assert (small_items, large_items) == (10, TIMELINE_PAGE)
    assert large.response.context["older_than"] is not None
    assert small.queries == large.queries


def test_evaluation_api_list_queries_do_not_grow(api, world):
    api.force_authenticate(world.clinician)
    add_items(world, 10)
    url = "/api/v1/evaluations/"
    api.get(url)
    with CaptureQueriesContext(connection) as small:
        api.get(url)
    add_items(world, 290, offset=1000)
    with CaptureQueriesContext(connection) as large:
        response = api.get(url)
    print(f"\nevaluation API list: 3 -> {len(small)} queries; "
          f"{response.json()['count']} -> {len(large)} queries")
    assert len(small) == len(large)
