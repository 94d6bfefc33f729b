"""The parent's answer after revision 2026-12: the face by side, danger words from the notes,
advice that follows the reason, the clinic's number, rule ids only under "why"."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.episodes.helpers import DANGER_NO, ROUTINE, URGENT, make_episode, payload

pytestmark = pytest.mark.django_db


def _form(**overrides):
    started = timezone.localtime() - timedelta(minutes=5)
    return {"started_at": started.strftime("%Y-%m-%dT%H:%M"), "duration_minutes": "0",
            "duration_secs": "5", "body_parts": ["left_foot"], "state": "asleep",
            "pattern": "isolated", "stops_when_held_or_woken": "not_tried",
            "time_zone": timezone.get_current_timezone_name(), "client_id": str(uuid.uuid4()),
            **DANGER_NO, **overrides}


def _check(client, world, **overrides):
    """"Get advice": the report is stored and its page shows the answer."""
    client.force_login(world.parent)
    url = reverse("episode-report", kwargs={"patient_id": world.patient.uuid})
    response = client.post(url, _form(**overrides), follow=True)
    assert response.redirect_chain, response.context["form"].errors
    return response.text


def test_body_picture_offers_each_side_of_the_face(client, world):
    client.force_login(world.parent)
    page = client.get(reverse("episode-report", kwargs={"patient_id": world.patient.uuid})).text
    for part in ("face", "left_face", "right_face"):
        assert f'data-part="{part}"' in page and f'value="{part}"' in page


def test_api_takes_left_and_right_face_and_fhir_names_them(api, world):
    api.force_authenticate(world.parent)
    body = payload(world.patient, ROUTINE, body_parts=["right_face"], pattern="rhythmic",
                   duration_seconds=20)
    response = api.post("/api/v1/episodes/", body, format="json")
    assert response.status_code == 201
    assert response.json()["body_parts"] == ["right_face"]
    assert "EP-FACE" in {r["rule"] for r in response.json()["triage"]["reasons"]}
    assert response.json()["level"] == "urgent"
    api.force_authenticate(world.clinician)
    fhir = b"".join(api.get(f"/api/v1/patients/{world.patient.uuid}/fhir/").streaming_content).decode()
    assert "right_face" in fhir and "Right side of the face" in fhir
    bad = api.post("/api/v1/episodes/", {**body, "body_parts": ["nose"]}, format="json")
    assert bad.status_code == 400 and "body_parts" in bad.json()


def test_notes_words_are_listed_and_the_matching_question_is_asked(client, world):
    text = _check(client, world, notes="She went stiff and felt hot")
    assert 'data-testid="notes-matched"' in text
    assert "“stiff”" in text and "Did your baby&#x27;s body, arms or legs go stiff?" in text
    assert 'data-rule="EP-NOTES-DANGER"' in text and 'data-level="urgent"' in text


def test_rule_ids_and_sources_sit_under_why_not_in_the_headline(client, world):
    text = _check(client, world, sign_vomiting="yes")
    why = re.search(r'<details class="why".*?</details>', text, re.S)
    assert why and "Rule EP-VOMITING" in why.group(0)
    outside = text.replace(why.group(0), "")
    assert "Rule EP-VOMITING" not in outside and "Source:" not in outside


def test_breathing_advice_is_not_convulsive_first_aid(client, world):
    breathing = _check(client, world, sign_breathing_difficulty="yes")
    assert "call handler" in breathing and "Do not hold the movements back" not in breathing
    seizure = _check(client, world, pattern="rhythmic", stops_when_held_or_woken="no",
                     duration_minutes="6", state="awake")
    assert "Do not hold the movements back" in seizure


def test_urgent_and_soon_answers_give_the_clinic_number_and_say_told_only_when_flagged(client, world):
    world.clinic.phone = "555-0199"
    world.clinic.save()
    text = _check(client, world, sign_vomiting="yes")
    assert 'data-testid="clinic-phone"' in text and "555-0199" in text
    assert 'data-testid="clinic-told"' in text  # stored, and a review case was opened
    routine = _check(client, world)
    assert 'data-testid="clinic-phone"' not in routine
    assert 'data-testid="clinic-told"' not in routine  # routine opens no case
    stored = make_episode(world.patient, world.parent, URGENT)
    page = client.get(stored.get_absolute_url()).text
    assert 'data-testid="clinic-told"' in page and "555-0199" in page
