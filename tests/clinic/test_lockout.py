"""Repeated failed logins lock the username from that address (django-axes)."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PASSWORD


def test_lockout_after_repeated_failures(client, world, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(url, {"username": "parent", "password": "wrong"})
    assert response.status_code in (403, 429)
    assert "Too many failed attempts" in response.text
    # Even the right password is refused while the lock holds.
    response = client.post(url, {"username": "parent", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_success_before_the_limit_logs_in(client, world, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "parent", "password": "wrong"})
    response = client.post(url, {"username": "parent", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.parent.pk)


def test_api_token_requires_the_right_password(api, world):
    bad = api.post("/api/v1/auth/token/", {"username": "parent", "password": "wrong"})
    assert bad.status_code == 400 and "token" not in bad.json()
    good = api.post("/api/v1/auth/token/", {"username": "parent", "password": PASSWORD})
    token = good.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json()["username"] == "parent"
