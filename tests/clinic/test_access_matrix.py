"""Every page and endpoint of the clinic core, for every role, against allowed and forbidden rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import Invitation, Patient
from tests.conftest import client_for, shows_word

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]

# Expected status of reading the `world.patient` record (child of `parent`, in `clinic`).
READ_PATIENT = {
    "anonymous": 302, "parent": 200, "other_parent": 404, "clinician": 200,
    "other_clinician": 404, "reviewer": 200, "clinic_admin": 200,
}
# Editing it: visible but not allowed answers 403; invisible answers 404.
EDIT_PATIENT = {
    "anonymous": 302, "parent": 403, "other_parent": 404, "clinician": 200,
    "other_clinician": 404, "reviewer": 403, "clinic_admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_patient_page(client, world, role):
    response = client_for(client, world.user(role)).get(world.patient.get_absolute_url())
    assert response.status_code == READ_PATIENT[role]
    if response.status_code == 200:
        assert world.patient.given_name in response.text
    if role == "anonymous":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_foreign_patient_page_is_missing_for_first_clinic(client, world, role):
    response = client_for(client, world.user(role)).get(world.foreign_patient.get_absolute_url())
    expected = {"anonymous": 302, "other_clinician": 200}.get(role, 404)
    assert response.status_code == expected
    # Only the foreign clinic's clinician ever sees the child's name.
    assert shows_word(response.content.decode(), world.foreign_patient.given_name) == (expected == 200)


@pytest.mark.parametrize("role", ROLES)
def test_patient_list_shows_only_visible_patients(client, world, role):
    response = client_for(client, world.user(role)).get(reverse("patient-list"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role in ("parent", "other_parent"):  # a staff workplace: parents have "my children"
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {p.given_name for p in response.context["page"].rows}
    expected = {"other_clinician": {"Ava"}}.get(role, {"Noah", "Mila"})
    assert shown == expected


@pytest.mark.parametrize("role", ROLES)
def test_home(client, world, role):
    response = client_for(client, world.user(role)).get(reverse("home"))
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response.url
    elif role in ("parent", "other_parent"):
        assert response.status_code == 200
        names = {child.given_name for child in response.context["children"]}
        assert names == ({"Noah"} if role == "parent" else {"Mila"})
    else:  # a reviewer (no clinician role) starts at the queue, other staff at the patients
        landing = "review:queue" if role == "reviewer" else "patient-list"
        assert response.status_code == 302 and response.url == reverse(landing)


@pytest.mark.parametrize("role", ROLES)
def test_patient_edit_page(client, world, role):
    url = reverse("patient-edit", kwargs={"patient_id": world.patient.uuid})
    c = client_for(client, world.user(role))
    assert c.get(url).status_code == EDIT_PATIENT[role]
    before = Patient.objects.get(pk=world.patient.pk)
    response = c.post(url, {
        "given_name": "Changed", "family_name": before.family_name,
        "date_of_birth": before.date_of_birth.isoformat(), "sex": before.sex,
        "mrn": before.mrn, "gestational_age_weeks": 40, "gestational_age_days": 0,
    })
    after = Patient.objects.get(pk=world.patient.pk)
    if EDIT_PATIENT[role] == 200:
        assert response.status_code == 302
        assert after.given_name == "Changed"
    else:
        assert response.status_code == EDIT_PATIENT[role]
        assert after.given_name == before.given_name
        assert after.updated_at == before.updated_at


@pytest.mark.parametrize("role", ROLES)
def test_patient_create_page(client, world, role):
    c = client_for(client, world.user(role))
    url = reverse("patient-create")
    count = Patient.objects.count()
    response = c.post(url, {
        "given_name": "New", "family_name": "Baby", "date_of_birth": "2026-10-01",
        "sex": "male", "gestational_age_weeks": 38, "gestational_age_days": 2,
    })
    allowed = role in ("clinician", "other_clinician", "clinic_admin")
    if role == "anonymous":
        assert response.status_code == 302 and reverse("login") in response.url
    elif allowed:
        assert response.status_code == 302
        created = Patient.objects.get(given_name="New")
        assert created.clinic == (world.other_clinic if role == "other_clinician"
                                  else world.clinic)
        return
    else:
        assert response.status_code == 403
    assert Patient.objects.count() == count


@pytest.mark.parametrize("role", ROLES)
def test_invitation_create(client, world, role, mailoutbox):
    url = reverse("invitation-create", kwargs={"patient_id": world.patient.uuid})
    response = client_for(client, world.user(role)).post(
        url, {"email": "grandma@example.org", "relationship": "guardian"}
    )
    expected = {"anonymous": 302, **{r: s for r, s in EDIT_PATIENT.items() if r != "anonymous"}}
    created = Invitation.objects.filter(patient=world.patient).count()
    if expected[role] == 200:
        assert response.status_code == 302
        assert created == 1 and len(mailoutbox) == 1
        assert "/invitations/" in mailoutbox[0].body
    else:
        assert response.status_code == expected[role]
        assert created == 0 and mailoutbox == []


# --- API ------------------------------------------------------------------------------------

API_READ = {**READ_PATIENT, "anonymous": 401}
API_WRITE = {**EDIT_PATIENT, "anonymous": 401}


def api_for(api, user):
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.mark.parametrize("role", ROLES)
def test_api_patient_retrieve(api, world, role):
    response = api_for(api, world.user(role)).get(f"/api/v1/patients/{world.patient.uuid}/")
    assert response.status_code == API_READ[role]
    if response.status_code == 200:
        assert response.json()["id"] == str(world.patient.uuid)
        assert set(response.json()["age"]) == {"chronological_days", "corrected_days", "uses"}


@pytest.mark.parametrize("role", ROLES)
def test_api_patient_list(api, world, role):
    response = api_for(api, world.user(role)).get("/api/v1/patients/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    ids = {row["id"] for row in response.json()["results"]}
    expected = {
        "parent": {world.patient}, "other_parent": {world.other_patient},
        "other_clinician": {world.foreign_patient},
    }.get(role, {world.patient, world.other_patient})
    assert ids == {str(p.uuid) for p in expected}


@pytest.mark.parametrize("role", ROLES)
def test_api_patient_update(api, world, role):
    before = Patient.objects.get(pk=world.patient.pk)
    response = api_for(api, world.user(role)).patch(
        f"/api/v1/patients/{world.patient.uuid}/", {"given_name": "Renamed"}, format="json"
    )
    after = Patient.objects.get(pk=world.patient.pk)
    assert response.status_code == API_WRITE[role]
    if API_WRITE[role] == 200:
        assert after.given_name == "Renamed"
    else:
        assert after.given_name == before.given_name and after.updated_at == before.updated_at


@pytest.mark.parametrize("role", ROLES)
def test_api_patient_create(api, world, role):
    count = Patient.objects.count()
    response = api_for(api, world.user(role)).post("/api/v1/patients/", {
        "given_name": "Api", "family_name": "Baby", "date_of_birth": "2026-09-01",
        "sex": "female",
    }, format="json")
    if role in ("clinician", "other_clinician", "clinic_admin"):
        assert response.status_code == 201, response.json()
        assert Patient.objects.count() == count + 1
        return
    assert response.status_code in {"anonymous": (401,)}.get(role, (400, 403))
    assert Patient.objects.count() == count


@pytest.mark.parametrize("role", ROLES)
def test_api_me(api, world, role):
    response = api_for(api, world.user(role)).get("/api/v1/me/")
    if role == "anonymous":
        assert response.status_code == 401
        return
    body = response.json()
    assert body["username"] == world.user(role).username
    if role == "parent":
        assert body["children"] == [str(world.patient.uuid)] and body["memberships"] == []
    if role == "clinician":
        assert body["memberships"][0]["role"] == "clinician" and body["children"] == []


def test_api_patient_cannot_be_created_in_a_foreign_clinic(api, world):
    api.force_authenticate(world.clinician)
    response = api.post("/api/v1/patients/", {
        "clinic": str(world.other_clinic.uuid), "given_name": "X", "family_name": "Y",
        "date_of_birth": "2026-09-01",
    }, format="json")
    assert response.status_code == 400 and "clinic" in response.json()
    assert not Patient.objects.filter(given_name="X").exists()
