"""Memberships in the admin: no self-promotion, no foreign clinics, changes audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic.models import AuditEvent, Membership, Role


@pytest.fixture
def admin_client(client, world):
    world.clinic_admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="clinic"))
    client.force_login(world.clinic_admin)
    return client


def _change(client, membership, role):
    return client.post(reverse("admin:clinic_membership_change", args=[membership.pk]),
                       {"role": role})


def test_clinic_admin_cannot_change_their_own_role(admin_client, world):
    own = Membership.objects.get(user=world.clinic_admin)
    response = _change(admin_client, own, Role.CLINICIAN)
    assert response.status_code == 403
    assert Membership.objects.get(pk=own.pk).role == Role.CLINIC_ADMIN
    delete = admin_client.post(reverse("admin:clinic_membership_delete", args=[own.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Membership.objects.filter(pk=own.pk).exists()


def test_role_of_a_colleague_changes_and_is_audited(admin_client, world):
    colleague = Membership.objects.get(user=world.reviewer)
    response = _change(admin_client, colleague, Role.CLINICIAN)
    assert response.status_code == 302
    assert Membership.objects.get(pk=colleague.pk).role == Role.CLINICIAN
    event = AuditEvent.objects.get(object_type="membership")
    assert (event.actor, event.action, event.object_id) == (
        world.clinic_admin, "update", f"{colleague.pk}:clinician")
    # The history keeps the role it had before.
    assert [h.role for h in colleague.history.order_by("history_id")] == ["reviewer", "clinician"]


def test_user_and_clinic_of_a_membership_cannot_be_moved(admin_client, world):
    colleague = Membership.objects.get(user=world.reviewer)
    admin_client.post(reverse("admin:clinic_membership_change", args=[colleague.pk]), {
        "role": Role.REVIEWER, "user": world.other_clinician.pk, "clinic": world.other_clinic.pk})
    colleague.refresh_from_db()
    assert (colleague.user, colleague.clinic) == (world.reviewer, world.clinic)


def test_clinic_admin_cannot_attach_users_directly(admin_client, world):
    """Staff join by invitation: the add form is for superusers only."""
    url = reverse("admin:clinic_membership_add")
    assert admin_client.get(url).status_code == 403
    response = admin_client.post(url, {"user": world.other_clinician.pk, "clinic": world.clinic.pk,
                                       "role": Role.CLINICIAN})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.other_clinician, clinic=world.clinic).exists()
    guardian = admin_client.post(reverse("admin:clinic_guardianship_add"), {
        "user": world.other_clinician.pk, "patient": world.patient.pk, "relationship": "parent"})
    assert guardian.status_code == 403
    assert not world.patient.guardianships.filter(user=world.other_clinician).exists()


def test_removing_a_membership_is_audited(admin_client, world):
    colleague = Membership.objects.get(user=world.reviewer)
    response = admin_client.post(reverse("admin:clinic_membership_delete", args=[colleague.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302 and not Membership.objects.filter(pk=colleague.pk).exists()
    assert AuditEvent.objects.filter(object_type="membership", action="delete",
                                     object_id=f"{colleague.pk}:reviewer").count() == 1


@pytest.mark.parametrize("name", ["membership", "patient", "reviewcase"])
def test_clinic_list_filter_names_only_the_admins_clinics(admin_client, world, name):
    from tests.factories import ClinicFactory, MembershipFactory, PatientFactory
    from tests.review.review_factories import make_case

    # A second clinic of the same admin, so the filter has a choice to show.
    lakeside = ClinicFactory(name="Lakeside")
    MembershipFactory(user=world.clinic_admin, clinic=lakeside, role=Role.CLINIC_ADMIN)
    MembershipFactory(clinic=lakeside, role=Role.CLINICIAN)
    make_case(world.patient, "urgent")
    make_case(PatientFactory(clinic=lakeside), "urgent")
    make_case(world.foreign_patient, "urgent")
    response = admin_client.get(reverse(f"admin:clinic_{name}_changelist"))
    assert response.status_code == 200
    choices = [choice["display"] for spec in response.context["cl"].filter_specs
               if spec.title == "clinic" for choice in spec.choices(response.context["cl"])]
    assert {"Riverside", "Lakeside"} <= set(choices)
    assert "Hillcrest" not in choices and "Hillcrest" not in response.text


def test_no_role_changes_where_the_admin_is_only_a_reviewer(admin_client, world):
    """Administering one clinic grants nothing in another where one merely works."""
    from tests.factories import ClinicFactory, MembershipFactory

    lakeside = ClinicFactory(name="Lakeside")
    MembershipFactory(user=world.clinic_admin, clinic=lakeside, role=Role.REVIEWER)
    colleague = MembershipFactory(clinic=lakeside, role=Role.REVIEWER)
    response = _change(admin_client, colleague, Role.CLINIC_ADMIN)
    assert response.status_code == 404
    assert Membership.objects.get(pk=colleague.pk).role == Role.REVIEWER
