"""clinic/history.py: history rows as django-simple-history keeps them, its manager built once."""

from __future__ import annotations

import pytest

from clinic.history import OnceBuiltHistoryManager
from episodes.models import Episode
from evaluations.models import Evaluation
from tests.episodes.helpers import ROUTINE, make_episode

pytestmark = pytest.mark.django_db


def test_every_history_access_reuses_one_manager_class_bound_to_its_record(world):
    first = make_episode(world.patient, world.parent, ROUTINE)
    second = make_episode(world.patient, world.parent, ROUTINE)
    first.notes = "It happened again after the bath."
    first.save()
    assert type(first.history) is type(second.history) is type(Episode.history)
    assert isinstance(first.history, OnceBuiltHistoryManager)
    # Each access is still bound to its own record: its rows, newest first, and no other's.
    assert [row.history_type for row in first.history.all()] == ["~", "+"]
    assert first.history.first().notes == "It happened again after the bath."
    assert [row.history_type for row in second.history.all()] == ["+"]
    assert Episode.history.filter(uuid=first.uuid).count() == 2


def test_every_tracked_model_uses_it():
    from django.apps import apps

    tracked = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]
    assert Episode in tracked and Evaluation in tracked
    for model in tracked:
        manager = getattr(model, model._meta.simple_history_manager_attribute)
        assert isinstance(manager, OnceBuiltHistoryManager), model
