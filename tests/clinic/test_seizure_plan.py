"""A known seizure disorder with the family's plan: recorded by a clinician (page, API,
admin), audited, shown to the parent with every answer, and EP-FIRST-SEIZURE then quiet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import AuditEvent, Patient
from tests.conftest import client_for
from tests.episodes.helpers import SEIZURE, make_episode, payload

pytestmark = pytest.mark.django_db

PLAN = "If a seizure lasts 5 minutes, give the rescue medicine and call 911."
ROLES = ["parent", "other_parent", "clinician", "reviewer", "clinic_admin", "other_clinician",
         "anonymous"]
# What each role gets: reading the plan (API GET) and recording it (page and API PUT).
READ = {"parent": 200, "other_parent": 404, "clinician": 200, "reviewer": 200,
        "clinic_admin": 200, "other_clinician": 404, "anonymous": 401}
RECORD = {"parent": 403, "other_parent": 404, "clinician": 200, "reviewer": 403,
          "clinic_admin": 403, "other_clinician": 404, "anonymous": 401}


def _page(world) -> str:
    return reverse("patient-seizure-plan", kwargs={"patient_id": world.patient.uuid})


def _api(world) -> str:
    return f"/api/v1/patients/{world.patient.uuid}/seizure-plan/"


@pytest.mark.parametrize("role", ROLES)
def test_page_records_the_plan_for_clinicians_only(client, world, role):
    user = world.user(role)
    response = client_for(client, user).post(_page(world), {"known_seizure_disorder": "on",
                                                            "seizure_plan": PLAN})
    world.patient.refresh_from_db()
    expected = RECORD[role]
    if expected == 200:
        assert response.status_code == 302 and response.url == world.patient.get_absolute_url()
        assert world.patient.known_seizure_disorder and world.patient.seizure_plan == PLAN
        assert world.patient.seizure_plan_updated_by == user
        assert AuditEvent.objects.filter(actor=user, action="update", object_type="seizure_plan",
                                         patient=world.patient).exists()
    elif role == "anonymous":
        assert response.status_code == 302 and "/login" in response.url
        assert not world.patient.known_seizure_disorder
    else:
        assert response.status_code == expected
        assert not world.patient.known_seizure_disorder and world.patient.seizure_plan == ""


@pytest.mark.parametrize("role", ROLES)
def test_page_form_opens_for_clinicians_only(client, world, role):
    response = client_for(client, world.user(role)).get(_page(world))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == RECORD[role]
    if RECORD[role] == 200:
        assert 'data-testid="seizure-plan-form"' in response.text


@pytest.mark.parametrize("role", ROLES)
def test_api_reads_for_everyone_who_sees_the_child(api, world, role):
    world.patient.known_seizure_disorder, world.patient.seizure_plan = True, PLAN
    world.patient.save()
    user = world.user(role)
    if user is not None:
        api.force_authenticate(user)
    response = api.get(_api(world))
    assert response.status_code == READ[role]
    if READ[role] == 200:
        assert response.json()["seizure_plan"] == PLAN and response.json()["known_seizure_disorder"]


@pytest.mark.parametrize("role", ROLES)
def test_api_records_for_clinicians_only(api, world, role):
    user = world.user(role)
    if user is not None:
        api.force_authenticate(user)
    response = api.put(_api(world), {"known_seizure_disorder": True, "seizure_plan": PLAN}, format="json")
    assert response.status_code == RECORD[role]
    world.patient.refresh_from_db()
    assert (world.patient.seizure_plan == PLAN) is (RECORD[role] == 200)


def test_a_disorder_without_a_plan_is_refused_and_nothing_changes(api, client, world):
    api.force_authenticate(world.clinician)
    response = api.put(_api(world), {"known_seizure_disorder": True, "seizure_plan": "  "}, format="json")
    assert response.status_code == 400 and "seizure_plan" in response.json()
    page = client_for(client, world.clinician).post(_page(world), {"known_seizure_disorder": "on",
                                                                   "seizure_plan": ""})
    assert page.status_code == 200 and "plain words" in page.text
    world.patient.refresh_from_db()
    assert not world.patient.known_seizure_disorder
    assert api.put(_api(world), {"known_seizure_disorder": "maybe"}, format="json").status_code == 400


def test_history_keeps_every_version(api, world):
    api.force_authenticate(world.clinician)
    api.put(_api(world), {"known_seizure_disorder": True, "seizure_plan": PLAN}, format="json")
    api.put(_api(world), {"known_seizure_disorder": False, "seizure_plan": ""}, format="json")
    plans = list(Patient.history.filter(id=world.patient.pk).values_list("seizure_plan", flat=True))
    assert PLAN in plans and plans[0] == ""


def test_parent_sees_the_plan_with_every_answer_and_first_seizure_stays_quiet(api, client, world):
    world.patient.known_seizure_disorder, world.patient.seizure_plan = True, PLAN
    world.patient.save()
    api.force_authenticate(world.parent)
    answer = api.post("/api/v1/episodes/assess/", payload(world.patient, SEIZURE), format="json").json()
    assert answer["seizure_plan"] == PLAN and answer["level"] == "urgent"
    assert "EP-FIRST-SEIZURE" not in {r["rule"] for r in answer["reasons"]}
    routine = api.post("/api/v1/episodes/assess/", payload(world.patient), format="json").json()
    assert routine["seizure_plan"] == PLAN  # with every answer, not only seizures
    episode = make_episode(world.patient, world.parent, SEIZURE)
    page = client_for(client, world.parent).get(episode.get_absolute_url())
    assert PLAN in page.text and 'data-testid="seizure-plan-answer"' in page.text


def test_admin_lets_only_clinicians_change_the_plan(rf, world):
    from django.contrib import admin

    model_admin = admin.site._registry[Patient]
    request = rf.get("/admin/")
    request.user = world.clinic_admin
    assert "seizure_plan" in model_admin.get_readonly_fields(request, world.patient)
    request.user = world.clinician
    assert "seizure_plan" not in model_admin.get_readonly_fields(request, world.patient)


def test_admin_change_of_the_plan_is_audited_and_stamped(client, world):
    from django.contrib.auth.models import Permission

    patient = world.patient
    body = {"given_name": patient.given_name, "family_name": patient.family_name, "mrn": patient.mrn,
            "date_of_birth": patient.date_of_birth.isoformat(), "sex": patient.sex,
            "gestational_age_weeks": 40, "gestational_age_days": 0,
            "known_seizure_disorder": "on", "seizure_plan": PLAN}
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    perms = Permission.objects.filter(content_type__app_label="clinic",
                                      codename__in=["view_patient", "change_patient"])
    # A clinic admin may edit the patient, but the plan fields are read-only for them.
    world.clinic_admin.user_permissions.add(*perms)
    world.clinic_admin.is_staff = True
    world.clinic_admin.save()
    response = client_for(client, world.clinic_admin).post(url, body)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert not patient.known_seizure_disorder and patient.seizure_plan == ""
    # A clinician who may use the admin records it; the save is audited and stamped.
    world.clinician.user_permissions.add(*perms)
    world.clinician.is_staff = True
    world.clinician.save()
    response = client_for(client, world.clinician).post(url, body)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.known_seizure_disorder and patient.seizure_plan == PLAN
    assert patient.seizure_plan_updated_by == world.clinician
    assert AuditEvent.objects.filter(actor=world.clinician, patient=patient, action="update").exists()
