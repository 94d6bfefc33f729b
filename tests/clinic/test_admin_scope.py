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
    url = reverse("admin:clinic_patient_change", args=[world.foreign_patient.pk])
    response = admin_client.get(url, follow=True)
    assert world.foreign_patient.given_name not in response.text
    assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("admin:index")


def test_audit_log_shows_own_clinic_events_only(admin_client, world):
    mine = AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
    AuditEvent.objects.create(action="read", object_type="patient", patient=world.foreign_patient)
    response = admin_client.get(reverse("admin:clinic_auditevent_changelist"))
    assert [e.pk for e in response.context["cl"].result_list] == [mine.pk]


def test_memberships_of_other_clinics_are_hidden(admin_client, world):
    response = admin_client.get(reverse("admin:clinic_membership_changelist"))
    clinics = {m.clinic_id for m in response.context["cl"].result_list}
    assert clinics == {world.clinic.pk}
