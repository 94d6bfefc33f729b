"""Queries and time per patient-list request as the clinic grows (printed figures)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PatientFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def measure(client, url: str) -> tuple[int, float]:
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return len(ctx.captured_queries), elapsed


@pytest.mark.parametrize("url_name", ["patient-list", "api:patient-list"])
def test_patient_list_queries_do_not_grow(client, world, url_name):
    client.force_login(world.clinician)
    url = reverse(url_name)
    PatientFactory.create_batch(8, clinic=world.clinic)  # 10 in the clinic
    small_queries, small_time = measure(client, url)
    PatientFactory.create_batch(190, clinic=world.clinic)  # 200 in the clinic
    large_queries, large_time = measure(client, url)
    print(f"\n{url_name}: 10 patients -> {small_queries} queries {small_time * 1000:.1f} ms; "
          f"200 patients -> {large_queries} queries {large_time * 1000:.1f} ms")
    assert small_queries == large_queries
