"""The OpenAPI schema and docs are served without any CDN, behind the strict CSP."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command


def test_schema_lists_the_v1_endpoints(api, world):
    api.force_authenticate(world.clinician)
    response = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/patients/", "/api/v1/patients/{id}/", "/api/v1/me/",
            "/api/v1/auth/token/"} <= set(schema["paths"])


def test_docs_load_assets_only_from_this_site(client, world):
    client.force_login(world.clinician)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources, "the docs page should load its scripts"
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
    # The strict CSP forbids inline scripts: the init script is a separate request.
    assert "<script>" not in response.text
    init = client.get(response.text.split('<script src="')[-1].split('"')[0].replace("&amp;", "&"))
    assert init.status_code == 200 and "SwaggerUIBundle" in init.text


def test_pages_send_a_strict_content_security_policy(client, world):
    client.force_login(world.parent)
    response = client.get(world.patient.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"


def test_request_id_is_echoed(client, world):
    client.force_login(world.parent)
    response = client.get("/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    bad = client.get("/", HTTP_X_REQUEST_ID="<script>")
    assert bad["X-Request-ID"] != "<script>" and len(bad["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yml"), "--validate",
                 "--fail-on-warn")
    assert (tmp_path / "schema.yml").read_text().startswith("openapi:")
