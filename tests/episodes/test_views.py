"""The portal pages' behaviour: filters, chart, summary, patient page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from episodes.models import Episode
from tests.episodes.helpers import DANGER_NO, EMERGENCY, URGENT, make_episode


def _form(**overrides):
    started = timezone.localtime() - timedelta(minutes=5)
    return {
        "started_at": started.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "2",
        "duration_secs": "0", "body_parts": ["left_leg"], "state": "awake",
        "pattern": "rhythmic", "stops_when_held_or_woken": "no", **DANGER_NO, **overrides,
    }


def test_saved_episode_page_shows_level_advice_and_reasons(client, world):
    episode = make_episode(world.patient, world.parent, EMERGENCY)
    client.force_login(world.parent)
    text = client.get(episode.get_absolute_url()).text
    assert "Call 911 now." in text
    assert "EP-BREATHING" in text and "NHS-HT" in text
    assert episode.triage["headline"] in text


def test_diary_filters_by_level_and_dates_and_hides_mistakes(client, world):
    now = timezone.now()
    old = make_episode(world.patient, world.parent, started_at=now - timedelta(days=10))
    urgent = make_episode(world.patient, world.parent, URGENT, started_at=now - timedelta(days=1))
    mistake = make_episode(world.patient, world.parent, started_at=now - timedelta(hours=1))
    mistake.status = "entered_in_error"
    mistake.save()
    client.force_login(world.parent)
    url = reverse("episode-diary", kwargs={"patient_id": world.patient.uuid})

    def shown(**params):
        return [e.pk for e in client.get(url, params).context["page"].object_list]

    assert shown() == [urgent.pk, old.pk]
    assert shown(level="urgent") == [urgent.pk]
    assert shown(start=(timezone.localdate() - timedelta(days=3)).isoformat()) == [urgent.pk]
    assert shown(end=(timezone.localdate() - timedelta(days=5)).isoformat()) == [old.pk]
    assert shown(include_errors="on") == [mistake.pk, urgent.pk, old.pk]


def test_diary_chart_counts_days_with_a_text_alternative(client, world):
    now = timezone.now()
    for days in (0, 2, 2, 40):
        make_episode(world.patient, world.parent, started_at=now - timedelta(days=days, minutes=1))
    client.force_login(world.parent)
    response = client.get(reverse("episode-diary", kwargs={"patient_id": world.patient.uuid}))
    chart = response.context["chart"]
    assert len(chart.bars) == 30 and chart.total == 3 and chart.peak == 2
    assert "3 episodes on 2 of the last 30 days; at most 2 on one day." in response.text
    assert response.text.count('class="bar level-fill-routine"') == 2
    assert "<desc id=\"chart-desc\">" in response.text


def test_summary_lists_last_30_days_with_rules(client, world):
    make_episode(world.patient, world.parent, URGENT)
    make_episode(world.patient, world.parent, started_at=timezone.now() - timedelta(days=45))
    client.force_login(world.clinician)
    response = client.get(reverse("episode-summary", kwargs={"patient_id": world.patient.uuid}))
    assert len(response.context["episodes"]) == 1
    assert "EP-RHYTHMIC-30S" in response.text
    assert dict(response.context["by_level"]) == {"emergency": 0, "urgent": 1, "soon": 0,
                                                  "routine": 0}


def test_clinician_logs_a_clinic_visit_from_the_patient_page(client, world):
    client.force_login(world.clinician)
    page = client.get(world.patient.get_absolute_url()).text
    report_url = reverse("episode-report", kwargs={"patient_id": world.patient.uuid})
    assert f'href="{report_url}"' in page
    response = client.post(report_url, _form(source="clinic", notes="Seen jerking in the room"))
    episode = Episode.objects.get()
    assert response.url == episode.get_absolute_url()
    assert (episode.source, episode.reporter, episode.notes) == (
        "clinic", world.clinician, "Seen jerking in the room")
    assert "seen in clinic" in client.get(world.patient.get_absolute_url()).text


def test_parent_children_page_links_report_and_diary(client, world):
    client.force_login(world.parent)
    text = client.get(reverse("home")).text
    assert reverse("episode-report", kwargs={"patient_id": world.patient.uuid}) in text
    assert reverse("episode-diary", kwargs={"patient_id": world.patient.uuid}) in text
    assert str(world.other_patient.uuid) not in text
