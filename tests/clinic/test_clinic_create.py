"""manage.py clinic_create: a real clinic and its first clinic admin, from nothing."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from clinic.models import AuditEvent, Clinic, Membership, Role

STRONG = "correct-horse-battery-staple-42"
ARGS = ["--name", "Lakeside Pediatrics", "--username", "lee", "--email", "lee@example.org",
        "--emergency-number", "112"]


def run(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("clinic_create", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def snapshot() -> tuple[int, int, int, int]:
    return (Clinic.objects.count(), get_user_model().objects.count(), Membership.objects.count(),
            AuditEvent.objects.count())


@pytest.fixture
def tty(monkeypatch):
    """A terminal that answers each password prompt with the next of ``answers``."""
    answers: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


@pytest.mark.django_db
def test_creates_the_clinic_and_an_admin_who_can_sign_in_to_the_admin(monkeypatch):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", STRONG)
    out = run(*ARGS, "--no-input")
    clinic = Clinic.objects.get(name="Lakeside Pediatrics")
    assert clinic.emergency_number == "112"
    admin = get_user_model().objects.get(username="lee")
    assert admin.email == "lee@example.org" and admin.is_staff and not admin.is_superuser
    assert admin.check_password(STRONG)
    assert STRONG not in admin.password  # stored hashed
    assert Membership.objects.get(user=admin).clinic == clinic
    assert Membership.objects.get(user=admin).role == Role.CLINIC_ADMIN
    assert admin.has_perm("clinic.add_patient") and admin.has_perm("clinic.view_auditevent")
    assert not admin.has_perm("auth.add_user")
    assert str(clinic.uuid) in out and STRONG not in out
    client = Client()
    client.post(reverse("login"), {"username": "lee", "password": STRONG})
    assert client.session["_auth_user_id"] == str(admin.pk)
    assert "Twitch clinic: records and settings" in client.get(reverse("admin:index")).content.decode()


@pytest.mark.django_db
def test_writes_audit_events_for_the_clinic_and_the_membership(monkeypatch):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", STRONG)
    run(*ARGS, "--no-input")
    clinic = Clinic.objects.get()
    membership = Membership.objects.get()
    events = {(e.object_type, e.object_id): e for e in AuditEvent.objects.all()}
    assert set(events) == {("clinic", str(clinic.uuid)), ("membership", str(membership.pk))}
    for event in events.values():
        assert event.action == "create" and event.patient is None
        assert event.path == "manage.py clinic_create"
        assert event.actor_username.endswith("via manage.py clinic_create")


@pytest.mark.django_db
def test_running_again_changes_nothing(monkeypatch):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", STRONG)
    run(*ARGS, "--no-input")
    before = snapshot()
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", "another-strong-password-77")
    out = run(*ARGS, "--no-input")
    assert "nothing changed" in out
    assert snapshot() == before
    assert get_user_model().objects.get(username="lee").check_password(STRONG)  # untouched


@pytest.mark.django_db
def test_an_existing_clinic_with_another_admin_is_an_error(monkeypatch, world):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", STRONG)
    before = snapshot()
    with pytest.raises(CommandError, match="already exists; nothing was changed"):
        run("--name", "riverside", "--username", "lee", "--email", "lee@example.org", "--no-input")
    assert snapshot() == before


@pytest.mark.django_db
def test_an_existing_username_is_not_taken_over(monkeypatch, world):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", STRONG)
    before = snapshot()
    with pytest.raises(CommandError, match="username 'parent' is taken"):
        run("--name", "New Clinic", "--username", "parent", "--email", "p@example.org", "--no-input")
    assert snapshot() == before
    assert not world.parent.is_staff and not world.parent.memberships.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "email", "message"), [
    ("short", "lee@example.org", "admin_password"),
    ("password123", "lee@example.org", "admin_password"),
    (STRONG, "not-an-address", "email"),
    (STRONG, "", "admin_email"),
])
def test_bad_input_stores_nothing(monkeypatch, password, email, message):
    monkeypatch.setenv("CLINIC_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        run("--name", "Lakeside", "--username", "lee", "--email", email, "--no-input")
    assert snapshot() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_no_input_without_the_variable_is_refused(monkeypatch):
    monkeypatch.delenv("CLINIC_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="CLINIC_ADMIN_PASSWORD"):
        run(*ARGS, "--no-input")
    assert snapshot() == (0, 0, 0, 0)


def test_the_password_cannot_be_given_on_the_command_line():
    with pytest.raises(CommandError, match="unrecognized arguments"):
        call_command("clinic_create", *ARGS, "--password", STRONG)


@pytest.mark.django_db
def test_asks_twice_and_again_after_a_weak_or_mismatched_password(tty):
    tty += ["one-password-here-1", "another-password-2", "short", "short", STRONG, STRONG]
    run(*ARGS)
    assert get_user_model().objects.get(username="lee").check_password(STRONG)
    assert tty == []


@pytest.mark.django_db
def test_gives_up_after_three_bad_attempts(tty):
    tty += ["short", "short"] * 3
    with pytest.raises(CommandError, match="No acceptable password"):
        run(*ARGS)
    assert snapshot() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_without_a_terminal_it_asks_for_no_input(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    with pytest.raises(CommandError, match="--no-input"):
        run(*ARGS)
    assert snapshot() == (0, 0, 0, 0)
