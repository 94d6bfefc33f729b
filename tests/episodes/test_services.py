"""Creating episodes: triage stored, review cases opened, the clinic told, keys honoured."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import CaseStatus, ReviewCase
from episodes.models import Episode, EpisodeStatus
from episodes.selectors import episode_recent_history
from episodes.services import ClientIdConflict, episode_create, episode_mark_in_error
from episodes.triage import RULE_SET_VERSION
from tests.episodes.helpers import EMERGENCY, ROUTINE, URGENT, make_episode

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def dummy_tasks(settings):
    from django_tasks import default_task_backend

    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_routine_episode_stores_triage_and_opens_no_case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        episode = make_episode(world.patient, world.parent)
    assert episode.level == "routine"
    assert episode.triage["reasons"][0]["rule"] == "EP-TYPICAL"
    assert episode.rule_set_version == RULE_SET_VERSION
    assert episode.review_case is None
    assert not ReviewCase.objects.exists()
    assert callbacks == []


def test_urgent_episode_opens_case_and_enqueues_notice_once(
    world, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = make_episode(world.patient, world.parent, URGENT)
    assert episode.level == "urgent"
    rules = {r["rule"] for r in episode.triage["reasons"]}
    assert {"EP-RHYTHMIC-30S"} <= rules
    case = ReviewCase.objects.get(patient=world.patient)
    assert case.status == CaseStatus.OPEN and case.level == "urgent"
    assert episode.review_case == case
    assert {r["rule"] for r in case.reasons} >= {"EP-RHYTHMIC-30S"}
    assert len(dummy_tasks.results) == 1
    assert dummy_tasks.results[0].args == [str(episode.uuid)]


def test_later_emergency_raises_the_same_case(world, django_capture_on_commit_callbacks):
    first = make_episode(world.patient, world.parent, URGENT)
    second = make_episode(world.patient, world.parent, EMERGENCY)
    assert first.review_case_id == second.review_case_id
    assert ReviewCase.objects.get().level == "emergency"


def test_urgent_notice_emails_reviewers_and_clinicians_of_the_clinic(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        episode = make_episode(world.patient, world.parent, URGENT)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([world.clinician.email, world.reviewer.email])
    assert str(episode.uuid) in message.body
    assert world.patient.given_name not in message.body  # no names in mail


def test_same_client_id_returns_first_episode(world):
    key = uuid.uuid4()
    started = timezone.now() - timedelta(minutes=3)
    first, created = episode_create(patient=world.patient, reporter=world.parent, client_id=key,
                                    started_at=started, **ROUTINE)
    again, created_again = episode_create(patient=world.patient, reporter=world.parent,
                                          client_id=key, started_at=started, **ROUTINE)
    assert created and not created_again
    assert again.pk == first.pk
    assert Episode.objects.count() == 1


def test_same_client_id_with_other_content_is_refused(world):
    key = uuid.uuid4()
    started = timezone.now() - timedelta(minutes=3)
    episode_create(patient=world.patient, reporter=world.parent, client_id=key,
                   started_at=started, **ROUTINE)
    with pytest.raises(ClientIdConflict):
        episode_create(patient=world.patient, reporter=world.parent, client_id=key,
                       started_at=started, **{**ROUTINE, "duration_seconds": 50})
    assert Episode.objects.count() == 1


def test_future_start_is_refused_but_clock_skew_is_allowed(world):
    with pytest.raises(ValidationError) as exc:
        make_episode(world.patient, world.parent, started_at=timezone.now() + timedelta(minutes=5))
    assert "future" in str(exc.value)
    assert make_episode(world.patient, world.parent, started_at=timezone.now() + timedelta(seconds=30))


def test_recent_history_counts_active_episodes_by_day(world):
    now = timezone.now()
    for days in (1, 1, 2, 5):
        make_episode(world.patient, world.parent, started_at=now - timedelta(days=days))
    mistaken = make_episode(world.patient, world.parent, started_at=now - timedelta(days=2))
    episode_mark_in_error(episode=mistaken, by=world.parent, reason="Wrong baby")
    make_episode(world.other_patient, world.other_parent, started_at=now - timedelta(days=1))
    history = episode_recent_history(patient=world.patient, before=now)
    assert {d: history.count(d) for d in range(7)} == {0: 0, 1: 2, 2: 1, 3: 0, 4: 0, 5: 1, 6: 0}


def test_rising_frequency_feeds_triage(world):
    now = timezone.now()
    for days in (1, 2, 3):
        for _ in range(4):
            make_episode(world.patient, world.parent, started_at=now - timedelta(days=days, hours=1))
    episode = make_episode(world.patient, world.parent)
    assert "EP-RISING" in {r["rule"] for r in episode.triage["reasons"]}


def test_mark_in_error_keeps_the_row_and_says_who_and_why(world):
    episode = make_episode(world.patient, world.parent)
    episode_mark_in_error(episode=episode, by=world.parent, reason="Logged twice")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ENTERED_IN_ERROR
    assert episode.entered_in_error_by == world.parent
    assert episode.entered_in_error_reason == "Logged twice"
    assert episode.history.count() == 2
    with pytest.raises(ValidationError):
        episode_mark_in_error(episode=episode, by=world.parent, reason="again")


def test_mark_in_error_needs_a_reason(world):
    episode = make_episode(world.patient, world.parent)
    with pytest.raises(ValidationError):
        episode_mark_in_error(episode=episode, by=world.parent, reason="  ")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ACTIVE


def test_retry_of_an_urgent_report_does_not_notify_again(
    world, dummy_tasks, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    started = timezone.now() - timedelta(minutes=3)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            episode_create(patient=world.patient, reporter=world.parent, client_id=key,
                           started_at=started, **URGENT)
    assert Episode.objects.count() == 1
    assert len(dummy_tasks.results) == 1
