"""The review demo is idempotent and gives the dashboard something to show."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from clinic.demo import seed_core
from clinic.models import ReviewCase
from episodes.models import Episode
from review import dashboards
from review import demo as review_demo
from review.forms import default_range


def test_seed_twice_changes_nothing_and_fills_the_dashboard(db):
    world = seed_core()
    review_demo.seed(world)
    counts = (Episode.objects.count(), ReviewCase.objects.count())
    review_demo.seed(seed_core())
    assert (Episode.objects.count(), ReviewCase.objects.count()) == counts

    reviewer = get_user_model().objects.get(username="reviewer")
    start, end = default_range()
    board = dashboards.dashboard(reviewer, dashboards.scope_for(reviewer, start=start, end=end))
    assert board.open_cases.by_level["urgent"] >= 1 and board.open_cases.overdue >= 1
    assert board.episodes.total > 30 and len(board.rules) >= 3
    assert all(median.count >= 1 for median in board.medians)
    resolved = ReviewCase.objects.filter(status="resolved").values_list("outcome", flat=True)
    assert set(resolved) == {"seen_in_clinic", "emergency_care"}
