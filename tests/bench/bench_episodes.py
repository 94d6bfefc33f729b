"""Queries and time of the diary page and the episodes API as a child's diary grows,
and the time to triage one report (printed figures)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.ages import Age
from episodes.models import Episode
from episodes.triage import RULE_SET_VERSION, EpisodeReport, RecentHistory, assess
from tests.bench.measure import measure
from tests.episodes.helpers import ROUTINE, add_video

pytestmark = [pytest.mark.bench]

_TRIAGE = {"level": "routine", "headline": "h", "advice": "a",
           "reasons": [{"rule": "EP-TYPICAL", "level": "routine", "explanation": "e", "source": "s"}]}


def grow(patient, reporter, total: int) -> None:
    """Bring ``patient``'s diary to ``total`` episodes (bulk insert: the bench measures reads)."""
    have = Episode.objects.filter(patient=patient).count()
    now = timezone.now()
    Episode.objects.bulk_create([
        Episode(patient=patient, reporter=reporter, started_at=now - timedelta(hours=3 * i + 1),
                triage=_TRIAGE, level="routine", rule_set_version=RULE_SET_VERSION,
                content_hash="x", **ROUTINE)
        for i in range(have, total)
    ])




@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["episode-diary", "api:episode-list"])
def test_episode_lists_queries_do_not_grow(client, world, url_name):
    client.force_login(world.parent)
    url = (reverse(url_name, kwargs={"patient_id": world.patient.uuid})
           if url_name == "episode-diary" else reverse(url_name))
    grow(world.patient, world.parent, 10)
    add_video(Episode.objects.filter(patient=world.patient).first(), world.parent)
    small = measure(client, url)
    grow(world.patient, world.parent, 500)
    large = measure(client, url)
    print(f"\n{url_name}: 10 episodes -> {small}; 500 episodes -> {large}")
    assert small.queries == large.queries


def test_time_to_triage_one_report():
    reports = [
        EpisodeReport(started_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC), duration_seconds=120,
                      body_parts=frozenset({"left_leg"}), state="awake", pattern="rhythmic",
                      stops_when_held_or_woken="no", signs=frozenset({"eyes_rolling_or_fixed"})),
        EpisodeReport(started_at=datetime(2026, 11, 24, 3, 0, tzinfo=UTC), duration_seconds=5,
                      body_parts=frozenset({"left_foot"}), state="asleep", pattern="isolated",
                      stops_when_held_or_woken="not_tried", signs=frozenset()),
    ]
    age = Age(90, 90, "chronological")
    history = RecentHistory({1: 3, 2: 1, 5: 2})
    calls = 2000
    start = time.perf_counter()
    for i in range(calls):
        assess(reports[i % 2], age, history)
    per_call = (time.perf_counter() - start) / calls * 1_000_000
    print(f"\ntriage: {per_call:.1f} µs per assess over {calls} calls")
    assert per_call < 5_000
