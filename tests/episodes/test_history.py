"""The history handed to the triage (episodes/selectors.py) and the stored-episode paths
of revision 2026-12: repeats, a recorded seizure plan, notes that raise a review case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.models import ReviewCase
from episodes.models import Episode
from episodes.selectors import episode_recent_history
from episodes.services import episode_assess
from tests.episodes.helpers import ROUTINE, SEIZURE, URGENT, make_episode

pytestmark = pytest.mark.django_db


def rules(episode: Episode) -> set[str]:
    return {reason["rule"] for reason in episode.triage["reasons"]}


def test_history_lists_each_earlier_episode_with_its_time_and_kind(world):
    now = timezone.now()
    seizure = make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(hours=5))
    make_episode(world.patient, world.parent, URGENT, started_at=now - timedelta(hours=2))
    make_episode(world.patient, world.parent, ROUTINE, started_at=now - timedelta(days=8))
    make_episode(world.other_patient, world.other_parent, SEIZURE, started_at=now - timedelta(hours=1))
    history = episode_recent_history(patient=world.patient, before=now)
    assert seizure.convulsive is True
    assert [(e.started_at, e.convulsive, e.rhythmic_or_cluster) for e in history.episodes] == [
        (seizure.started_at, True, True),
        (now - timedelta(hours=2), False, True),
    ]  # the 8-day-old one is outside the 7-day list, another child's never in it
    assert history.convulsive_on_record
    assert sum(history.counts_by_days_ago.values()) == 3


def test_history_ignores_mistakes_and_later_episodes_and_sees_old_seizures(world):
    now = timezone.now()
    mistaken = make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(hours=3))
    mistaken.status = "entered_in_error"
    mistaken.save()
    make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(minutes=1))
    history = episode_recent_history(patient=world.patient, before=now - timedelta(minutes=30))
    assert history.episodes == () and not history.convulsive_on_record
    # Far outside the 7-day list, but within the year a report may go back (a child of 2).
    world.patient.date_of_birth = timezone.localdate() - timedelta(days=730)
    world.patient.save()
    old = make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(days=300))
    history = episode_recent_history(patient=world.patient, before=now - timedelta(minutes=30))
    assert history.episodes == () and history.convulsive_on_record and old.level == "emergency"


def test_only_this_childs_active_convulsive_episodes_before_the_window_are_on_record(world):
    now = timezone.now()
    two = timezone.localdate() - timedelta(days=730)
    world.patient.date_of_birth = world.other_patient.date_of_birth = two
    world.patient.save()
    world.other_patient.save()
    long_ago = now - timedelta(days=200)
    make_episode(world.patient, world.parent, ROUTINE, started_at=long_ago)  # not convulsive
    make_episode(world.other_patient, world.other_parent, SEIZURE, started_at=long_ago)
    mistaken = make_episode(world.patient, world.parent, SEIZURE, started_at=long_ago - timedelta(days=1))
    mistaken.status = "entered_in_error"
    mistaken.save()
    history = episode_recent_history(patient=world.patient, before=now)
    assert not history.convulsive_on_record and history.counts_by_days_ago == {}
    for days in (250, 260):  # two on record: still one row's worth, nothing counted per day
        make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(days=days))
    history = episode_recent_history(patient=world.patient, before=now)
    assert history.convulsive_on_record and history.counts_by_days_ago == {} and history.episodes == ()


def test_history_query_count_does_not_grow(world, django_assert_num_queries):
    now = timezone.now()

    def count_queries() -> None:
        with django_assert_num_queries(1):
            episode_recent_history(patient=world.patient, before=now)

    make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(hours=30))
    count_queries()
    for hours in range(1, 40):
        make_episode(world.patient, world.parent, URGENT, started_at=now - timedelta(hours=hours * 3))
    count_queries()


def test_a_second_convulsive_episode_within_a_day_is_an_emergency_through_the_service(world):
    now = timezone.now()
    first = make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(hours=6))
    assert "EP-FIRST-SEIZURE" in rules(first) and first.level == "emergency"
    second = make_episode(world.patient, world.parent, SEIZURE, started_at=now - timedelta(hours=1))
    assert "EP-FIRST-SEIZURE" not in rules(second)
    assert "EP-SEIZURE-REPEAT" in rules(second) and second.level == "emergency"


def test_repeated_rhythmic_and_after_seizure_through_the_service(world):
    now = timezone.now()
    short = {**URGENT, "duration_seconds": 10}  # stops when held: soon on its own
    make_episode(world.patient, world.parent, short, started_at=now - timedelta(hours=5))
    make_episode(world.patient, world.parent, short, started_at=now - timedelta(hours=3))
    third = make_episode(world.patient, world.parent, short, started_at=now - timedelta(hours=1))
    assert "EP-REPEATED-RHYTHMIC" in rules(third) and third.level == "urgent"
    make_episode(world.other_patient, world.other_parent, SEIZURE,
                 started_at=now - timedelta(days=3))
    later = make_episode(world.other_patient, world.other_parent, short,
                         started_at=now - timedelta(hours=1))
    assert "EP-AFTER-SEIZURE" in rules(later) and later.level == "urgent"


def test_recorded_seizure_plan_turns_off_first_seizure_and_is_shown(world):
    world.patient.known_seizure_disorder = True
    world.patient.seizure_plan = "Rescue medicine after 5 minutes, then call 911."
    world.patient.save()
    episode = make_episode(world.patient, world.parent, SEIZURE)
    assert "EP-FIRST-SEIZURE" not in rules(episode)
    assert episode.level == "urgent"
    assert episode.triage["seizure_plan"] == "Rescue medicine after 5 minutes, then call 911."


def test_notes_raise_a_stored_episode_and_open_a_review_case(world):
    episode = make_episode(world.patient, world.parent, ROUTINE, notes="She went floppy and pale")
    assert "EP-NOTES-DANGER" in rules(episode)
    assert episode.level == "emergency"
    case = ReviewCase.objects.get(patient=world.patient)
    assert episode.review_case == case and case.level == "emergency"
    assert any("floppy" in r["explanation"] for r in case.reasons if r["rule"] == "EP-NOTES-DANGER")
    assert {m["sign"] for m in episode.triage["notes_matched"]} == {"unresponsive", "color_change"}


def test_notes_with_only_urgent_words_raise_an_existing_case(world):
    make_episode(world.patient, world.parent, {**ROUTINE, "signs": ["vomiting"]})
    assert ReviewCase.objects.get(patient=world.patient).level == "soon"
    make_episode(world.patient, world.parent, ROUTINE, notes="I think he had a fever")
    assert ReviewCase.objects.get(patient=world.patient).level == "urgent"


def test_negated_notes_do_not_raise(world):
    episode = make_episode(world.patient, world.parent, ROUTINE, notes="no fever, not stiff, not blue")
    assert episode.level == "routine" and not ReviewCase.objects.exists()


def test_clinic_phone_in_urgent_advice(world):
    world.clinic.phone = "555-0142"
    world.clinic.save()
    result = episode_assess(patient=world.patient, started_at=timezone.now() - timedelta(minutes=5),
                            **URGENT)
    assert result.level == "urgent" and "555-0142" in result.advice
