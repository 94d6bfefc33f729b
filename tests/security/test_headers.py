"""Answers that carry patient data are never cached; device features are off; docs need a login."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for

PATIENT_ANSWERS = [
    # (who, how the URL is built from the records, API?)
    ("parent", lambda r: reverse("patient-detail", kwargs={"patient_id": r.patient.uuid}), False),
    ("parent", lambda r: reverse("episode-diary", kwargs={"patient_id": r.patient.uuid}), False),
    ("clinician", lambda r: reverse("chart", kwargs={"patient_id": r.patient.uuid}), False),
    ("clinician", lambda r: reverse("patient-list"), False),
    ("reviewer", lambda r: reverse("review:csv", kwargs={"table": "open_cases"}), False),
    ("clinician", lambda r: reverse("api:patient-detail", kwargs={"id": r.patient.uuid}), True),
    ("parent", lambda r: reverse("api:episode-list"), True),
    ("clinician", lambda r: reverse("api:patient-fhir", kwargs={"id": r.patient.uuid}), True),
    ("parent", lambda r: reverse("api:attachment-download", kwargs={"id": r.attachment.uuid}), True),
    ("clinic_admin", lambda r: reverse("admin:clinic_patient_changelist"), False),
]


@pytest.mark.parametrize(("who", "url", "is_api"), PATIENT_ANSWERS)
def test_answers_with_patient_data_are_private_and_not_stored(client, world, records, who, url, is_api):
    from django.contrib.auth.models import Permission

    world.clinic_admin.user_permissions.add(*Permission.objects.filter(codename="view_patient"))
    response = client_for(client, world.user(who)).get(url(records))
    assert response.status_code in (200, 206), response.status_code
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control


def test_api_answers_without_a_session_are_not_stored(api, world, records):
    """Token-style callers (no session cookie): DRF leaves its user on the request too."""
    api.force_authenticate(world.parent)
    response = api.get(reverse("api:episode-list"))
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert "sessionid" not in response.cookies
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_every_answer_turns_off_device_features(client):
    response = client.get(reverse("login"))
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.parametrize("name", ["api:api-schema", "api:api-docs"])
def test_schema_and_docs_need_a_login_when_the_setting_is_on(client, world, settings, name):
    settings.API_DOCS_REQUIRE_LOGIN = True
    assert client.get(reverse(name)).status_code in (401, 403)
    client.force_login(world.parent)
    assert client.get(reverse(name)).status_code == 200


def test_schema_login_defaults_on_when_debug_is_off():
    import subprocess
    import sys

    code = ("import os; os.environ.update(DEBUG='false', SECRET_KEY='x'*50, ALLOWED_HOSTS='x');"
            "import django; os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings'; django.setup();"
            "from django.conf import settings; print(settings.API_DOCS_REQUIRE_LOGIN)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.strip() == "True"
