"""Dashboard figures: messages awaiting a reply and the median time to reply."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging.services import message_mark_sent_in_error
from review import dashboards
from review.message_figures import duration_text, message_figures
from tests.conftest import client_for
from tests.factories import GuardianshipFactory
from tests.messaging.helpers import send


def _scope(world, user):
    return dashboards.scope_for(user, start=date(2026, 3, 1), end=date(2026, 3, 31))


def test_awaiting_and_median(client, world, clock):
    # Noah's family asks twice; the clinic answers 2 h after the first message.
    send(world.patient, world.parent, body="q1")
    clock.shift(timedelta(minutes=30))
    send(world.patient, world.parent, body="q2")  # same spell: not timed again
    clock.shift(timedelta(minutes=90))
    send(world.patient, world.clinician, body="a1")
    # Mila's family asks; the reviewer answers 4 h later, then the family asks again.
    clock.shift(timedelta(minutes=10))
    send(world.other_patient, world.other_parent, body="q3")
    clock.shift(timedelta(hours=4))
    wrong = send(world.other_patient, world.reviewer, body="to the wrong family")
    message_mark_sent_in_error(message=wrong, by=world.reviewer, reason="wrong family")
    clock.shift(timedelta(minutes=1))
    send(world.other_patient, world.reviewer, body="a2")
    clock.shift(timedelta(minutes=5))
    send(world.other_patient, world.other_parent, body="q4 still waiting")
    # Another clinic's family: never in Riverside's figures.
    ava_parent = GuardianshipFactory(patient=world.foreign_patient).user
    for _ in range(3):
        send(world.foreign_patient, ava_parent, body="y")

    with CaptureQueriesContext(connection) as queries:
        figures = message_figures(_scope(world, world.reviewer), world.reviewer)
    assert len(queries) <= 3
    assert (figures.awaiting_reply, figures.families_waiting) == (1, 1)
    assert (figures.replied_spells, figures.unreplied_spells) == (2, 1)
    # Waits 2 h and 4 h 1 min (the withdrawn reply is no answer): median 3 h 0 min 30 s.
    assert figures.median_reply == timedelta(hours=3, seconds=30)
    assert duration_text(figures.median_reply) == "3 h 0 min"

    page = client_for(client, world.reviewer).get(reverse("review:dashboard"),
                                                  {"start": "2026-03-01", "end": "2026-03-31"})
    html = page.content.decode()
    assert 'data-testid="message-figures"' in html
    assert "3 h 0 min" in html


def test_no_messages_no_median(world):
    figures = message_figures(_scope(world, world.reviewer), world.reviewer)
    assert figures.median_reply is None and figures.awaiting_reply == 0


def test_another_clinics_reviewer_sees_only_theirs(world):
    send(world.patient, world.parent, body="q")
    figures = message_figures(_scope(world, world.other_clinician), world.other_clinician)
    assert figures.awaiting_reply == 0
