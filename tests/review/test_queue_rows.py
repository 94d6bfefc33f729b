"""The queue loads only what each row shows: the latest episode and a count, not every episode.

Rows loaded are counted as Episode instances built during the request (``post_init``),
so a case that collected 2,000 episodes costs the queue one episode row, and its case
page the newest ten.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import Patient, ReviewCase
from episodes.models import Episode
from review import selectors
from tests.factories import PatientFactory
from tests.review.review_factories import episode, make_case, reason, suggestion

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@contextmanager
def episodes_loaded():
    loaded: list[Episode] = []

    def built(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(built, sender=Episode)
    try:
        yield loaded
    finally:
        post_init.disconnect(built, sender=Episode)


def cases(world, n: int, episodes_each: int = 2) -> None:
    """``n`` open cases of new children in Riverside, each with a few linked episodes."""
    patients = Patient.objects.bulk_create(PatientFactory.build_batch(n, clinic=world.clinic))
    made = ReviewCase.objects.bulk_create([
        ReviewCase(clinic=world.clinic, patient=p, level="urgent", opened_at=NOW - timedelta(hours=i),
                   oldest_unacknowledged_at=NOW - timedelta(hours=i), reasons=[reason("EP-TEST")])
        for i, p in enumerate(patients)
    ])
    Episode.objects.bulk_create([
        episode(case.patient, world.parent, level="urgent", case=case, save=False,
                started_at=NOW - timedelta(minutes=10 * k + 1))
        for case in made for k in range(episodes_each)
    ])


def test_queue_queries_are_the_same_for_10_and_500_cases(client, world):
    client.force_login(world.reviewer)
    url = reverse("review:queue")
    cases(world, 10)
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as small:
        first = client.get(url)
    cases(world, 490)
    with CaptureQueriesContext(connection) as large:
        second = client.get(url)
    assert len(first.context["cases"]) == 10 and len(second.context["cases"]) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
    assert all(row.episode_count == 2 and len(row.latest_episodes) == 1
               for row in second.context["cases"])


def test_a_case_with_2000_episodes_loads_one_in_the_queue_and_ten_on_its_page(client, world):
    case = make_case(world.patient, "urgent")
    Episode.objects.bulk_create([
        episode(world.patient, world.parent, level="soon", case=case, save=False,
                started_at=NOW - timedelta(minutes=5 * k + 10))
        for k in range(2000)
    ])
    newest = episode(world.patient, world.parent, level="urgent", case=case,
                     started_at=NOW - timedelta(minutes=1))
    episode(world.patient, world.parent, level="emergency", case=case, status="entered_in_error",
            started_at=NOW)  # a mistake is never the latest
    suggestion(world.patient, "eeg")
    client.force_login(world.reviewer)
    with episodes_loaded() as loaded:
        response = client.get(reverse("review:queue"))
    (row,) = response.context["cases"]
    assert [e.pk for e in loaded] == [newest.pk] == [e.pk for e in row.latest_episodes]
    assert row.episode_count == 2001
    assert "2001 episodes linked" in response.text

    with episodes_loaded() as loaded:
        page = client.get(case.get_absolute_url())
    assert len(loaded) == selectors.CASE_PAGE_EPISODES == 10
    assert page.context["latest_episode"].pk == newest.pk
    assert [e.started_at for e in page.context["case"].episode_list] == sorted(
        (e.started_at for e in loaded), reverse=True)
    assert "The newest 10 of 2001 episodes" in page.text


def test_the_queue_stays_composable(world):
    """Another annotation (say, unread messages) adds to the rows without multiplying them."""
    from django.db.models import Count

    cases(world, 3, episodes_each=4)
    queue = selectors.review_queue(world.reviewer).annotate(n_reasons=Count("patient__episodes"))
    rows = list(queue)
    assert len(rows) == 3 and all(r.episode_count == 4 and r.n_reasons == 4 for r in rows)
