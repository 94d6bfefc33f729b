"""Login and transport settings: cookies, CSRF, CSP, lockout and throttling of the token endpoint."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"


def test_cookies_are_http_only_and_same_site():
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    assert django_settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert django_settings.CSRF_COOKIE_SAMESITE in ("Lax", "Strict")
    assert django_settings.SESSION_COOKIE_AGE <= 12 * 3600


def test_csp_forbids_inline_and_foreign_scripts(client, world):
    response = client_for(client, world.clinician).get(reverse("patient-list"))
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    script = directives.get("script-src", directives.get("default-src"))
    assert script is not None
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert not any(source.startswith(("http:", "https:", "*")) for source in script)
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_carry_no_inline_script_without_the_nonce(client, world):
    """An inline <script> must carry the CSP nonce, or the strict policy blocks it."""
    import re

    client = client_for(client, world.clinician)
    for url in [reverse("patient-list"), world.patient.get_absolute_url(),
                reverse("chart", kwargs={"patient_id": world.patient.uuid}), reverse("review:queue")]:
        text = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "nonce=" in tag, (url, tag)


def test_csrf_is_enforced_on_pages(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.clinician)
    response = strict.post(reverse("order-create", kwargs={"patient_id": world.patient.uuid}),
                           {"code": "eeg", "priority": "routine"})
    assert response.status_code == 403


@pytest.fixture
def fresh_throttle(db):
    cache.clear()
    yield
    cache.clear()


def test_token_endpoint_locks_out_after_repeated_failures(api, world, settings, fresh_throttle):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert api.post(TOKEN_URL, {"username": "parent", "password": "wrong"}).status_code in (400, 403, 429)
    response = api.post(TOKEN_URL, {"username": "parent", "password": PASSWORD})
    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


def test_token_endpoint_failures_lock_the_login_page_too(api, client, world, settings, fresh_throttle):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post(TOKEN_URL, {"username": "parent", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "parent", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (403, 429)


def test_token_endpoint_is_throttled(api, world, settings, fresh_throttle):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]
    limit = int(rate.split("/")[0])
    statuses = [api.post(TOKEN_URL, {"username": f"nobody{n}", "password": "x"}).status_code
                for n in range(limit + 1)]
    assert statuses[-1] == 429 and 429 not in statuses[:limit]


def test_api_docs_and_schema_carry_no_patient_data(client, world):
    for url in ["/api/v1/schema/", "/api/v1/docs/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert world.patient.given_name not in response.content.decode()


def test_a_forged_forwarded_for_header_does_not_escape_the_token_throttle(api, world, settings,
                                                                         fresh_throttle):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]
    limit = int(rate.split("/")[0])
    statuses = [
        api.post(TOKEN_URL, {"username": f"nobody{n}", "password": "x"},
                 HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}").status_code
        for n in range(limit + 1)
    ]
    assert statuses[-1] == 429
