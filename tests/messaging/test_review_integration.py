"""The review queue shows family messages waiting for a reply, without a query per row."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Patient
from messaging.models import Message, Side, Thread
from review import selectors as review_selectors
from tests.conftest import client_for
from tests.messaging.helpers import send
from tests.review.review_factories import make_case


def test_queue_counts_unanswered_family_messages(client, world, clock):
    case = make_case(world.patient, "urgent")
    make_case(world.other_patient, "urgent")
    send(world.patient, world.parent, body="First")
    clock.shift(timedelta(minutes=1))
    send(world.patient, world.clinician, body="Answer")
    clock.shift(timedelta(minutes=1))
    send(world.patient, world.parent, body="Second")
    send(world.patient, world.parent, body="Third")
    rows = {c.patient_id: c.unanswered_messages
            for c in review_selectors.review_queue(world.reviewer)}
    assert rows == {world.patient.pk: 2, world.other_patient.pk: 0}
    page = client_for(client, world.reviewer).get(reverse("review:queue")).content.decode()
    assert page.count('data-testid="unanswered-messages"') == 1
    assert "2 messages awaiting a reply" in page
    assert case.get_absolute_url() in page


def _fill(world, n):
    patients = Patient.objects.bulk_create(
        Patient(clinic=world.clinic, given_name=f"C{i}", family_name="T",
                date_of_birth=date(2025, 12, 1)) for i in range(n))
    for patient in patients:
        make_case(patient, "urgent")
    threads = Thread.objects.bulk_create(Thread(patient=p) for p in patients)
    Message.objects.bulk_create(Message(thread=t, author=world.parent, side=Side.FAMILY, body="q",
                                        created_at=timezone.now()) for t in threads)


def test_queue_query_count_stays_with_messages(client, world):
    staff = client_for(client, world.reviewer)
    url = reverse("review:queue")
    counts = {}
    for total, add in ((10, 10), (50, 40)):  # the queue shows 50 a page
        _fill(world, add)
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(url)
        assert response.content.decode().count('data-testid="unanswered-messages"') == total
        counts[total] = len(queries)
    assert counts[10] == counts[50], counts
