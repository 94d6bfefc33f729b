"""Reads and writes of patient data leave append-only audit events."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.urls import reverse

from clinic.models import AppendOnlyError, AuditEvent


def test_page_read_writes_an_event(client, world):
    client.force_login(world.parent)
    client.get(world.patient.get_absolute_url(), REMOTE_ADDR="10.1.2.3",
               HTTP_X_REQUEST_ID="req-123")
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action) == (world.parent, world.patient, "read")
    assert event.role == "guardian" and event.ip == "10.1.2.3" and event.request_id == "req-123"
    assert event.object_type == "patient" and event.object_id == str(world.patient.uuid)


def test_list_read_writes_one_event_per_patient_shown(client, world):
    client.force_login(world.clinician)
    client.get(reverse("patient-list"))
    events = AuditEvent.objects.filter(action="read")
    assert {e.patient for e in events} == {world.patient, world.other_patient}
    assert {e.role for e in events} == {"clinician"}


def test_api_write_and_read_write_events(api, world):
    api.force_authenticate(world.clinician)
    api.patch(f"/api/v1/patients/{world.patient.uuid}/", {"birth_notes": "x"}, format="json")
    api.get(f"/api/v1/patients/{world.patient.uuid}/")
    created = api.post("/api/v1/patients/", {"given_name": "A", "family_name": "B",
                                             "date_of_birth": "2026-08-01"}, format="json")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "object_id"))
    assert actions == [("update", str(world.patient.uuid)), ("read", str(world.patient.uuid)),
                       ("create", created.json()["id"])]


def test_refused_read_is_audited_as_a_denied_attempt_on_that_patient(client, world):
    """No read happened (no "read" event), but the attempt is written down with its target."""
    client.force_login(world.other_parent)
    assert client.get(world.patient.get_absolute_url()).status_code == 404
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.patient, event.object_type, event.object_id) == (
        world.other_parent, "deny_read", world.patient, "patient", str(world.patient.uuid))


def test_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    event.action = "update"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="update")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
def test_database_refuses_raw_update_on_postgresql(world):
    event = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE clinic_auditevent SET action='update' WHERE id=%s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
@pytest.mark.django_db(transaction=True)  # TRUNCATE in its own transaction, as an attacker would
@pytest.mark.parametrize("statement", ["TRUNCATE clinic_auditevent",
                                       "TRUNCATE clinic_auditevent CASCADE",
                                       "DELETE FROM clinic_auditevent"])
def test_database_refuses_truncate_and_delete_on_postgresql(world, statement):
    event = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_is_read_only(client, world, django_user_model):
    event = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    client.force_login(admin)
    change_url = reverse("admin:clinic_auditevent_change", args=[event.pk])
    assert client.get(reverse("admin:clinic_auditevent_changelist")).status_code == 200
    page = client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    client.post(change_url, {"action": "update"})
    assert client.post(reverse("admin:clinic_auditevent_delete", args=[event.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:clinic_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_no_api_route_writes_audit_events(api, world):
    api.force_authenticate(world.clinician)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(api, method)("/api/v1/audit-events/", {}, format="json")
        assert response.status_code in (404, 405)
