"""Paging keeps the filters and never piles up page parameters."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PatientFactory


def test_next_link_keeps_the_search_and_replaces_the_page(client, world):
    PatientFactory.create_batch(60, clinic=world.clinic, family_name="Okafor")
    client.force_login(world.clinician)
    first = client.get(reverse("patient-list"), {"q": "Okafor"})
    assert 'href="?q=Okafor&amp;page=2"' in first.text
    second = client.get(reverse("patient-list"), {"q": "Okafor", "page": 2})
    assert 'href="?q=Okafor&amp;page=3"' in second.text
    assert 'href="?q=Okafor&amp;page=1"' in second.text
    assert "page=2&amp;page" not in second.text
