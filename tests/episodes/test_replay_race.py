"""A replayed client_id is caught by the database's unique constraint, not by a look-up first.

There is no window between a key check and the save any more: the INSERT itself is the
check. A replay answers 200 with the stored episode, and the case work it did before the
failed INSERT (raising the open case) is undone with it, so nothing is counted twice and
the clinic is not told twice. (The concurrent race is in test_case_concurrency.py.)
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import ReviewCase
from episodes import services
from episodes.models import Episode
from tests.episodes.helpers import URGENT, payload


@pytest.mark.django_db
def test_a_replay_answers_the_stored_episode_and_leaves_the_case_alone(
    api, world, django_capture_on_commit_callbacks
):
    body = payload(world.patient, URGENT, client_id=str(uuid.uuid4()))
    api.force_authenticate(world.parent)
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = api.post("/api/v1/episodes/", body, format="json")
    assert first.status_code == 201 and len(first_callbacks) == 1  # the clinic is told
    case = ReviewCase.objects.get()
    case_versions = case.history.count()

    with django_capture_on_commit_callbacks() as replay_callbacks:
        replay = api.post("/api/v1/episodes/", body, format="json")
    assert replay.status_code == 200, replay.json()
    assert replay.json()["id"] == first.json()["id"]
    assert replay.json()["review_case"] == str(case.uuid)
    assert Episode.objects.filter(client_id=body["client_id"]).count() == 1
    assert case.history.count() == case_versions  # the raise before the INSERT was undone
    assert replay_callbacks == []  # and nobody is told again


@pytest.mark.django_db
def test_a_replay_of_a_report_now_too_old_still_answers_the_stored_episode(world, time_machine):
    """Validation that depends on today (a year back at most) does not refuse a repeat."""
    now = timezone.now()
    world.patient.date_of_birth = (now - timedelta(days=700)).date()
    world.patient.save()
    key = uuid.uuid4()
    fields = {"started_at": now - timedelta(days=360), **URGENT}
    stored, created = services.episode_create(patient=world.patient, reporter=world.parent,
                                              client_id=key, **fields)
    assert created
    time_machine.move_to(now + timedelta(days=30))
    again, created = services.episode_create(patient=world.patient, reporter=world.parent,
                                             client_id=key, **fields)
    assert (again.pk, created) == (stored.pk, False)
