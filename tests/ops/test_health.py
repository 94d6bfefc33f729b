"""Health endpoints: the same answer for every caller, no patient data, no audit, no cache.

The database-down answers (readiness 503) are in test_database_down.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for

ROLES = ["anonymous", "parent", "other_parent", "clinician", "reviewer", "clinic_admin",
         "other_clinician"]


@pytest.mark.parametrize("name", ["health-live", "health-ready"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_the_same_answer_and_no_patient_data(client, world, role, name):
    from clinic.models import AuditEvent

    response = client_for(client, world.user(role)).get(reverse(name))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert not AuditEvent.objects.exists()  # not a patient read
    assert "Set-Cookie" not in response  # no session started for a probe


def test_liveness_touches_no_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health-live"))
    assert response.json() == {"status": "ok"}


def test_a_signed_in_browser_probe_reads_no_session_or_user(client, world, django_assert_num_queries):
    # A browser sends its session cookie to every path: liveness must not look it up (with
    # the database down that lookup waited for the pool and answered 503), readiness asks
    # only its SELECT 1.
    client.force_login(world.clinician)
    with django_assert_num_queries(0):
        assert client.get(reverse("health-live")).json() == {"status": "ok"}
    with django_assert_num_queries(1):
        assert client.get(reverse("health-ready")).json() == {"status": "ok"}


def test_probes_still_need_an_allowed_host(client, db):
    assert client.get(reverse("health-live"), HTTP_HOST="evil.example.com").status_code == 400
    assert client.get(reverse("health-ready"), HTTP_HOST="evil.example.com").status_code == 400


def test_readiness_asks_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("health-ready"))
    assert response.json() == {"status": "ok"}


def test_health_is_not_redirected_to_https(client, settings):
    """Balancers probe over plain HTTP on the private network; pages still go to https."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("health-live")).status_code == 200
    assert client.get(reverse("login")).status_code == 301


@pytest.mark.parametrize("name", ["health-live", "health-ready"])
def test_health_accepts_no_writes(client, db, name):
    assert client.post(reverse(name)).status_code == 405
