"""The episodes API: report, list, retrieve, assess without storing, keys, bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import AuditEvent, ReviewCase
from episodes.models import Episode
from tests.episodes.helpers import URGENT, make_episode, payload

LIST = "/api/v1/episodes/"
ASSESS = "/api/v1/episodes/assess/"
TRIAGE_KEYS = {"level", "headline", "advice", "reasons", "notes_matched", "seizure_plan"}
REASON_KEYS = {"rule", "level", "explanation", "source"}


def test_parent_reports_and_gets_triage_per_design(api, world):
    api.force_authenticate(world.parent)
    response = api.post(LIST, payload(world.patient, URGENT), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body["triage"]) == TRIAGE_KEYS
    assert all(set(reason) == REASON_KEYS for reason in body["triage"]["reasons"])
    assert body["triage"]["level"] == body["level"] == "urgent"
    assert body["patient"] == str(world.patient.uuid)
    episode = Episode.objects.get(uuid=body["id"])
    assert body["review_case"] == str(episode.review_case.uuid)
    assert AuditEvent.objects.filter(action="create", object_type="episode",
                                     object_id=body["id"]).exists()


def test_clinician_logs_a_phone_report(api, world):
    api.force_authenticate(world.clinician)
    response = api.post(LIST, payload(world.patient, source="phone"), format="json")
    assert response.status_code == 201
    assert response.json()["source"] == "phone"
    assert response.json()["reporter"] == "clinician"


def test_parent_cannot_claim_a_phone_report(api, world):
    api.force_authenticate(world.parent)
    response = api.post(LIST, payload(world.patient, source="clinic"), format="json")
    assert response.json()["source"] == "parent"


def test_assess_answers_without_storing(api, world):
    api.force_authenticate(world.parent)
    response = api.post(ASSESS, payload(world.patient, URGENT), format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "urgent"
    assert {"EP-RHYTHMIC-30S"} <= {r["rule"] for r in body["reasons"]}
    assert not Episode.objects.exists() and not ReviewCase.objects.exists()


def test_retry_with_same_client_id_returns_the_first_episode(api, world):
    api.force_authenticate(world.parent)
    body = payload(world.patient, client_id=str(uuid.uuid4()))
    first = api.post(LIST, body, format="json")
    second = api.post(LIST, body, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Episode.objects.count() == 1


def test_same_client_id_with_other_content_is_refused(api, world):
    api.force_authenticate(world.parent)
    key = str(uuid.uuid4())
    api.post(LIST, payload(world.patient, client_id=key), format="json")
    response = api.post(LIST, payload(world.patient, client_id=key, duration_seconds=99), format="json")
    assert response.status_code == 409
    assert "client_id" in response.json()
    assert Episode.objects.count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"duration_seconds": -1}, "duration_seconds"),
    ({"duration_seconds": 86_401}, "duration_seconds"),
    ({"body_parts": ["tail"]}, "body_parts"),
    ({"body_parts": []}, "body_parts"),
    ({"body_parts": ["left_foot", "left_foot"]}, "body_parts"),
    ({"signs": ["hiccups"]}, "signs"),
    ({"state": "dancing"}, "state"),
    ({"temperature_c": "29.9"}, "temperature_c"),
    ({"temperature_c": "45.1"}, "temperature_c"),
    ({"started_at": (timezone.now() + timedelta(hours=1)).isoformat()}, "started_at"),
    ({"patient": "not-a-uuid"}, "patient"),
])
def test_bad_input_answers_400_on_the_field(api, world, change, field):
    api.force_authenticate(world.parent)
    for url in (LIST, ASSESS):
        response = api.post(url, payload(world.patient, **change), format="json")
        assert response.status_code == 400
        assert field in response.json()
    assert not Episode.objects.exists()


def test_list_filters_by_patient_level_and_dates(api, world):
    now = timezone.now()
    make_episode(world.patient, world.parent, started_at=now - timedelta(days=3))
    urgent = make_episode(world.patient, world.parent, URGENT, started_at=now - timedelta(hours=2))
    make_episode(world.other_patient, world.other_parent)
    api.force_authenticate(world.clinician)
    everything = api.get(LIST).json()
    assert len(everything["results"]) == 3
    mine = api.get(LIST, {"patient": str(world.patient.uuid), "level": "urgent"}).json()
    assert [e["id"] for e in mine["results"]] == [str(urgent.uuid)]
    recent = api.get(LIST, {"started_after": (now - timedelta(days=1)).isoformat()}).json()
    assert {e["id"] for e in recent["results"]} >= {str(urgent.uuid)}
    assert len(recent["results"]) == 2
    assert api.get(LIST, {"level": "purple"}).status_code == 400


def test_parent_lists_only_their_child(api, world):
    make_episode(world.patient, world.parent)
    make_episode(world.other_patient, world.other_parent)
    make_episode(world.foreign_patient, world.other_clinician)
    api.force_authenticate(world.parent)
    results = api.get(LIST).json()["results"]
    assert {e["patient"] for e in results} == {str(world.patient.uuid)}
    read = AuditEvent.objects.filter(actor=world.parent, action="read", object_type="episode")
    assert list(read.values_list("patient", flat=True)) == [world.patient.pk]


def test_mark_in_error_by_the_reporting_parent(api, world):
    episode = make_episode(world.patient, world.parent)
    api.force_authenticate(world.parent)
    url = reverse("api:episode-mark-in-error", kwargs={"id": episode.uuid})
    assert api.post(url, {}, format="json").status_code == 400
    response = api.post(url, {"reason": "Wrong time"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "entered_in_error"
    assert response.json()["entered_in_error_by"] == "parent"


REPORT_KEYS = ["patient", "client_id", "started_at", "duration_seconds", "body_parts", "state",
               "pattern", "stops_when_held_or_woken", "signs", "temperature_c", "notes", "source"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children,
                                                                     max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize("url", [LIST, ASSESS])
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={key: json_values for key in REPORT_KEYS}),
))
def test_arbitrary_json_never_gives_a_server_error(api, world, url, data):
    api.force_authenticate(world.parent)
    response = api.post(url, data, format="json")
    assert response.status_code < 500
    assert response.status_code in (200, 201, 400)


@pytest.mark.parametrize("url", [LIST, ASSESS])
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(key=st.sampled_from(REPORT_KEYS[1:]), value=json_values)
def test_one_odd_field_in_a_valid_report_never_gives_a_server_error(api, world, url, key, value):
    api.force_authenticate(world.parent)
    response = api.post(url, {**payload(world.patient), key: value}, format="json")
    assert response.status_code in (200, 201, 400, 409)
    if response.status_code == 400:
        assert key in response.json()
