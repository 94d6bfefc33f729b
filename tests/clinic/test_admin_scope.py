"""The Django admin follows clinic/access.py for staff who are not superusers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic.models import AuditEvent


@pytest.fixture
def admin_client(client, world):
    world.clinic_admin.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="clinic", codename__startswith="view_")
    )
    client.force_login(world.clinic_admin)
    return client


def test_patient_changelist_shows_own_clinic_only(admin_client, world):
    response = admin_client.get(reverse("admin:clinic_patient_changelist"))
    shown = {p.pk for p in response.context["cl"].result_list}
    assert shown == {world.patient.pk, world.other_patient.pk}


def test_foreign_patient_is_not_found_in_admin(admin_client, world):
    """Out of scope answers 404 (not the admin's redirect) and is audited as a denied read."""
    url = reverse("admin:clinic_patient_change", args=[world.foreign_patient.pk])
    response = admin_client.get(url)
    assert response.status_code == 404
    assert world.foreign_patient.given_name not in response.text
    denied = AuditEvent.objects.get(action="deny_read")
    assert (denied.actor, denied.patient, denied.object_type, denied.object_id) == (
        world.clinic_admin, world.foreign_patient, "patient", str(world.foreign_patient.uuid))


def test_audit_log_shows_own_clinic_events_only(admin_client, world):
    mine = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    AuditEvent.objects.create(action="read", object_type="patient", patient=world.foreign_patient)
    response = admin_client.get(reverse("admin:clinic_auditevent_changelist"))
    assert [e.pk for e in response.context["cl"].result_list] == [mine.pk]


def test_memberships_of_other_clinics_are_hidden(admin_client, world):
    response = admin_client.get(reverse("admin:clinic_membership_changelist"))
    clinics = {m.clinic_id for m in response.context["cl"].result_list}
    assert clinics == {world.clinic.pk}
