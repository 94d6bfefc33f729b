"""The bad-input probes of issue 9: each answered 500 (or was stored) before; now 400 with a reason.

Every probe checks the answer (400 with a field error, or a form error on the page) and
that nothing was stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from episodes.models import Episode
from evaluations.models import Evaluation
from tests.conftest import client_for
from tests.episodes.helpers import URGENT, payload
from tests.evaluations.helpers import typical_data

NOW = "2026-06-15T12:00:00+00:00"
DEEP = 1000


def _deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# -- JSON nested 1,000 deep, on any endpoint -----------------------------------------------

DEEP_TARGETS = [
    ("parent", "/api/v1/episodes/"),
    ("parent", "/api/v1/episodes/assess/"),
    ("clinician", "/api/v1/evaluations/"),
    ("clinician", "/api/v1/patients/"),
    ("clinician", "/api/v1/orders/"),
    ("anonymous", "/api/v1/auth/token/"),  # the API login
    ("anonymous", "/accounts/login/"),
]


@pytest.mark.parametrize(("who", "url"), DEEP_TARGETS)
@pytest.mark.parametrize("wrap", ["bare", "in_field"])
def test_json_nested_1000_deep_answers_400(client, world, who, url, wrap):
    body = _deep_json() if wrap == "bare" else '{"notes": ' + _deep_json() + "}"
    client = client_for(client, world.user(who))
    before = (Episode.objects.count(), Evaluation.objects.count())
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.status_code
    assert "nested" in response.json()["detail"]
    assert (Episode.objects.count(), Evaluation.objects.count()) == before


def test_moderately_nested_json_still_parses(api, world):
    api.force_authenticate(world.parent)
    body = payload(world.patient, URGENT, notes="fine")
    response = api.post("/api/v1/episodes/", body, format="json")
    assert response.status_code == 201


# -- NUL or a lone surrogate in a dismiss reason --------------------------------------------

@pytest.mark.parametrize("reason", ["stop\x00here", "half \ud800 a pair", "\udfff"])
def test_dismiss_reason_with_nul_or_lone_surrogate_is_a_field_error(api, world, reason):
    from tests.evaluations.helpers import signed, worrying_data

    evaluation = signed(world.patient, world.clinician, worrying_data())
    suggestion = evaluation.suggestions.first()
    api.force_authenticate(world.clinician)
    raw = '{"reason": "' + reason.encode("unicode_escape").decode().replace("\\x00", "\\u0000") + '"}'
    response = api.post(f"/api/v1/suggestions/{suggestion.uuid}/dismiss/", raw,
                        content_type="application/json")
    assert response.status_code == 400
    assert "reason" in response.json()
    suggestion.refresh_from_db()
    assert suggestion.status == "suggested" and suggestion.dismiss_reason == ""


# -- dates in year 1, before birth, more than a year back -----------------------------------

EPISODE_DATES = {
    "year_one": "0001-01-01T00:00:00Z",
    "year_one_east": "0001-01-01T00:30:00+14:00",
    "before_birth": None,  # filled from the child's birth date
    "over_a_year_back": "2025-06-01T12:00:00Z",
}


def _older_child_for(kind: str, child) -> None:
    """The one-year rule alone: a child two years old, so the date is after the birth."""
    if kind == "over_a_year_back":
        child.date_of_birth = child.date_of_birth.replace(year=2024)
        child.save()


def _episode_date(kind: str, child) -> str:
    if kind == "before_birth":
        born = datetime.combine(child.date_of_birth, time.min, tzinfo=UTC)
        return (born - timedelta(days=2)).isoformat()
    return EPISODE_DATES[kind]


@pytest.mark.parametrize("kind", sorted(EPISODE_DATES))
@pytest.mark.parametrize("endpoint", ["/api/v1/episodes/", "/api/v1/episodes/assess/"])
def test_episode_dates_out_of_range_answer_400_on_the_api(api, world, kind, endpoint):
    _older_child_for(kind, world.patient)
    api.force_authenticate(world.parent)
    body = payload(world.patient, URGENT, started_at=_episode_date(kind, world.patient))
    response = api.post(endpoint, body, format="json")
    assert response.status_code == 400, response.content
    assert "started_at" in response.json()
    assert not Episode.objects.exists()


@pytest.mark.parametrize("kind", sorted(EPISODE_DATES))
def test_episode_dates_out_of_range_are_form_errors_on_the_page(client, world, kind):
    _older_child_for(kind, world.patient)
    client = client_for(client, world.parent)
    started = _episode_date(kind, world.patient)
    body = {"started_at": started[:16], "duration_minutes": "2", "duration_secs": "0",
            "body_parts": ["left_leg"], "state": "awake", "pattern": "rhythmic",
            "stops_when_held_or_woken": "no", "time_zone": "UTC",
            "sign_breathing_difficulty": "no", "sign_color_change": "no", "sign_unresponsive": "no"}
    response = client.post(reverse("episode-report", kwargs={"patient_id": world.patient.uuid}), body)
    assert response.status_code == 400  # the form again, with the error
    assert list(response.context["form"].errors) == ["started_at"], response.context["form"].errors
    assert not Episode.objects.exists()
    body["started_at"] = "2026-06-15T11:00"  # the same report, an hour ago: stored
    response = client.post(reverse("episode-report", kwargs={"patient_id": world.patient.uuid}), body)
    assert response.status_code == 302 and Episode.objects.count() == 1


@pytest.mark.parametrize("performed_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:30:00+14:00",
                                          "before_birth"])
def test_evaluation_dates_before_birth_or_year_one_answer_400(api, world, performed_at):
    if performed_at == "before_birth":
        performed_at = f"{world.patient.date_of_birth - timedelta(days=1)}T10:00:00Z"
    api.force_authenticate(world.clinician)
    body = {"patient": str(world.patient.uuid), "performed_at": performed_at, **typical_data()}
    response = api.post("/api/v1/evaluations/", body, format="json")
    assert response.status_code == 400, response.content
    assert "performed_at" in response.json()
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("born", ["0001-01-01", "1900-01-01", "2000-01-01"])
def test_absurd_birth_dates_are_refused(api, world, born):
    api.force_authenticate(world.clinician)
    body = {"given_name": "A", "family_name": "B", "date_of_birth": born, "sex": "female"}
    response = api.post("/api/v1/patients/", body, format="json")
    assert response.status_code == 400
    assert "date_of_birth" in response.json()


def test_a_birth_date_within_the_bound_is_accepted(api, world):
    api.force_authenticate(world.clinician)
    body = {"given_name": "A", "family_name": "B", "date_of_birth": "2010-06-16", "sex": "female"}
    assert api.post("/api/v1/patients/", body, format="json").status_code == 201


# -- a Range header of 4,301 digits ---------------------------------------------------------

@pytest.mark.parametrize("header", ["bytes=" + "9" * 4301 + "-", "bytes=0-" + "9" * 4301,
                                    "bytes=-" + "9" * 4301], ids=["start", "end", "suffix"])
def test_range_of_4301_digits_never_fails(client, world, records, header):
    client = client_for(client, world.parent)
    url = reverse("attachment-download", kwargs={"attachment_id": records.attachment.uuid})
    response = client.get(url, HTTP_RANGE=header)
    size = records.attachment.size
    if header.endswith("-"):  # starts past the end of any file
        assert response.status_code == 416 and response["Content-Range"] == f"bytes */{size}"
    else:  # to the end, or the last "huge" bytes: the whole file
        assert response.status_code == 206
        assert response["Content-Range"] == f"bytes 0-{size - 1}/{size}"


@pytest.mark.parametrize("performed_at", ["0001-01-01T00:00", "before_birth"])
def test_evaluation_dates_before_birth_are_form_errors_on_the_page(client, world, performed_at):
    if performed_at == "before_birth":
        performed_at = f"{world.patient.date_of_birth - timedelta(days=1)}T10:00"
    client = client_for(client, world.clinician)
    body = {"performed_at": performed_at, "history": "Jerks in sleep", "hine_head": "2",
            "tone": "normal"}
    response = client.post(reverse("evaluation-create", args=[world.patient.uuid]), body)
    assert response.status_code in (200, 400)
    assert "before the child" in response.text
    assert not Evaluation.objects.exists()
    preview = client.post(reverse("evaluation-preview", args=[world.patient.uuid]), body)
    assert preview.status_code in (200, 400) and "before the child" in preview.text


# -- a lone surrogate or NUL in any field of any JSON write ---------------------------------

# JSON spelling of the values: "\ud800" parses to a string UTF-8 cannot encode; before the
# parser refused it, an error quoting it ('"\ud800" is not a valid choice') failed in the
# renderer, a 500 on 26 fields of 11 operations (episode state, order status, sex, ...).
ODD_TEXT = {"lone_surrogate": "\\ud800", "low_surrogate": "x\\udfffy", "nul": "a\\u0000b"}
PATH_RECORDS = {"patients": "patient", "episodes": "episode", "evaluations": "draft",
                "suggestions": "suggestion", "orders": "order", "messages": "message"}


def _json_writes(client) -> list[tuple[str, str, list[str]]]:
    """(method, path, writable property names) of every JSON request body in the schema."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    writes = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref")
            if method in ("post", "put", "patch") and ref:
                properties = components[ref.rsplit("/", 1)[1]].get("properties", {})
                writes.append((method, path, [name for name, spec in properties.items()
                                              if not spec.get("readOnly")]))
    return writes


@pytest.mark.parametrize("who", ["parent", "clinician"])
def test_a_lone_surrogate_or_nul_in_any_json_field_never_500s(client, world, records, who):
    client = client_for(client, world.user(who))
    client.raise_request_exception = False
    writes = _json_writes(client)
    assert len(writes) >= 10, writes  # the walk reaches the API's writes
    failures = []
    for method, path, names in writes:
        resource = path.removeprefix("/api/v1/").split("/")[0]
        url = path.replace("{id}", str(getattr(records, PATH_RECORDS[resource]).uuid)) \
            if "{id}" in path else path
        for name in names:
            for kind, value in ODD_TEXT.items():
                others = "" if name == "patient" else f', "patient": "{records.patient.uuid}"'
                body = f'{{"{name}": "{value}"{others}}}'
                response = getattr(client, method)(url, body, content_type="application/json")
                if response.status_code >= 500:
                    failures.append((method, path, name, kind, response.status_code))
                elif kind != "nul" and response.status_code not in (403, 404, 405) and (
                        response.status_code != 400 or name not in response.json()):
                    failures.append((method, path, name, kind, response.status_code))  # not on the field
    assert failures == []
