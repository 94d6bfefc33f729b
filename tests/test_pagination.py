"""Paging keeps the filters and never piles up page parameters.

The patient list pages by keyset instead (tests/review/test_patient_list.py); the review
queue shows the shared page-number bar.
"""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PatientFactory
from tests.review.review_factories import make_case


def test_next_link_keeps_the_filter_and_replaces_the_page(client, world):
    for patient in PatientFactory.create_batch(60, clinic=world.clinic):
        make_case(patient, "urgent")
    client.force_login(world.reviewer)
    first = client.get(reverse("review:queue"), {"level": "urgent"})
    assert 'href="?level=urgent&amp;page=2"' in first.text
    second = client.get(reverse("review:queue"), {"level": "urgent", "page": 2})
    assert 'href="?level=urgent&amp;page=1"' in second.text
    assert "page=2&amp;page" not in second.text
