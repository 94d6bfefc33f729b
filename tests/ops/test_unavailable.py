"""The 503 answers themselves, and the handler500 fallback for a middleware that met the
database down (the end-to-end answers with a real closed port are in test_database_down.py)."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError

from clinic.unavailable import server_error, unavailable_response


def test_server_error_answers_503_for_a_database_failure_outside_a_view(rf):
    try:
        raise OperationalError("couldn't get a connection after 3.00 sec")
    except OperationalError:
        response = server_error(rf.get("/patients/"))
    assert response.status_code == 503
    assert "unavailable for a moment" in response.content.decode()
    assert response["Retry-After"] == "30" and response["Cache-Control"] == "no-store"


def test_server_error_keeps_a_500_for_any_other_error(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/patients/"))
    assert response.status_code == 500


@pytest.mark.parametrize(("path", "accept", "is_json"), [
    ("/api/v1/patients/", "text/html", True),
    ("/patients/", "application/json", True),
    ("/patients/", "text/html,application/xhtml+xml", False),
])
def test_the_api_and_json_callers_get_json_and_browsers_a_page(rf, path, accept, is_json):
    response = unavailable_response(rf.get(path, HTTP_ACCEPT=accept))
    assert response.status_code == 503
    if is_json:
        assert list(json.loads(response.content)) == ["detail"]
    else:
        assert response["Content-Type"].startswith("text/html")
        assert "navbar-brand" in response.content.decode()


def test_the_page_renders_with_no_user_and_no_database(rf, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        html = unavailable_response(rf.get("/patients/")).content.decode()
    assert "Log out" not in html  # no user in the context: nothing asked who is signed in
