"""A saved report whose notes named a danger sign (CLINICAL.md 3a): the parent ticks the
sign on the answer and it gives its own level; notes added later that name a new danger
always reach a clinician through the review case, even when the level stays."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditEvent, CaseOutcome, ReviewCase
from clinic.review import review_case_resolve
from episodes.models import Episode
from episodes.services import episode_add_details
from tests.conftest import client_for
from tests.episodes.helpers import ROUTINE, URGENT, make_episode

pytestmark = pytest.mark.django_db


def _rules(episode: Episode) -> set[str]:
    return {reason["rule"] for reason in episode.triage["reasons"]}


def _tick(client, episode: Episode, sign: str):
    return client.post(reverse("episode-confirm-sign", kwargs={"episode_id": episode.uuid}),
                       {"sign": sign}, follow=True)


def test_parent_ticks_the_sign_the_notes_named_and_it_gives_its_own_level(client, world):
    episode = make_episode(world.patient, world.parent, ROUTINE, notes="she went stiff")
    assert episode.level == "urgent" and "EP-NOTES-DANGER" in _rules(episode)
    versions = episode.history.count()
    parent = client_for(client, world.parent)
    page = parent.get(episode.get_absolute_url()).text
    assert 'data-testid="confirm-sign-stiffening"' in page
    response = _tick(parent, episode, "stiffening")
    episode.refresh_from_db()
    assert "stiffening" in episode.signs
    assert "EP-STIFFENING" in _rules(episode) and "EP-NOTES-DANGER" not in _rules(episode)
    assert episode.level == "urgent" and episode.triage["notes_matched"] == []
    assert episode.history.count() == versions + 1  # the version before the tick is kept
    assert 'data-testid="confirm-sign-stiffening"' not in response.text
    assert AuditEvent.objects.filter(actor=world.parent, action="update", patient=world.patient).exists()


def test_a_ticked_sign_can_make_the_episode_convulsive_and_raise_it(client, world,
                                                                    django_capture_on_commit_callbacks):
    # 10 s of rhythmic jerking that stopped when held: soon. The notes say the eyes rolled
    # back; ticked, the episode is convulsive and, none on record, a first seizure.
    report = {**URGENT, "duration_seconds": 10}
    episode = make_episode(world.patient, world.parent, report, notes="her eyes rolled back")
    assert not episode.convulsive and episode.level == "urgent"
    with django_capture_on_commit_callbacks(execute=True):
        _tick(client_for(client, world.parent), episode, "eyes_rolling_or_fixed")
    episode.refresh_from_db()
    assert episode.convulsive and episode.level == "emergency"
    assert "EP-FIRST-SEIZURE" in _rules(episode)
    case = ReviewCase.objects.get(patient=world.patient)
    assert case.level == "emergency" and episode.review_case == case
    assert len(mail.outbox) == 1  # the rise to emergency tells the clinic
    # The next convulsive report sees it in the history: no longer a first seizure.
    later = make_episode(world.patient, world.parent, {**report, "stops_when_held_or_woken": "no"})
    assert "EP-FIRST-SEIZURE" not in _rules(later) and "EP-SEIZURE-REPEAT" in _rules(later)


def test_only_a_sign_the_notes_named_can_be_ticked(client, world):
    episode = make_episode(world.patient, world.parent, ROUTINE, notes="she went stiff for 3 minutes")
    parent = client_for(client, world.parent)
    for sign in ("fever", "minutes", "nonsense", ""):
        response = _tick(parent, episode, sign)
        assert "Your notes did not name that sign." in response.text
    episode.refresh_from_db()
    assert episode.signs == []
    other = client_for(client, world.other_parent)
    url = reverse("episode-confirm-sign", kwargs={"episode_id": episode.uuid})
    assert other.post(url, {"sign": "stiffening"}).status_code == 404
    episode.refresh_from_db()
    assert episode.signs == []


def test_new_danger_words_in_added_notes_reach_the_review_case_at_the_same_level(world):
    episode = make_episode(world.patient, world.parent, URGENT)
    case = ReviewCase.objects.get(patient=world.patient)
    review_case_resolve(case=case, outcome=CaseOutcome.values[0], by=world.clinician,
                        family_message="Seen: nothing more to do.")
    episode, _ = episode_add_details(episode=episode, by=world.parent, notes="later she went stiff")
    assert episode.level == "urgent"  # the level stays...
    assert "EP-NOTES-DANGER" in _rules(episode)  # ...but the answer now asks about the words
    reopened = ReviewCase.objects.exclude(pk=case.pk).get(patient=world.patient)
    assert reopened.previous == case and episode.review_case == reopened
    assert any("stiff" in r["explanation"] for r in reopened.reasons if r["rule"] == "EP-NOTES-DANGER")
    # A note with no new danger word opens nothing more.
    episode_add_details(episode=episode, by=world.parent, notes="calmer now")
    assert ReviewCase.objects.filter(patient=world.patient).count() == 2
