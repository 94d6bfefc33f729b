"""Queries and time per patient-list request as the clinic grows (printed figures)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.bench.measure import measure
from tests.factories import PatientFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]




@pytest.mark.parametrize("url_name", ["patient-list", "api:patient-list"])
def test_patient_list_queries_do_not_grow(client, world, url_name):
    client.force_login(world.clinician)
    url = reverse(url_name)
    PatientFactory.create_batch(8, clinic=world.clinic)  # 10 in the clinic
    small = measure(client, url)
    PatientFactory.create_batch(190, clinic=world.clinic)  # 200 in the clinic
    large = measure(client, url)
    print(f"\n{url_name}: 10 patients -> {small}; 200 patients -> {large}")
    assert small.queries == large.queries
