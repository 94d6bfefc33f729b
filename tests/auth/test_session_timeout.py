"""Sessions end after 15 idle minutes for staff, 60 for parents, and 8 hours after sign-in at most.

The clock is moved with time_machine; each step is one request, as a person would make.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import PASSWORD

START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302


def signed_out(client, response) -> bool:
    return "_auth_user_id" not in client.session and response.status_code == 302 and \
        response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("role", "idle"), [
    ("clinician", timedelta(minutes=15)), ("reviewer", timedelta(minutes=15)),
    ("clinic_admin", timedelta(minutes=15)), ("parent", timedelta(minutes=60)),
])
def test_an_idle_session_ends_after_the_role_s_limit(client, world, clock, role, idle):
    sign_in(client, world.user(role))
    page = world.patient.get_absolute_url()
    clock.shift(idle - timedelta(seconds=30))
    response = client.get(page)
    assert response.status_code == 200 and world.patient.given_name in response.content.decode()
    clock.shift(idle + timedelta(seconds=1))
    response = client.get(page)
    assert signed_out(client, response)
    assert "timeout=1" in response.url and "next=" in response.url
    login_page = client.get(response.url)
    assert "without activity" in login_page.content.decode()


def test_activity_keeps_a_staff_session_alive(client, world, clock):
    sign_in(client, world.clinician)
    for _ in range(12):  # two hours, a page every ten minutes
        clock.shift(timedelta(minutes=10))
        assert client.get(reverse("patient-list")).status_code == 200


def test_the_absolute_lifetime_holds_however_active(client, world, clock, settings):
    sign_in(client, world.parent)
    steps = int(settings.SESSION_COOKIE_AGE // (30 * 60))
    for _ in range(steps):
        clock.shift(timedelta(minutes=30))
        assert client.get(reverse("home")).status_code == 200
    clock.shift(timedelta(minutes=30))
    assert signed_out(client, client.get(reverse("home")))


def test_the_limits_follow_the_settings(client, world, clock, settings):
    settings.SESSION_IDLE_TIMEOUT_PARENT = 5 * 60
    sign_in(client, world.parent)
    clock.shift(timedelta(minutes=6))
    assert signed_out(client, client.get(reverse("home")))


def test_an_idle_api_session_answers_401(client, world, clock):
    sign_in(client, world.clinician)
    assert client.get("/api/v1/me/").status_code == 200
    clock.shift(timedelta(minutes=16))
    assert client.get("/api/v1/me/").status_code in (401, 403)
    assert "_auth_user_id" not in client.session


def test_a_session_from_force_login_is_timed_too(client, world, clock):
    client.force_login(world.reviewer)
    assert client.get(reverse("review:queue")).status_code == 200
    clock.shift(timedelta(minutes=20))
    assert signed_out(client, client.get(reverse("review:queue")))
