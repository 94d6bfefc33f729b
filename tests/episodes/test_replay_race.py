"""A replay that loses the race to its twin between the key check and the save answers 200.

The interleaving is forced: the first look-up of the client_id misses (the twin has not
committed yet), then the row is there when the model's uniqueness check runs. Before,
``full_clean()`` turned that into a 400 ("Constraint ... is violated").
"""

from __future__ import annotations

import uuid

import pytest

from episodes import services
from episodes.models import Episode
from tests.episodes.helpers import URGENT, payload


@pytest.mark.django_db
def test_replay_that_lost_the_race_answers_the_stored_episode(api, world, monkeypatch):
    body = payload(world.patient, URGENT, client_id=str(uuid.uuid4()))
    api.force_authenticate(world.parent)
    first = api.post("/api/v1/episodes/", body, format="json")
    assert first.status_code == 201

    real_existing = services._existing
    calls = {"n": 0}

    def not_yet_committed(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real_existing(*args, **kwargs)

    monkeypatch.setattr(services, "_existing", not_yet_committed)
    replay = api.post("/api/v1/episodes/", body, format="json")
    assert replay.status_code == 200, replay.json()
    assert replay.json()["id"] == first.json()["id"]
    assert Episode.objects.filter(client_id=body["client_id"]).count() == 1
