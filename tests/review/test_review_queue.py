"""The review queue: ordering, overdue marking (frozen clock), reopening, resolving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic import review
from clinic.models import CaseStatus, ReviewCase
from clinic.services import review_case_raise
from review import selectors
from tests.factories import PatientFactory
from tests.review.review_factories import episode, make_case, reason, suggestion

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    # Autouse, so the clock stops before `world` builds a patient from "today".
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _queue(user, **filters):
    return list(selectors.review_queue(user, selectors.QueueFilter(**filters)))


def test_queue_orders_by_level_then_longest_waiting(world, frozen):
    p = lambda: PatientFactory(clinic=world.clinic)  # noqa: E731
    soon_old = make_case(p(), "soon", opened_at=NOW - timedelta(days=5))
    urgent_new = make_case(p(), "urgent", opened_at=NOW - timedelta(hours=1))
    emergency = make_case(p(), "emergency", opened_at=NOW - timedelta(minutes=10))
    urgent_old = make_case(p(), "urgent", opened_at=NOW - timedelta(hours=6))
    # Acknowledged: nothing unseen, so it waits behind the unseen ones of its level.
    urgent_seen = make_case(p(), "urgent", status=CaseStatus.ACKNOWLEDGED,
                            opened_at=NOW - timedelta(hours=30), acknowledged_at=NOW)
    make_case(p(), "emergency", status=CaseStatus.RESOLVED, outcome="reassured")
    make_case(world.foreign_patient, "emergency")  # another clinic: never in this queue

    queue = _queue(world.reviewer)

    assert [c.pk for c in queue] == [emergency.pk, urgent_old.pk, urgent_new.pk, urgent_seen.pk,
                                     soon_old.pk]
    assert {c.pk for c in queue if c.overdue} == {urgent_old.pk, soon_old.pk}


@pytest.mark.parametrize(
    ("level", "waited", "overdue"),
    [
        ("urgent", timedelta(hours=4), False),  # exactly at the limit: not yet
        ("urgent", timedelta(hours=4, seconds=1), True),
        ("emergency", timedelta(hours=4, seconds=1), True),
        ("soon", timedelta(days=3), False),
        ("soon", timedelta(days=3, seconds=1), True),
        ("soon", timedelta(hours=30), False),
    ],
)
def test_overdue_limits_per_level(world, frozen, level, waited, overdue):
    make_case(world.patient, level, opened_at=NOW - waited)
    (case,) = _queue(world.reviewer)
    assert case.overdue is overdue
    assert len(_queue(world.reviewer, overdue=True)) == int(overdue)


def test_overdue_limits_come_from_settings(world, frozen, settings):
    make_case(world.patient, "urgent", opened_at=NOW - timedelta(hours=1))
    assert not _queue(world.reviewer)[0].overdue
    settings.REVIEW_OVERDUE_URGENT_HOURS = 0.5
    assert _queue(world.reviewer)[0].overdue


def test_overdue_shows_as_text_on_the_page(client, world, frozen):
    make_case(world.patient, "urgent", opened_at=NOW - timedelta(hours=5))
    make_case(world.other_patient, "urgent", opened_at=NOW - timedelta(hours=1))
    client.force_login(world.reviewer)
    html = client.get(reverse("review:queue")).text
    # The marker is a word, not only a colour; exactly one row carries it.
    assert html.count('data-testid="overdue"') == 1 and "Overdue" in html


def test_acknowledged_case_is_off_the_clock_until_something_new(world, frozen):
    case = make_case(world.patient, "urgent", opened_at=NOW - timedelta(hours=8))
    review.review_case_acknowledge(case=case, by=world.reviewer)
    assert not _queue(world.reviewer)[0].overdue
    later = NOW + timedelta(hours=1)
    raised = review_case_raise(patient=world.patient, level="emergency",
                               reasons=[reason("EP-NEW", "emergency")], at=later)
    assert raised.pk == case.pk
    assert raised.status == CaseStatus.OPEN and raised.level == "emergency"
    assert raised.oldest_unacknowledged_at == later
    assert [r["rule"] for r in raised.reasons] == ["EP-TEST", "EP-NEW"]


def test_new_worrying_episode_after_resolution_opens_a_linked_case(world, frozen):
    from episodes.services import episode_create

    first, _ = episode_create(
        patient=world.patient, reporter=world.parent, started_at=NOW - timedelta(minutes=30),
        duration_seconds=120, body_parts=["left_arm", "left_leg"], state="awake",
        pattern="rhythmic", stops_when_held_or_woken="no", signs=["unresponsive"],
    )
    case = first.review_case
    assert case is not None and case.level in ("urgent", "emergency")
    review.review_case_resolve(case=case, outcome="emergency_care", by=world.clinician,
                               family_message="Sent to the emergency department.")

    second, _ = episode_create(
        patient=world.patient, reporter=world.parent, started_at=NOW - timedelta(minutes=5),
        duration_seconds=120, body_parts=["right_arm"], state="awake",
        pattern="rhythmic", stops_when_held_or_woken="no", signs=["unresponsive"],
    )
    reopened = second.review_case
    assert reopened.pk != case.pk and reopened.previous_id == case.pk
    assert reopened.status == CaseStatus.OPEN
    case.refresh_from_db()
    # The first case keeps its outcome and times: the dashboards measure them.
    assert case.status == CaseStatus.RESOLVED and case.outcome == "emergency_care"
    assert [c.pk for c in _queue(world.reviewer)] == [reopened.pk]


def test_routine_episode_does_not_reopen(world, frozen):
    case = make_case(world.patient, "soon", status=CaseStatus.RESOLVED, outcome="reassured")
    assert review_case_raise(patient=world.patient, level="routine", reasons=[]) is None
    assert ReviewCase.objects.exclude(pk=case.pk).count() == 0


def test_resolve_flow_records_who_when_and_why(world, frozen):
    case = make_case(world.patient, "urgent", opened_at=NOW - timedelta(hours=2))
    review.review_case_assign(case=case, assignee=world.clinician, by=world.reviewer)
    review.review_case_add_note(case=case, text="Called the mother back", by=world.reviewer)
    resolved = review.review_case_resolve(case=case, outcome="seen_in_clinic",
                                          by=world.clinician, note="Normal exam",
                                          family_message="Seen today; all normal.")
    assert resolved.status == CaseStatus.RESOLVED and resolved.outcome == "seen_in_clinic"
    assert resolved.resolved_at == NOW and resolved.resolved_by == world.clinician
    # Resolving without an acknowledgement counts as one, so response times are complete.
    assert resolved.acknowledged_at == NOW and resolved.acknowledged_by == world.clinician
    assert resolved.assigned_to == world.clinician
    lines = resolved.notes.splitlines()
    assert "assigned to clinician" in lines[0] and "Called the mother back" in lines[1]
    assert "Seen in clinic" in lines[2] and "Normal exam" in lines[2]
    assert resolved.history.count() == 4  # created + three changes, all kept
    with pytest.raises(ValidationError):
        review.review_case_acknowledge(case=resolved, by=world.reviewer)


def test_cases_go_only_to_clinicians_of_the_clinic(world):
    case = make_case(world.patient, "urgent")
    for wrong in (world.reviewer, world.other_clinician, world.parent):
        with pytest.raises(ValidationError):
            review.review_case_assign(case=case, assignee=wrong, by=world.reviewer)
    assert list(selectors.assignable_clinicians(case)) == [world.clinician]


def test_resolve_refuses_an_unknown_outcome(world):
    case = make_case(world.patient, "urgent")
    with pytest.raises(ValidationError):
        review.review_case_resolve(case=case, outcome="vanished", by=world.reviewer,
                                   family_message="A line.")
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_queue_rows_show_age_rules_latest_episode_and_pending_tests(client, world, frozen):
    case = make_case(world.patient, "urgent", rules=("EP-RHYTHMIC-30S",))
    episode(world.patient, world.parent, level="soon", started_at=NOW - timedelta(days=1), case=case)
    episode(world.patient, world.parent, level="urgent", started_at=NOW - timedelta(hours=1),
            case=case)
    suggestion(world.patient, "eeg")
    suggestion(world.patient, "brain_mri", status="accepted")
    client.force_login(world.reviewer)
    response = client.get(reverse("review:queue"))
    (row,) = response.context["cases"]
    assert [e.level for e in row.latest_episodes] == ["urgent"]  # the latest only
    assert row.episode_count == 2
    assert [s.code for s in row.patient.pending_suggestions] == ["eeg"]
    html = response.text
    assert "EP-RHYTHMIC-30S" in html and "12 weeks" in html and "2026-11-24 11:00" in html
    assert "2 episodes linked" in html


def test_queue_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world.reviewer)
    url = reverse("review:queue")

    def fill(n):
        for _ in range(n):
            patient = PatientFactory(clinic=world.clinic)
            case = make_case(patient, "urgent")
            episode(patient, world.parent, level="urgent", case=case)
            suggestion(patient, "eeg")

    fill(2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    fill(8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["cases"]) == 10
