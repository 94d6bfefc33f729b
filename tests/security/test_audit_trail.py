"""Every page, endpoint and admin view that shows or changes a patient's data writes an AuditEvent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic import services as clinic_services
from clinic.models import AuditEvent
from tests.conftest import client_for
from tests.episodes.helpers import payload
from tests.factories import UserFactory
from tests.security.test_url_coverage import OBJECT, ROUTES, url_of

# Every GET route that shows one patient's data, read by the clinician of their clinic.
OBJECT_READS = sorted(name for name, route in ROUTES.items()
                      if route.access == OBJECT and "GET" in route.methods)
# Lists of several patients' rows (the caller's own patients are in them).
LIST_READS = ["patient-list", "review:queue", "api:patient-list", "api:episode-list",
              "api:evaluation-list", "api:suggestion-list", "api:order-list", "messaging:inbox"]


@pytest.mark.parametrize("name", OBJECT_READS)
def test_object_pages_and_endpoints_audit_the_read(client, world, records, name):
    before = AuditEvent.objects.filter(actor=world.clinician, patient=world.patient).count()
    response = client_for(client, world.clinician).get(url_of(name, records))
    assert response.status_code == 200, name
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    after = AuditEvent.objects.filter(actor=world.clinician, patient=world.patient).count()
    assert after > before, f"{name} showed patient data without an audit event"


@pytest.mark.parametrize("name", LIST_READS)
def test_lists_audit_each_patient_shown(client, world, records, name):
    client_for(client, world.clinician).get(reverse(name))
    assert AuditEvent.objects.filter(actor=world.clinician, patient=world.patient,
                                     action="read").exists(), name


def test_parent_home_audits_the_children_shown(client, world):
    client_for(client, world.parent).get(reverse("home"))
    assert AuditEvent.objects.filter(actor=world.parent, patient=world.patient).exists()


def test_rows_behind_a_dashboard_figure_are_audited(client, world, records):
    client_for(client, world.clinician).get(
        reverse("review:rows", kwargs={"kind": "episodes"}), {"level": "urgent"})
    assert AuditEvent.objects.filter(actor=world.clinician, patient=world.patient,
                                     object_type="episodes").exists()


def test_dashboard_csv_export_is_audited(client, world, records):
    response = client_for(client, world.reviewer).get(
        reverse("review:csv", kwargs={"table": "open_cases"}))
    assert response.status_code == 200
    event = AuditEvent.objects.get(actor=world.reviewer, action="export")
    assert event.object_type == "dashboard_csv:open_cases" and event.patient is None


def test_fhir_export_is_audited(api, world, records):
    api.force_authenticate(world.clinician)
    assert api.get(f"/api/v1/patients/{world.patient.uuid}/fhir/").status_code == 200
    assert AuditEvent.objects.filter(actor=world.clinician, patient=world.patient,
                                     action="export", object_type="fhir_bundle").exists()


def test_patient_edit_form_audits_the_read(client, world):
    client_for(client, world.clinician).get(
        reverse("patient-edit", kwargs={"patient_id": world.patient.uuid}))
    assert AuditEvent.objects.filter(actor=world.clinician, patient=world.patient,
                                     action="read").exists()


@pytest.mark.parametrize(("name", "obj"), [("episode-mark-in-error", "episode"),
                                          ("evaluation-create", "patient"),
                                          ("episode-report", "patient")])
def test_form_pages_showing_a_record_audit_the_read(client, world, records, name, obj):
    response = client_for(client, world.clinician).get(url_of(name, records))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(actor=world.clinician, patient=world.patient,
                                     action="read").exists()


def test_accepting_an_invitation_audits_the_new_guardianship(client, world):
    _, token = clinic_services.invitation_create(
        patient=world.patient, created_by=world.clinician, email="new@example.org",
        relationship="father")
    response = client.post(reverse("invitation-accept", kwargs={"token": token}), {
        "username": "newdad", "password1": "a-long-pass-2026!", "password2": "a-long-pass-2026!"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(patient=world.patient, object_type="guardianship")
    assert event.action == "create" and event.actor_username == "newdad"


def test_a_repeated_client_id_audits_the_read_of_the_stored_episode(api, world):
    api.force_authenticate(world.parent)
    body = payload(world.patient, client_id="6f1c7d1e-0a7b-4c55-9d84-2e7f2c3b9a10")
    assert api.post("/api/v1/episodes/", body, format="json").status_code == 201
    assert api.post("/api/v1/episodes/", body, format="json").status_code == 200
    actions = list(AuditEvent.objects.filter(actor=world.parent, object_type="episode")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["create", "read"]


# -- the admin ------------------------------------------------------------------------------

ADMIN_PAGES = [
    ("clinic", "patient", "patient"), ("clinic", "reviewcase", "case"),
    ("episodes", "episode", "episode"), ("episodes", "episodeattachment", "attachment"),
    ("evaluations", "evaluation", "evaluation"), ("evaluations", "suggestion", "suggestion"),
    ("evaluations", "followuporder", "order"),
]


@pytest.fixture
def staff(client, world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    return client_for(client, root), root


@pytest.mark.parametrize(("app", "model", "obj"), ADMIN_PAGES)
def test_admin_change_page_audits_the_read(staff, records, app, model, obj):
    client, root = staff
    target = getattr(records, obj)
    response = client.get(reverse(f"admin:{app}_{model}_change", args=[target.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(actor=root, patient=records.patient, action="read",
                                     object_type=model).exists()


@pytest.mark.parametrize(("app", "model", "obj"), ADMIN_PAGES)
def test_admin_changelist_audits_the_patients_shown(staff, records, app, model, obj):
    client, root = staff
    assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert AuditEvent.objects.filter(actor=root, patient=records.patient, action="read",
                                     object_type=model).exists()


@pytest.mark.parametrize(("app", "model", "obj"), [p for p in ADMIN_PAGES if p[1] != "episodeattachment"])
def test_admin_history_page_audits_the_read(staff, records, app, model, obj):
    client, root = staff
    target = getattr(records, obj)
    assert client.get(reverse(f"admin:{app}_{model}_history", args=[target.pk])).status_code == 200
    assert AuditEvent.objects.filter(actor=root, patient=records.patient, action="read").exists()


def test_admin_patient_save_is_audited(client, world):
    world.clinic_admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="clinic", codename__in=["view_patient", "change_patient"]))
    client = client_for(client, world.clinic_admin)
    patient = world.patient
    response = client.post(reverse("admin:clinic_patient_change", args=[patient.pk]), {
        "given_name": "Noah", "family_name": "Renamed", "mrn": patient.mrn,
        "date_of_birth": patient.date_of_birth.isoformat(), "sex": patient.sex,
        "gestational_age_weeks": 40, "gestational_age_days": 0,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert AuditEvent.objects.filter(actor=world.clinic_admin, patient=patient,
                                     action="update").exists()


def test_admin_order_update_is_audited(staff, records):
    client, root = staff
    response = client.post(reverse("admin:evaluations_followuporder_change", args=[records.order.pk]),
                           {"priority": "routine", "status": "scheduled", "result_notes": ""})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(actor=root, patient=records.patient, action="update",
                                     object_type="followuporder").exists()
