"""Episodes reach suggestions and the chart through evaluations/selectors.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from episodes.models import EpisodeAttachment
from evaluations import selectors
from tests.conftest import client_for
from tests.episodes.helpers import ROUTINE, SEIZURE, URGENT, make_episode
from tests.evaluations.helpers import signed

pytestmark = pytest.mark.django_db


def test_a_recent_seizure_like_episode_raises_an_urgent_eeg_on_sign(world):
    episode = make_episode(world.patient, world.parent, SEIZURE)
    summary = selectors.recent_episodes(patient=world.patient, until=timezone.now())[0]
    assert summary.id == str(episode.uuid) and "EP-NOT-SUPPRESSIBLE" in summary.rules
    evaluation = signed(world.patient, world.clinician)
    eeg = evaluation.suggestions.get(code="eeg")
    assert eeg.priority == "urgent" and eeg.episode_ids == [str(episode.uuid)]
    assert any(r["rule"].startswith("EP-") for r in eeg.reasons)


def test_old_episodes_count_until_weighed_and_mistaken_ones_never(world):
    # CLINICAL.md 7a: no look-back window hides a seizure; recency sets the priority.
    old = make_episode(world.patient, world.parent, URGENT,
                       started_at=timezone.now() - timedelta(days=45))
    mistaken = make_episode(world.patient, world.parent, URGENT)
    mistaken.status = "entered_in_error"
    mistaken.save()
    summaries = selectors.recent_episodes(patient=world.patient, until=timezone.now())
    assert [s.id for s in summaries] == [str(old.uuid)]
    first = signed(world.patient, world.clinician)
    assert first.suggestions.get(code="eeg").priority == "soon"
    # Weighed by that signed evaluation: the next one does not count it again.
    assert selectors.recent_episodes(patient=world.patient, until=timezone.now()) == []


def test_typical_episodes_and_normal_exam_need_no_tests(world):
    make_episode(world.patient, world.parent, ROUTINE)
    assert signed(world.patient, world.clinician).suggestions.count() == 0


def test_timeline_shows_episodes_with_level_and_video_links(client, world):
    episode = make_episode(world.patient, world.parent, URGENT)
    attachment = EpisodeAttachment.objects.create(
        episode=episode, kind="video", file="private/episodes/x.mp4", content_type="video/mp4",
        size=10, uploaded_by=world.parent,
    )
    page = client_for(client, world.clinician).get(reverse("chart", args=[world.patient.uuid]))
    item = next(i for i in page.context["items"] if i.kind == "episode")
    assert item.level == "urgent" and item.url == episode.get_absolute_url()
    assert attachment.get_absolute_url() in page.text
    assert 'badge-level level-urgent' in page.text
