"""Ids inside forms, bodies and query strings cannot reach another clinic's rows.

The URL ids are covered by test_url_coverage.py; these are the ids that travel in
admin forms, ``next`` redirects, filters and request bodies.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic.models import AuditEvent, Guardianship, Membership, Patient, Role
from evaluations.models import FollowUpOrder, Suggestion
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.review.review_factories import make_case
from tests.review.review_factories import suggestion as make_suggestion
from tests.security.test_url_coverage import ROUTES


@pytest.fixture
def admin_client(client, world):
    """The clinic admin with the demo's admin permissions (clinic/demo.py)."""
    world.clinic_admin.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["clinic", "episodes", "evaluations"],
            codename__startswith="view_",
        ),
        *Permission.objects.filter(
            content_type__app_label="clinic",
            codename__in=["add_patient", "change_patient", "add_membership", "change_membership",
                          "change_guardianship", "change_reviewcase", "delete_patient",
                          "delete_membership"],
        ),
    )
    return client_for(client, world.clinic_admin)


def test_admin_cannot_add_a_membership_in_another_clinic(admin_client, world):
    newcomer = UserFactory(username="newcomer")
    response = admin_client.post(reverse("admin:clinic_membership_add"), {
        "user": newcomer.pk, "clinic": world.other_clinic.pk, "role": Role.CLINICIAN,
    })
    assert response.status_code == 403  # staff join by invitation, not by a clinic admin's form
    assert not Membership.objects.filter(clinic=world.other_clinic, user=newcomer).exists()


def test_admin_membership_form_is_for_superusers_and_offers_only_managed_clinics(
        admin_client, world, rf):
    """Staff join by invitation: a clinic admin gets no add form; the form's clinics are scoped."""
    assert admin_client.get(reverse("admin:clinic_membership_add")).status_code == 403
    from clinic.models import Membership

    request = rf.get("/")
    request.user = world.clinic_admin
    model_admin = admin.site._registry[Membership]
    field = model_admin.formfield_for_foreignkey(Membership._meta.get_field("clinic"), request)
    assert list(field.queryset) == [world.clinic]


def test_admin_cannot_point_a_guardianship_at_a_foreign_patient(admin_client, world):
    guardianship = Guardianship.objects.get(user=world.parent, patient=world.patient)
    response = admin_client.post(
        reverse("admin:clinic_guardianship_change", args=[guardianship.pk]),
        {"user": world.parent.pk, "patient": world.foreign_patient.pk, "relationship": "mother"},
    )
    assert response.status_code in (200, 302)  # the patient and user are read-only once linked
    guardianship.refresh_from_db()
    assert guardianship.patient == world.patient and guardianship.user == world.parent


def test_admin_cannot_add_a_patient_to_another_clinic(admin_client, world):
    response = admin_client.post(reverse("admin:clinic_patient_add"), {
        "clinic": world.other_clinic.pk, "given_name": "Intruder", "family_name": "X",
        "date_of_birth": "2026-01-01", "sex": "female", "gestational_age_weeks": 40,
        "gestational_age_days": 0,
    })
    assert response.status_code == 200
    assert not Patient.objects.filter(given_name="Intruder").exists()


def test_admin_cannot_move_a_patient_to_another_clinic(admin_client, world):
    response = admin_client.get(reverse("admin:clinic_patient_change", args=[world.patient.pk]))
    assert "clinic" not in response.context["adminform"].form.fields


def test_reviewer_with_change_permission_cannot_edit_a_patient_in_admin(client, world):
    world.reviewer.is_staff = True
    world.reviewer.save()
    world.reviewer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="clinic", codename__in=["view_patient", "change_patient"]))
    client = client_for(client, world.reviewer)
    url = reverse("admin:clinic_patient_change", args=[world.patient.pk])
    response = client.post(url, {"given_name": "Changed", "family_name": "X",
                                 "date_of_birth": "2026-01-01", "sex": "female",
                                 "gestational_age_weeks": 40, "gestational_age_days": 0})
    assert response.status_code == 403
    world.patient.refresh_from_db()
    assert world.patient.given_name == "Noah"


def test_admin_never_deletes_a_patient(admin_client, world):
    url = reverse("admin:clinic_patient_delete", args=[world.patient.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Patient.objects.filter(pk=world.patient.pk).exists()
    response = admin_client.post(reverse("admin:clinic_patient_changelist"), {
        "action": "delete_selected", "_selected_action": [world.patient.pk], "post": "yes",
    })
    assert response.status_code in (200, 302)
    assert Patient.objects.filter(pk=world.patient.pk).exists()


def test_superuser_cannot_delete_clinical_rows_in_admin(client, world):
    """No admin of a clinical model offers delete, not even to a superuser."""
    from django.contrib import admin

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    request = type("R", (), {"user": root})()
    clinical = {"clinic.patient", "clinic.reviewcase", "clinic.auditevent", "clinic.clinic",
                "episodes.episode", "episodes.episodeattachment", "evaluations.evaluation",
                "evaluations.suggestion", "evaluations.followuporder"}
    for model, model_admin in admin.site._registry.items():
        if f"{model._meta.app_label}.{model._meta.model_name}" in clinical:
            assert not model_admin.has_delete_permission(request), model


def test_admin_assign_action_with_a_garbage_clinician_id_is_an_error_not_a_500(client, world):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    case = make_case(world.patient)
    response = client_for(client, root).post(reverse("admin:clinic_reviewcase_changelist"), {
        "action": "assign_cases", "_selected_action": [case.pk], "apply": "1", "assignee": "abc",
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to is None


@pytest.mark.parametrize("target", ["/\\evil.example/x", "//evil.example/x",
                                    "https://evil.example/", "/\t/evil.example"])
def test_suggestion_next_cannot_leave_the_site(client, world, target):
    suggestion = make_suggestion(world.patient)
    response = client_for(client, world.clinician).post(
        reverse("suggestion-dismiss", kwargs={"suggestion_id": suggestion.uuid}),
        {"reason": "not now", "next": target},
    )
    assert response.status_code == 302
    # Back to the chart, at the suggestion's own place (#suggestion-<uuid>), never off site.
    assert response.url == reverse("chart", kwargs={"patient_id": world.patient.uuid}) + (
        f"#suggestion-{suggestion.uuid}")


def test_suggestion_next_within_the_site_is_followed(client, world):
    suggestion = make_suggestion(world.patient)
    nxt = world.patient.get_absolute_url()
    response = client_for(client, world.clinician).post(
        reverse("suggestion-accept", kwargs={"suggestion_id": suggestion.uuid}), {"next": nxt})
    assert response.url == f"{nxt}#suggestion-{suggestion.uuid}"


def test_accepting_another_clinics_suggestion_orders_nothing(client, api, world):
    foreign = make_suggestion(world.foreign_patient)
    response = client_for(client, world.clinician).post(
        reverse("suggestion-accept", kwargs={"suggestion_id": foreign.uuid}))
    assert response.status_code == 404
    api.force_authenticate(world.clinician)
    assert api.post(f"/api/v1/suggestions/{foreign.uuid}/accept/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "suggested"
    assert not FollowUpOrder.objects.filter(patient=world.foreign_patient).exists()


def test_assigning_a_case_to_a_clinician_of_another_clinic_is_refused(client, world):
    case = make_case(world.patient)
    response = client_for(client, world.clinician).post(
        reverse("review:assign", kwargs={"case_id": case.uuid}),
        {"assignee": world.other_clinician.pk},
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assigned_to is None


def test_ordering_for_a_foreign_patient_through_the_api_is_refused(api, world):
    api.force_authenticate(world.clinician)
    response = api.post("/api/v1/orders/", {"patient": str(world.foreign_patient.uuid),
                                            "code": "eeg"}, format="json")
    assert response.status_code in (400, 404)
    assert not FollowUpOrder.objects.filter(patient=world.foreign_patient).exists()


def test_previewing_with_another_clinics_evaluation_is_missing(client, world):
    from tests.evaluations.helpers import draft

    foreign = draft(world.foreign_patient, world.other_clinician)
    response = client_for(client, world.clinician).post(
        reverse("evaluation-preview", kwargs={"patient_id": world.patient.uuid}),
        {"evaluation": str(foreign.uuid)},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/episodes/", "/api/v1/evaluations/", "/api/v1/suggestions/",
                                  "/api/v1/orders/"])
def test_filtering_by_a_foreign_patient_leaks_no_count(api, world, path):
    make_suggestion(world.foreign_patient)
    FollowUpOrder.objects.create(patient=world.foreign_patient, code="eeg", test="EEG",
                                 ordered_by=world.other_clinician)
    api.force_authenticate(world.clinician)
    foreign = api.get(path, {"patient": str(world.foreign_patient.uuid)}).json()
    unknown = api.get(path, {"patient": "00000000-0000-0000-0000-000000000000"}).json()
    empty = {"next": None, "previous": None, "results": []}
    if path != "/api/v1/episodes/":  # the episodes list pages by cursor, with no count
        empty["count"] = 0
    assert foreign == unknown == empty


def test_milestones_of_a_foreign_patient_are_missing(api, world):
    api.force_authenticate(world.clinician)
    response = api.get("/api/v1/milestones/", {"patient": str(world.foreign_patient.uuid)})
    assert response.status_code == 404


def test_dashboard_scoped_to_a_foreign_clinic_shows_nothing(client, world):
    make_case(world.foreign_patient)
    make_suggestion(world.foreign_patient)
    client = client_for(client, world.reviewer)
    query = {"clinic": str(world.other_clinic.uuid)}
    csv = client.get(reverse("review:csv", kwargs={"table": "open_cases"}), query)
    assert "All open,0" in csv.content.decode()
    rows = client.get(reverse("review:rows", kwargs={"kind": "suggestions"}), {**query, "pending": "on"})
    assert rows.status_code == 200 and not rows.context["items"]
    queue = client.get(reverse("review:queue"), query)
    assert not queue.context["cases"]
    assert not Suggestion.objects.filter(patient=world.foreign_patient, status="accepted").exists()
    assert not AuditEvent.objects.filter(patient=world.foreign_patient).exists()


def test_fhir_export_of_a_foreign_patient_is_missing(api, world):
    api.force_authenticate(world.clinician)
    assert api.get(f"/api/v1/patients/{world.foreign_patient.uuid}/fhir/").status_code == 404


def test_every_object_route_is_in_the_tenant_sweep():
    """The 404 sweep covers each object route: none is left out by a missing method."""
    for name, route in ROUTES.items():
        if route.access == "object":
            assert route.methods, name


def test_a_reviewer_with_change_permission_cannot_edit_the_clinic(client, world):
    world.reviewer.is_staff = True
    world.reviewer.save()
    world.reviewer.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="clinic", codename__in=["view_clinic", "change_clinic"]))
    response = client_for(client, world.reviewer).post(
        reverse("admin:clinic_clinic_change", args=[world.clinic.pk]),
        {"name": "Renamed", "phone": "", "emergency_number": "112"})
    assert response.status_code == 403
    world.clinic.refresh_from_db()
    assert world.clinic.name == "Riverside"
