"""Concurrent identical reports with one client_id store one episode (needs PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from episodes.models import Episode
from episodes.services import episode_create
from tests.episodes.helpers import ROUTINE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so the race cannot happen; CI runs this on PostgreSQL",
)
def test_concurrent_identical_posts_store_one_episode(world):
    key = uuid.uuid4()
    started = timezone.now() - timedelta(minutes=2)
    barrier = threading.Barrier(6)
    results: list[object] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            barrier.wait()
            episode, _created = episode_create(
                patient=world.patient, reporter=world.parent, client_id=key, started_at=started,
                **ROUTINE,
            )
            results.append(episode.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Episode.objects.count() == 1
    assert set(results) == {Episode.objects.get().pk}
