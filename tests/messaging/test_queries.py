"""Query counts stay constant as rows grow 10 -> 500: the inbox, the thread page and
the unread annotation a patient list uses."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.access import patients_visible_to
from clinic.models import Patient
from messaging.models import Message, Side, Thread
from messaging.selectors import with_unread_for_clinic
from tests.conftest import client_for


def _patients_with_threads(world, n):
    patients = Patient.objects.bulk_create(
        Patient(clinic=world.clinic, given_name=f"Child{i}", family_name="Test",
                date_of_birth=date(2025, 12, 1)) for i in range(n))
    threads = Thread.objects.bulk_create(
        Thread(patient=p, last_message_at=timezone.now() - timedelta(minutes=i))
        for i, p in enumerate(patients))
    Message.objects.bulk_create(
        Message(thread=t, author=world.parent, side=Side.FAMILY if i % 2 else Side.CLINIC,
                body=f"m{i}", created_at=timezone.now() - timedelta(minutes=i))
        for i, t in enumerate(threads))
    return patients


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("rows", [10, 500])
def test_inbox_queries_do_not_grow(client, world, rows):
    _patients_with_threads(world, rows)
    staff = client_for(client, world.reviewer)
    count, response = _count(staff, reverse("messaging:inbox"))
    shown = response.content.decode().count('data-testid="inbox-row"')
    assert shown == min(rows, 50)
    # Unread family messages first: every row with unread comes before every row without.
    flags = [int(v) > 0 for v in re.findall(r'data-unread="(\d+)"', response.content.decode())]
    assert flags == sorted(flags, reverse=True) and any(flags)
    assert count <= 12, f"{count} queries for {rows} threads"


def test_inbox_same_count_at_10_and_500(client, world):
    counts = {}
    for rows in (10, 490):
        _patients_with_threads(world, rows)
        counts[rows] = _count(client_for(client, world.clinician), reverse("messaging:inbox"))[0]
    assert counts[10] == counts[490], counts
    print(f"inbox queries: {counts}")


def test_thread_page_same_count_at_10_and_500(client, world):
    thread = Thread.objects.create(patient=world.patient, last_message_at=timezone.now())
    counts = {}
    staff = client_for(client, world.clinician)
    url = reverse("messaging:thread", kwargs={"patient_id": world.patient.uuid})
    made = 0
    for rows in (10, 500):
        Message.objects.bulk_create(
            Message(thread=thread, author=world.parent if i % 2 else world.clinician,
                    side=Side.FAMILY if i % 2 else Side.CLINIC, body=f"m{i}",
                    created_at=timezone.now() + timedelta(seconds=made + i))
            for i in range(rows - made))
        made = rows
        counts[rows], response = _count(staff, url)
        assert response.content.decode().count('data-testid="message"') == min(rows, 50)
    assert counts[10] == counts[500], counts
    print(f"thread page queries: {counts}")


def test_unread_annotation_is_one_query_for_any_number_of_patients(world, django_assert_num_queries):
    _patients_with_threads(world, 500)
    queryset = with_unread_for_clinic(patients_visible_to(world.clinician).order_by("given_name"))
    with django_assert_num_queries(1):
        rows = list(queryset)
    assert len(rows) == 502
    unread = {p.given_name: p.unread_messages for p in rows}
    assert unread["Child1"] == 1 and unread["Child2"] == 0  # odd rows are the family's
    assert unread["Noah"] == 0
