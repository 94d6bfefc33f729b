"""Demo episodes: varied, flagged where they should be, and safe to seed twice."""

from __future__ import annotations

from collections import Counter

import pytest

from clinic.models import ReviewCase
from episodes.models import Episode

pytestmark = pytest.mark.django_db


def test_demo_episodes_are_varied_flagged_and_idempotent(django_capture_on_commit_callbacks):
    from clinic.demo import seed_core
    from episodes import demo

    world = seed_core()
    demo.seed(world)
    count = Episode.objects.count()
    demo.seed(world)
    assert Episode.objects.count() == count >= 20
    levels = Counter(Episode.objects.values_list("level", flat=True))
    assert levels["routine"] > levels["soon"] >= 2 and levels["urgent"] == 1
    assert set(Episode.objects.values_list("patient__given_name", flat=True)) == {"Noah", "Lucia"}
    flagged = {case.patient.given_name: case.level for case in ReviewCase.objects.all()}
    assert flagged == {"Noah": "urgent", "Lucia": "soon"}
    assert Episode.objects.filter(source="phone").count() == 1
