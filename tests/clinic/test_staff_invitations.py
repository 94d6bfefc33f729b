"""Staff join a clinic by an invitation bound to their e-mail, as parents join a child."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic.models import AuditEvent, Invitation, Membership, Role


@pytest.fixture
def admin_client(client, world):
    world.clinic_admin.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="clinic"))
    client.force_login(world.clinic_admin)
    return client


def _invite(client, clinic, email="newdoc@example.org", role=Role.CLINICIAN):
    return client.post(reverse("admin:clinic_invitation_add"),
                       {"email": email, "clinic": clinic.pk, "role": role})


def _link(mail) -> str:
    return re.search(r"https?://[^/]+(/invitations/\S+)", mail.body).group(1)


def test_clinic_admin_invites_a_colleague_who_joins_with_a_new_account(admin_client, client, world,
                                                                        mailoutbox):
    response = _invite(admin_client, world.clinic)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="newdoc@example.org")
    assert (invitation.clinic, invitation.role, invitation.patient) == (world.clinic, "clinician", None)
    assert AuditEvent.objects.filter(actor=world.clinic_admin, object_type="invitation",
                                     action="create").exists()
    link = _link(mailoutbox[0])
    admin_client.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Join Riverside" in page.text
    accepted = client.post(link, {"username": "newdoc", "password1": "long-enough-pass-2026",
                                  "password2": "long-enough-pass-2026"})
    assert accepted.status_code == 302
    membership = Membership.objects.get(user__username="newdoc")
    assert (membership.clinic, membership.role, membership.user.email) == (
        world.clinic, "clinician", "newdoc@example.org")
    assert AuditEvent.objects.filter(object_type="membership", action="create",
                                     actor=membership.user).exists()


def test_no_invitation_into_a_clinic_the_admin_does_not_administer(admin_client, world, mailoutbox):
    response = _invite(admin_client, world.other_clinic)
    assert response.status_code == 200
    assert "clinic" in response.context["adminform"].form.errors
    assert not Invitation.objects.exists() and mailoutbox == []


def test_only_the_invited_address_can_accept(admin_client, client, world, mailoutbox):
    _invite(admin_client, world.clinic, email="otherclinician@example.org", role=Role.REVIEWER)
    link = _link(mailoutbox[0])
    client.force_login(world.other_parent)  # another address
    assert client.post(link).status_code == 403
    assert not Membership.objects.filter(user=world.other_parent).exists()
    client.force_login(world.other_clinician)  # the invited address, staff of Hillcrest
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=world.other_clinician, clinic=world.clinic).role == "reviewer"


def test_an_existing_member_keeps_their_role(admin_client, client, world, mailoutbox):
    _invite(admin_client, world.clinic, email="reviewer@example.org", role=Role.CLINIC_ADMIN)
    client.force_login(world.reviewer)
    client.post(_link(mailoutbox[0]))
    assert Membership.objects.get(user=world.reviewer).role == "reviewer"
    assert Invitation.objects.get().accepted_at is None
