"""A parent joins through a single-use, expiring invitation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import services
from clinic.models import Guardianship, Invitation, hash_token


@pytest.fixture
def invitation(world):
    invitation, token = services.invitation_create(
        patient=world.patient, email="dad@example.org", relationship="father",
        created_by=world.clinic_admin,
    )
    return invitation, token


def accept(client, token, username="newdad"):
    return client.post(reverse("invitation-accept", kwargs={"token": token}), {
        "username": username, "password1": "a-long-pass-2026", "password2": "a-long-pass-2026",
    })


def test_token_is_stored_only_hashed(invitation):
    inv, token = invitation
    assert inv.token_hash == hash_token(token) and token not in inv.token_hash
    assert abs((inv.expires_at - inv.created_at) - timedelta(days=7)) < timedelta(seconds=5)


def test_accept_creates_parent_and_logs_in(client, world, invitation):
    _, token = invitation
    response = accept(client, token)
    assert response.status_code == 302
    user = Guardianship.objects.get(patient=world.patient, relationship="father").user
    assert user.username == "newdad" and user.check_password("a-long-pass-2026")
    assert client.get(world.patient.get_absolute_url()).status_code == 200
    assert Invitation.objects.get().accepted_by == user


def test_reuse_is_refused(client, world, invitation):
    _, token = invitation
    accept(client, token)
    client.logout()
    response = accept(client, token, username="someoneelse")
    assert response.status_code == 404
    assert not Guardianship.objects.filter(user__username="someoneelse").exists()


def test_expired_is_refused(client, world, invitation):
    inv, token = invitation
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("invitation-accept", kwargs={"token": token})).status_code == 404
    assert accept(client, token).status_code == 404
    assert Guardianship.objects.filter(patient=world.patient).count() == 1


def test_wrong_token_is_refused(client, world, invitation):
    assert accept(client, "not-the-token").status_code == 404
    assert Guardianship.objects.filter(patient=world.patient).count() == 1


def test_existing_account_of_the_invited_address_is_linked(client, world, invitation):
    _, token = invitation
    world.other_parent.email = "Dad@Example.org"  # the invited address, in other letters
    world.other_parent.save()
    client.force_login(world.other_parent)
    response = client.post(reverse("invitation-accept", kwargs={"token": token}))
    assert response.status_code == 302
    assert Guardianship.objects.filter(user=world.other_parent, patient=world.patient).exists()


def test_an_account_of_another_address_cannot_accept(client, world, invitation):
    """The link binds to the invited e-mail: a forwarded or leaked link grants nothing."""
    inv, token = invitation
    client.force_login(world.other_parent)  # otherparent@example.org, not dad@example.org
    url = reverse("invitation-accept", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 403 and "another e-mail address" in page.text
    assert client.post(url).status_code == 403
    assert not Guardianship.objects.filter(user=world.other_parent, patient=world.patient).exists()
    inv.refresh_from_db()
    assert inv.accepted_at is None
    # The service refuses too, for any caller.
    import pytest as _pytest
    from django.core.exceptions import ValidationError

    with _pytest.raises(ValidationError):
        services.invitation_accept(token=token, user=world.other_parent)


def test_a_new_account_gets_the_invited_address(client, world, invitation):
    _, token = invitation
    assert accept(client, token).status_code == 302
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="newdad").email == "dad@example.org"


def test_weak_password_is_a_form_error_and_nothing_changes(client, world, invitation):
    _, token = invitation
    response = client.post(reverse("invitation-accept", kwargs={"token": token}), {
        "username": "newdad", "password1": "123", "password2": "123"})
    assert response.status_code == 200 and response.context["form"].errors
    assert Invitation.objects.get().accepted_at is None
