"""The report page: "Get advice" stores the report and shows the answer on the saved episode.

Also: the browser's zone reads the typed time, "not sure" answers, °F, plain errors,
adding notes later (the triage can only rise for a parent), the quick log, the diary range.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from clinic.models import UserPreference
from episodes.models import Episode
from tests.episodes.helpers import DANGER_NO, URGENT, make_episode

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    """Before any other fixture, so the child's age is taken on the frozen day."""
    with time_machine.travel(NOW, tick=False):
        yield


def _form(**overrides):
    return {
        "started_at": "2026-06-10T11:55", "duration_minutes": "0", "duration_secs": "5",
        "body_parts": ["left_foot"], "state": "asleep", "pattern": "isolated",
        "stops_when_held_or_woken": "not_tried", "time_zone": "UTC",
        "client_id": str(uuid.uuid4()), **DANGER_NO, **overrides,
    }


def _url(world):
    return reverse("episode-report", kwargs={"patient_id": world.patient.uuid})


def test_get_advice_stores_the_report_and_shows_the_answer_on_its_page(client, world, frozen):
    client.force_login(world.parent)
    response = client.post(_url(world), _form(), follow=True)
    episode = Episode.objects.get()
    assert response.redirect_chain[-1][0] == episode.get_absolute_url()
    text = response.text
    assert 'data-level="routine"' in text and "Saved in the diary" in text
    assert "Not saved yet" not in text


def test_urgent_report_tells_the_clinic_at_once_and_says_so(
    client, world, frozen, django_capture_on_commit_callbacks
):
    client.force_login(world.parent)
    # Stopped when held and no seizure sign, so not convulsive: a first convulsive
    # episode would be an emergency (EP-FIRST-SEIZURE).
    data = _form(duration_minutes="2", duration_secs="0", body_parts=["left_leg"], state="awake",
                 pattern="rhythmic", stops_when_held_or_woken="yes")
    with django_capture_on_commit_callbacks(execute=True):
        text = client.post(_url(world), data, follow=True).text
    assert Episode.objects.get().level == "urgent"
    assert len(mail.outbox) == 1  # sent as the report was saved
    assert "the clinic has been told." in text


def test_emergency_answer_comes_first_on_the_saved_page(client, world, frozen):
    world.clinic.emergency_number = "112"
    world.clinic.save()
    client.force_login(world.parent)
    text = client.post(_url(world), _form(sign_breathing_difficulty="yes"), follow=True).text
    assert text.index("Call 112 now.") < text.index('data-testid="add-details"')
    assert text.index("Call 112 now.") < text.index("<h1")
    assert "<details" in text  # the video form waits, folded, until the baby is safe


def test_the_same_form_sent_twice_stores_one_report(client, world, frozen):
    client.force_login(world.parent)
    data = _form()
    first = client.post(_url(world), data)
    second = client.post(_url(world), data)
    assert Episode.objects.count() == 1
    assert first.url == second.url == Episode.objects.get().get_absolute_url()


def test_reused_key_with_other_answers_is_refused_and_stores_nothing_new(client, world, frozen):
    client.force_login(world.parent)
    data = _form()
    client.post(_url(world), data)
    response = client.post(_url(world), {**data, "state": "awake"})
    assert response.status_code == 400 and "already sent" in response.text
    assert Episode.objects.count() == 1


@pytest.mark.parametrize(("zone", "typed", "utc"), [
    ("Europe/Madrid", "2026-06-10T13:55", datetime(2026, 6, 10, 11, 55, tzinfo=UTC)),
    ("America/New_York", "2026-06-10T07:55", datetime(2026, 6, 10, 11, 55, tzinfo=UTC)),
    ("Asia/Kolkata", "2026-06-10T17:25", datetime(2026, 6, 10, 11, 55, tzinfo=UTC)),
])
def test_typed_time_is_read_in_the_browsers_zone_and_kept_on_the_user(
    client, world, frozen, zone, typed, utc
):
    client.force_login(world.parent)
    response = client.post(_url(world), _form(started_at=typed, time_zone=zone), follow=True)
    episode = Episode.objects.get()
    assert episode.started_at == utc  # UTC in the database
    assert UserPreference.objects.get(user=world.parent).time_zone == zone
    local = utc.astimezone(__import__("zoneinfo").ZoneInfo(zone))
    assert f"{local:%H:%M}" in response.text  # the page shows it in the parent's zone


def test_madrid_mid_episode_is_not_in_the_future(client, world, frozen):
    client.force_login(world.parent)
    response = client.post(_url(world), _form(started_at="2026-06-10T13:59",
                                              time_zone="Europe/Madrid"))
    assert response.status_code == 302


def test_a_zone_that_does_not_exist_falls_back_to_the_viewers(client, world, frozen):
    client.force_login(world.parent)
    client.post(_url(world), _form(time_zone="Mars/Olympus"))
    assert Episode.objects.get().started_at == datetime(2026, 6, 10, 11, 55, tzinfo=UTC)
    assert not UserPreference.objects.exists()


def test_staff_pages_use_the_clinic_zone(client, world, frozen):
    world.clinic.time_zone = "Asia/Tokyo"
    world.clinic.save()
    episode = make_episode(world.patient, world.parent)
    client.force_login(world.clinician)  # the zone is resolved at login
    text = client.get(episode.get_absolute_url()).text
    assert "20:50" in text  # 11:50 UTC is 20:50 in Tokyo


def test_not_sure_about_breathing_is_urgent(client, world, frozen):
    client.force_login(world.parent)
    client.post(_url(world), _form(sign_breathing_difficulty="unsure"))
    episode = Episode.objects.get()
    assert episode.level == "urgent" and episode.unsure_signs == ["breathing_difficulty"]
    assert "EP-UNSURE-EMERGENCY-SIGN" in {r["rule"] for r in episode.triage["reasons"]}


def test_danger_questions_must_be_answered(client, world, frozen):
    client.force_login(world.parent)
    data = _form()
    del data["sign_color_change"]
    response = client.post(_url(world), data)
    assert response.status_code == 400 and not Episode.objects.exists()
    assert "Choose one answer" in response.text


def test_fahrenheit_is_stored_in_celsius(client, world, frozen):
    client.force_login(world.parent)
    client.post(_url(world), _form(temperature="101.5", temperature_unit="f"))
    episode = Episode.objects.get()
    assert episode.temperature_c == Decimal("38.6")
    assert "EP-FEVER" in {r["rule"] for r in episode.triage["reasons"]}


@pytest.mark.parametrize("reading", ["38,5", "38.5"])
def test_celsius_with_comma_or_point(client, world, frozen, reading):
    client.force_login(world.parent)
    client.post(_url(world), _form(temperature=reading, temperature_unit="c"))
    assert Episode.objects.get().temperature_c == Decimal("38.5")


@pytest.mark.parametrize(("data", "says"), [
    ({"duration_secs": "-1"}, "Seconds cannot be less than 0."),
    ({"duration_secs": "75"}, "Seconds go up to 59"),
    ({"temperature": "101.5", "temperature_unit": "c"}, "That temperature looks wrong"),
    ({"started_at": "2026-06-10T12:30"}, "This time is later than now."),
    ({"body_parts": []}, "Tap at least one part of the body."),
])
def test_errors_in_plain_words_and_nothing_stored(client, world, frozen, data, says):
    client.force_login(world.parent)
    response = client.post(_url(world), _form(**data))
    assert response.status_code == 400 and says in response.text
    assert "Ensure this value" not in response.text
    assert not Episode.objects.exists()


def test_parent_note_can_raise_but_never_lower(client, world, frozen):
    episode = make_episode(world.patient, world.parent, URGENT)
    versions = episode.history.count()
    client.force_login(world.parent)
    client.post(reverse("episode-add", kwargs={"episode_id": episode.uuid}), {"notes": "better"})
    episode.refresh_from_db()
    assert episode.level == "urgent" and episode.notes.endswith("better")
    assert episode.history.count() == versions + 1  # the earlier version is kept


def test_unsure_answers_are_shown_on_the_episode(client, world, frozen):
    episode = make_episode(world.patient, world.parent, unsure_signs=["vomiting"])
    client.force_login(world.parent)
    assert "Not sure about" in client.get(episode.get_absolute_url()).text


def test_adding_nothing_says_what_to_do(client, world, frozen):
    episode = make_episode(world.patient, world.parent)
    client.force_login(world.parent)
    response = client.post(reverse("episode-add", kwargs={"episode_id": episode.uuid}), {})
    assert response.status_code == 400
    assert "Write a note or choose a video or photo" in response.text


def test_quick_log_is_typical_and_through_the_same_triage(client, world, frozen):
    client.force_login(world.parent)
    url = reverse("episode-quick-log", kwargs={"patient_id": world.patient.uuid})
    key = str(uuid.uuid4())
    data = {"body_part": "right_foot", "state": "asleep", "client_id": key,
            "time_zone": "Europe/Madrid"}
    client.post(url, data)
    client.post(url, data)  # a double tap stores one
    episode = Episode.objects.get()
    assert episode.level == "routine" and episode.pattern == "isolated"
    assert episode.triage["reasons"][0]["rule"] == "EP-TYPICAL"


def test_quick_log_refuses_a_missing_tap(client, world, frozen):
    client.force_login(world.parent)
    url = reverse("episode-quick-log", kwargs={"patient_id": world.patient.uuid})
    response = client.post(url, {"body_part": "right_foot"}, follow=True)
    assert "Tap asleep or awake." in response.text and not Episode.objects.exists()


def test_diary_explains_a_reversed_range(client, world, frozen):
    client.force_login(world.parent)
    url = reverse("episode-diary", kwargs={"patient_id": world.patient.uuid})
    text = client.get(url, {"start": "2026-06-09", "end": "2026-06-01"}).text
    assert "is before “From”" in text and "Swap the two dates" in text


def test_alert_mail_gives_the_time_in_the_clinic_zone(world, frozen, django_capture_on_commit_callbacks):
    world.clinic.time_zone = "America/Los_Angeles"
    world.clinic.save()
    with django_capture_on_commit_callbacks(execute=True):
        make_episode(world.patient, world.parent, URGENT)  # started 11:50 UTC
    assert "04:50 (America/Los_Angeles)" in mail.outbox[0].body


def test_a_clinic_zone_must_exist(world):
    from django.core.exceptions import ValidationError

    world.clinic.time_zone = "Europe/Atlantis"
    with pytest.raises(ValidationError):
        world.clinic.full_clean()


def test_summary_has_the_notes_and_stacks_for_a_phone(client, world, frozen):
    make_episode(world.patient, world.parent, notes="Only after the bath")
    client.force_login(world.parent)
    text = client.get(reverse("episode-summary", kwargs={"patient_id": world.patient.uuid})).text
    assert 'data-label="Notes"' in text and "Only after the bath" in text
    assert 'class="table table-sm stack-table"' in text


def _told(episode, level):
    """As if an older rule set had given ``level`` (stored triage is never rewritten)."""
    Episode.objects.filter(pk=episode.pk).update(level=level, triage={**episode.triage, "level": level})
    episode.refresh_from_db()
    return episode


def test_a_parents_note_keeps_a_higher_earlier_level(world, frozen):
    from episodes.services import episode_add_details

    episode = _told(make_episode(world.patient, world.parent, URGENT), "emergency")
    episode, _ = episode_add_details(episode=episode, by=world.parent, notes="calmer now")
    assert episode.level == "emergency"


def test_a_clinicians_note_takes_the_new_triage(world, frozen):
    from episodes.services import episode_add_details

    episode = _told(make_episode(world.patient, world.parent, URGENT), "emergency")
    episode, _ = episode_add_details(episode=episode, by=world.clinician, notes="seen, not an emergency")
    assert episode.level == "urgent"


def test_a_rise_on_re_triage_tells_the_clinic(world, frozen, django_capture_on_commit_callbacks):
    from episodes.services import episode_add_details

    episode = _told(make_episode(world.patient, world.parent, URGENT), "routine")
    with django_capture_on_commit_callbacks(execute=True):
        episode, _ = episode_add_details(episode=episode, by=world.parent, notes="again")
    assert episode.level == "urgent" and episode.review_case is not None
    assert len(mail.outbox) == 1


def test_too_long_a_note_changes_nothing(world, frozen):
    from django.core.exceptions import ValidationError

    from episodes.services import episode_add_details

    episode = make_episode(world.patient, world.parent, notes="x" * 3990)
    with pytest.raises(ValidationError):
        episode_add_details(episode=episode, by=world.parent, notes="more than ten chars")
    episode.refresh_from_db()
    assert episode.notes == "x" * 3990
