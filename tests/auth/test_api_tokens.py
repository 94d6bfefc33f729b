"""API tokens (django-rest-knox): hashed at rest, expiring by role, listed and revoked by their owner.

Every path that changes a password revokes all of that user's tokens; ``DELETE
/api/v1/auth/token/`` revokes them too (log out everywhere).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
ROLES = ["parent", "other_parent", "clinician", "reviewer", "clinic_admin", "other_clinician"]
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()
    yield
    cache.clear()


def issue(user, password: str = PASSWORD) -> dict:
    response = APIClient().post(TOKEN_URL, {"username": user.get_username(), "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def as_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    response = as_token(token).get("/api/v1/me/")
    assert response.status_code in (200, 401), response.status_code
    return response.status_code == 200


def test_a_token_is_kept_only_as_a_digest(world):
    plain = issue(world.parent)["token"]
    row = AuthToken.objects.get(user=world.parent)
    stored = " ".join(str(value) for value in AuthToken.objects.filter(pk=row.pk).values().first().values())
    assert plain not in stored
    assert row.digest != plain and len(row.digest) == 128  # SHA-512, hex
    assert as_token(plain).get("/api/v1/me/").json()["username"] == "parent"


@pytest.mark.parametrize(("role", "lifetime"), [
    ("parent", timedelta(days=30)), ("clinician", timedelta(hours=8)),
    ("reviewer", timedelta(hours=8)), ("clinic_admin", timedelta(hours=8)),
])
def test_tokens_expire_sooner_for_staff(world, role, lifetime):
    with time_machine.travel(NOW, tick=False):
        answer = issue(world.user(role))
        assert datetime.fromisoformat(answer["expiry"]) == NOW + lifetime
        token = answer["token"]
    with time_machine.travel(NOW + lifetime - timedelta(minutes=1), tick=False):
        assert works(token)
    with time_machine.travel(NOW + lifetime + timedelta(minutes=1), tick=False):
        assert not works(token)
    assert not AuthToken.objects.filter(user=world.user(role)).exists()  # knox drops it when seen


def test_lifetimes_follow_the_settings(world, settings):
    settings.API_TOKEN_TTL_PARENT_DAYS = 2
    settings.API_TOKEN_TTL_STAFF_HOURS = 1
    with time_machine.travel(NOW, tick=False):
        assert datetime.fromisoformat(issue(world.parent)["expiry"]) == NOW + timedelta(days=2)
        assert datetime.fromisoformat(issue(world.clinician)["expiry"]) == NOW + timedelta(hours=1)


@pytest.mark.parametrize("role", ROLES)
def test_each_user_lists_only_their_own_tokens(world, role):
    user = world.user(role)
    mine = [issue(user), issue(user)]
    for other in ROLES:
        if other != role:
            issue(world.user(other))
    client = as_token(mine[0]["token"])
    listed = client.get(TOKENS_URL).json()["results"]
    assert {item["id"] for item in listed} == {answer["id"] for answer in mine}
    assert [item["current"] for item in listed if item["id"] == mine[0]["id"]] == [True]
    assert all("token" not in item for item in listed)


@pytest.mark.parametrize("role", ROLES)
def test_a_user_revokes_one_of_their_tokens_and_no_one_elses(world, role):
    user = world.user(role)
    keep, drop = issue(user), issue(user)
    foreign = {other: issue(world.user(other)) for other in ROLES if other != role}
    client = as_token(keep["token"])
    for answer in foreign.values():
        assert client.delete(f"{TOKENS_URL}{answer['id']}/").status_code == 404
        assert works(answer["token"])
    assert client.delete(f"{TOKENS_URL}{drop['id']}/").status_code == 204
    assert not works(drop["token"]) and works(keep["token"])


def test_anonymous_cannot_list_or_revoke(world):
    answer = issue(world.parent)
    assert APIClient().get(TOKENS_URL).status_code == 401
    assert APIClient().delete(f"{TOKENS_URL}{answer['id']}/").status_code == 401
    assert APIClient().delete(TOKEN_URL).status_code == 401
    assert works(answer["token"])


def test_logout_revokes_every_token_of_the_caller_only(world):
    first, second = issue(world.parent)["token"], issue(world.parent)["token"]
    bystander = issue(world.other_parent)["token"]
    assert as_token(first).delete(TOKEN_URL).status_code == 204
    assert not works(first) and not works(second)
    assert works(bystander)


def test_logout_through_a_session_revokes_the_tokens_too(client, world):
    token = issue(world.parent)["token"]
    client.force_login(world.parent)
    assert client.delete(TOKEN_URL).status_code == 204
    assert not works(token)


def test_password_change_page_revokes_every_token(client, world):
    token = issue(world.parent)["token"]
    bystander = issue(world.other_parent)["token"]
    client.force_login(world.parent)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a-brand-new-pass-77",
        "new_password2": "a-brand-new-pass-77"})
    assert response.status_code == 302
    assert not works(token) and works(bystander)


def test_password_reset_revokes_every_token(client, world, mailoutbox):
    token = issue(world.parent)["token"]
    client.post(reverse("password_reset"), {"email": world.parent.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": "a-brand-new-pass-77", "new_password2": "a-brand-new-pass-77"})
    world.parent.refresh_from_db()
    assert world.parent.check_password("a-brand-new-pass-77")
    assert not works(token)


def test_admin_set_password_revokes_every_token(client, world, django_user_model):
    token = issue(world.clinician)["token"]
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    client.force_login(boss)
    url = reverse("admin:auth_user_password_change", args=[world.clinician.pk])
    response = client.post(url, {"password1": "a-brand-new-pass-77", "password2": "a-brand-new-pass-77",
                                 "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    world.clinician.refresh_from_db()
    assert world.clinician.check_password("a-brand-new-pass-77")
    assert not works(token)


def test_saving_a_user_without_a_new_password_keeps_the_tokens(world):
    token = issue(world.parent)["token"]
    world.parent.first_name = "Maya"
    world.parent.save()
    assert works(token)


def test_a_wrong_password_issues_no_token(world):
    response = APIClient().post(TOKEN_URL, {"username": "parent", "password": "wrong"})
    assert response.status_code == 400 and "token" not in response.json()
    assert not AuthToken.objects.exists()


def test_an_expired_token_is_refused_and_deleted_and_sign_in_sweeps_the_rest(world):
    """The check reads only the presented token (one query); issuing sweeps expired ones."""
    with time_machine.travel(NOW, tick=False):
        old = issue(world.parent)["token"]
        stale = issue(world.parent)["token"]
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        assert not works(old)  # past the parent's 30 days: refused, and gone
        assert AuthToken.objects.filter(user=world.parent).count() == 1  # `stale` still stored
        fresh = issue(world.parent)["token"]
        assert works(fresh) and not works(stale)
        assert AuthToken.objects.filter(user=world.parent).count() == 1


def test_a_token_request_reads_the_token_in_one_query(world, django_assert_max_num_queries):
    from clinic.tokens import TokenAuthentication

    with time_machine.travel(NOW, tick=False):
        token = issue(world.parent)["token"]
        issue(world.parent)  # another token of the same user is not read
        with django_assert_max_num_queries(1):
            user, _ = TokenAuthentication().authenticate_credentials(token.encode())
    assert user == world.parent


def test_a_token_of_a_deactivated_user_is_refused(world):
    token = issue(world.parent)["token"]
    world.parent.is_active = False
    world.parent.save()
    response = as_token(token).get("/api/v1/me/")
    assert response.status_code == 401 and "inactive" in response.json()["detail"]


def test_a_token_header_that_is_not_utf8_is_refused_not_an_error(world):
    """The header arrives as Latin-1: a byte that is not UTF-8 is a bad token (401), not a 500."""
    response = as_token("ÿ" * 64).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."


def test_an_unknown_token_is_refused_in_the_callers_language(world):
    response = as_token("0" * 64).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 401 and response.json()["detail"] == "Token no válido."
