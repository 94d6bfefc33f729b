"""The staff's daily pages at 10 and 500 rows: patient list, message inbox and review queue.

Prints queries and wall time (second request, after a warm-up) for each page at both sizes;
fails when the query count grows with the rows. Run on PostgreSQL for the figures that
README and the issue notes quote: `DATABASE_URL=postgres://... make bench`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from clinic.models import Guardianship
from messaging.models import Side
from messaging.services import message_send
from tests.bench.measure import measure
from tests.factories import PatientFactory, UserFactory
from tests.review.review_factories import episode, make_case

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PAGES = {"patient list": "patient-list", "message inbox": "messaging:inbox", "review queue": "review:queue"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def grow_to(world, rows: int) -> None:
    """``rows`` children in the clinic, each with a parent, an urgent episode in an open
    case and one unread family message: every column of every page has something to show."""
    have = world.clinic.patients.count()
    for n in range(have, rows):
        child = PatientFactory(clinic=world.clinic)
        parent = UserFactory()
        Guardianship.objects.create(user=parent, patient=child, relationship="mother")
        case = make_case(child, opened_at=NOW - timedelta(hours=n % 48 + 1))
        episode(child, parent, level="urgent", case=case, started_at=NOW - timedelta(hours=n % 48 + 1))
        message_send(patient=child, author=parent, side=Side.FAMILY, body="Is this normal?")


@pytest.mark.parametrize("page", PAGES)
def test_daily_staff_pages_keep_their_queries_from_10_to_500_rows(client, world, page):
    client.force_login(world.reviewer if page == "review queue" else world.clinician)
    url = reverse(PAGES[page])
    grow_to(world, 10)
    small = measure(client, url)
    grow_to(world, 500)
    large = measure(client, url)
    print(f"\n{page}: 10 rows -> {small}; 500 rows -> {large}")
    assert small.queries == large.queries
