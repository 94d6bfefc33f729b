"""Bad input never gives a 500: garbage query strings, bodies and ids answer 400, 404 or a form error.

Every GET route of ``ROUTES`` is hit as a clinician with real ids and a table of
garbage query parameters; every write with garbage bodies; every id-bearing route
with ids that are not UUIDs. A hypothesis test throws arbitrary text at the
parameters the pages read.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import client_for
from tests.factories import UserFactory
from tests.security.test_url_coverage import LOGIN, OBJECT, PUBLIC, ROUTES, url_of

# Routes whose GET needs more than a signed-in user: their own arguments.
EXTRA_KWARGS = {
    "review:csv": {"table": "open_cases"},
    "review:rows": {"kind": "episodes"},
    "invitation-accept": {"token": "not-a-token"},
    "password_reset_confirm": {"uidb64": "xx", "token": "yy"},
    "api:token-detail": {"id": "not-a-token"},
    # Bulk export: a clinic and a job nobody may see (the real ones: tests/api/test_bulk_export.py).
    "api:clinic-export": {"id": "00000000-0000-0000-0000-000000000000"},
    "api:bulk-export-status": {"job": "00000000-0000-0000-0000-000000000000"},
    "api:bulk-export-file": {"job": "00000000-0000-0000-0000-000000000000", "resource_type": "Patient"},
}
# Every query parameter any page or endpoint reads, with values it must survive.
GARBAGE: list[dict[str, str]] = [
    {"page": "abc"}, {"page": "-1"}, {"page": "0"}, {"page": "99999999999999999999999"},
    {"page": "1e309"}, {"q": "\x00"}, {"q": "%"}, {"q": "a" * 5000},
    {"level": "xyz"}, {"status": "xyz"}, {"kind": "xyz"}, {"overdue": "maybe"}, {"mine": "1"},
    {"clinic": "not-a-uuid"}, {"clinic": str(uuid.uuid4())}, {"clinic": "\x00"},
    {"start": "notadate"}, {"end": "2026-13-45"}, {"start": "0001-01-01", "end": "9999-12-31"},
    {"start": "2026-05-01", "end": "2026-01-01"}, {"date_from": "notadate"}, {"date_to": "x"},
    {"start": "9999-12-01", "end": "9999-12-31"}, {"end": "9999-12-31"}, {"day": "9999-12-31"},
    {"start": "0001-01-01"}, {"since": "0001-01-01", "until": "9999-12-31"},
    {"started_after": "9999-12-31T23:59:59Z"}, {"started_before": "0001-01-01T00:00:00+14:00"},
    {"since": "notadate"}, {"until": "9999-99-99"}, {"day": "99999-01-01"}, {"day": "0000-00-00"},
    {"rule": "\x00"}, {"rule": "' OR 1=1 --"}, {"code": "x" * 500}, {"pending": "x"},
    {"include_errors": "yes"}, {"patient": "not-a-uuid"}, {"patient": "\x00"},
    {"patient": str(uuid.uuid4())}, {"started_after": "garbage"}, {"started_before": "1e99"},
    {"family_name__iexact": "\x00"}, {"mrn": "\x00"}, {"format": "xml"}, {"ordering": "-x"},
    {"next": "//evil.example"}, {"evaluation": "x"},
]


def _get_routes() -> list[str]:
    return sorted(name for name, route in ROUTES.items() if "GET" in route.methods)


def _url(name: str, records: Any) -> str:
    route = ROUTES[name]
    if route.access == OBJECT:
        return url_of(name, records)
    return reverse(name, kwargs=EXTRA_KWARGS.get(name, {}))


def _consume(response: Any) -> Any:
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("name", _get_routes())
def test_every_get_route_survives_garbage_query_params(client, world, records, name):
    client = client_for(client, world.clinician)
    url = _url(name, records)
    for params in GARBAGE:
        response = _consume(client.get(url, params))
        assert response.status_code < 500, (name, params, response.status_code)
    # Bytes that are not UTF-8, straight in the query string.
    response = _consume(client.get(f"{url}?page=%ff%fe&q=%c3%28&start=%80&level=%00"))
    assert response.status_code < 500, name


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.access == OBJECT))
@pytest.mark.parametrize("bad", ["not-a-uuid", "0", "9" * 40, "%00", "00000000-0000-0000-0000-00000000000g"])
def test_malformed_ids_are_missing(client, world, records, name, bad):
    route = ROUTES[name]
    url = url_of(name, records)
    key = str(getattr(records, route.obj).uuid)
    client = client_for(client, world.clinician)
    method = route.methods[0].lower()
    response = getattr(client, method)(url.replace(key, bad))
    assert response.status_code == 404, (name, bad, response.status_code)


# Bodies that are wrong in type, shape or size, for every write.
BAD_BODIES: list[Any] = [
    {}, {"patient": "x"}, {"patient": None}, {"patient": ["a"]}, {"patient": {"a": 1}},
    {"duration_seconds": 10**30}, {"duration_seconds": "abc"}, {"version": 10**30},
    {"version": "abc"}, {"version": -1}, {"reason": ""}, {"reason": "x" * 100000},
    {"body_parts": "left_foot"}, {"body_parts": [1, 2]}, {"hine": "x"}, {"hine": {"head": "x"}},
    {"reflexes": {"a": 1}}, {"reflexes": [1]}, {"milestones": [1]}, {"started_at": "yesterday"},
    {"temperature_c": "1e400"}, {"temperature_c": "NaN"}, {"code": None}, {"status": 5},
    {"assignee": "abc"}, {"assignee": 10**30}, {"outcome": "xyz"}, {"text": "\x00"},
    {"performed_at": "0000-01-01T00:00"}, {"date_of_birth": "99999-01-01"},
    {"gestational_age_weeks": 10**30}, {"clinic": "x"}, {"client_id": "x"}, {"evaluation": "x"},
    {"hine_head": "9"}, {"rx_moro_left": "x"}, {"duration_minutes": "1e9"}, {"next": "\x00"},
]


def _writes() -> list[tuple[str, str]]:
    return [(name, method) for name, route in ROUTES.items() if route.access in (OBJECT, LOGIN)
            for method in route.methods if method != "GET"]


@pytest.mark.parametrize(("name", "method"), _writes())
def test_every_write_survives_bad_bodies(client, world, records, name, method):
    client = client_for(client, world.clinician)
    url = _url(name, records)
    api = ROUTES[name].api
    for body in BAD_BODIES:
        if api:
            response = getattr(client, method.lower())(url, json.dumps(body),
                                                      content_type="application/json")
        else:
            response = client.post(url, {k: v for k, v in body.items() if v is not None})
        assert response.status_code < 500, (name, method, body, response.status_code)
    if api:
        for raw, content_type in [("{not json", "application/json"), ("[1, 2]", "application/json"),
                                  ('"x"', "application/json"), ("\xff\xfe", "application/json"),
                                  ("a=b", "text/plain")]:
            response = getattr(client, method.lower())(url, raw, content_type=content_type)
            assert response.status_code < 500, (name, raw, response.status_code)


PUBLIC_WRITES = sorted(n for n, r in ROUTES.items() if r.access == PUBLIC and "POST" in r.methods)


@pytest.mark.parametrize("name", PUBLIC_WRITES)
def test_public_writes_survive_bad_bodies(client, world, name):
    for body in BAD_BODIES:
        response = client.post(reverse(name), {k: v for k, v in body.items() if v is not None})
        assert response.status_code < 500, (name, body)


PAGE_PARAMS = ["page", "q", "level", "status", "clinic", "start", "end", "since", "until", "day",
               "rule", "code", "patient", "kind", "started_after"]
LIST_PAGES = ["patient-list", "review:queue", "review:dashboard", "review:rows", "review:csv",
              "chart", "episode-diary", "api:episode-list", "api:patient-list",
              "api:evaluation-list", "api:order-list", "api:suggestion-list", "api:milestone-list"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=st.dictionaries(st.sampled_from(PAGE_PARAMS), st.text(max_size=40), max_size=4),
       page=st.sampled_from(LIST_PAGES))
def test_arbitrary_text_in_query_params_never_500s(client, world, records, params, page):
    client.force_login(world.clinician)
    response = _consume(client.get(_url(page, records), params))
    assert response.status_code < 500, (page, params)


@pytest.mark.parametrize("value", ["abc\n", "a" * 65, "a b", "<script>", "\x00", "ok-id\r\n"])
def test_a_malformed_request_id_header_is_replaced_not_echoed(client, world, value):
    response = client_for(client, world.clinician).get(reverse("patient-list"), HTTP_X_REQUEST_ID=value)
    assert response.status_code == 200
    assert response["X-Request-ID"] != value and len(response["X-Request-ID"]) == 32


ADMIN_GARBAGE = [*GARBAGE, {"o": "abc"}, {"o": "99"}, {"p": "abc"}, {"all": "x"}, {"e": "1"},
                 {"opened_at__year": "abc"}, {"at__month": "99"}, {"started_at__day": "x"},
                 {"clinic__id__exact": "abc"}, {"overdue": "x"}, {"status__exact": "\x00"},
                 {"accepted_at__isnull": "x"}, {"_changelist_filters": "%%%"}]


def test_admin_index_and_changelists_survive_garbage_query_params(client, world, records):
    from django.contrib import admin

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = client_for(client, root)
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    for url in urls:
        for params in ADMIN_GARBAGE:
            response = client.get(url, params)
            assert response.status_code < 500, (url, params, response.status_code)
    for url in [reverse("admin:clinic_patient_change", args=["abc"]),
                reverse("admin:clinic_reviewcase_history", args=["99999999999999999999"])]:
        assert client.get(url).status_code < 500, url


@pytest.mark.parametrize("query", ["q=%00", "%00=1", "status__exact=a%00b", "page=1&page=%00"])
def test_a_nul_in_the_query_string_is_a_400_everywhere(client, world, query):
    """PostgreSQL text cannot hold NUL: refused before any lookup (admin search included)."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client = client_for(client, root)
    for url in [reverse("admin:clinic_patient_changelist"), reverse("patient-list"),
                "/api/v1/patients/", reverse("episode-guide")]:
        assert client.get(f"{url}?{query}").status_code == 400, url
