"""Schemathesis drives the whole API in process (WSGI) as a parent and as a clinician.

For each operation of ``/api/v1/schema/`` it generates a bounded number of requests,
derandomised so CI sees the same cases every run, and checks that none answers 500 and
that every documented answer matches its schema. Half of the generated ids and patient
references are swapped for real ones of the seeded ``records``, so the cases reach the
code behind the 404 too. Each case carries a fresh token: a generated ``DELETE
/auth/token/`` revokes the caller's tokens.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from clinic import tokens

EXAMPLES_PER_OPERATION = 10
CASES: dict[str, int] = {}


@pytest.fixture
def api_schema(db: Any) -> Any:
    from django.core import signals
    from django.db import close_old_connections

    from clinic.wsgi import application

    # As Django's test client does: the real WSGI handler would close the test's database
    # connection (and its transaction) at the end of every request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")

# Which record a path's {id} names, by the path's first segment after /api/v1/.
REAL_IDS = {"patients": "patient", "episodes": "episode", "attachments": "attachment",
            "evaluations": "evaluation", "suggestions": "suggestion", "orders": "order",
            "messages": "message", "message-attachments": "message_attachment"}


def _coin(value: Any) -> bool:
    """A fair, repeatable coin from the generated value, so runs stay derandomised."""
    return hashlib.sha256(repr(value).encode()).digest()[0] % 2 == 0


def _use_real_ids(case: Any, records: Any) -> None:
    resource = case.path.removeprefix("/api/v1/").split("/")[0]
    params = case.path_parameters or {}
    if "id" in params and resource in REAL_IDS and _coin(params["id"]):
        target = records.draft if "{id}/sign/" in case.path else getattr(records, REAL_IDS[resource])
        params["id"] = str(target.uuid)
    if isinstance(case.body, dict) and "patient" in case.body and _coin(case.body):
        case.body["patient"] = str(records.patient.uuid)
    query = case.query or {}
    if "patient" in query and _coin(query):
        query["patient"] = str(records.patient.uuid)


def _run(case: Any, caller: Any, records: Any) -> None:
    cache.clear()  # the token endpoint's throttle would otherwise answer 429 to later cases
    _use_real_ids(case, records)
    _instance, token = tokens.token_issue(user=caller)
    key = f"{case.method} {case.path}"
    CASES[key] = CASES.get(key, 0) + 1
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


BOUNDED = settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
                   database=None, phases=[Phase.generate],
                   suppress_health_check=list(HealthCheck))


@schema.parametrize()
@BOUNDED
def test_as_a_parent_the_api_never_500s_and_answers_as_documented(case: Any, world: Any,
                                                                   records: Any) -> None:
    _run(case, world.parent, records)


@schema.parametrize()
@BOUNDED
def test_as_a_clinician_the_api_never_500s_and_answers_as_documented(case: Any, world: Any,
                                                                      records: Any) -> None:
    _run(case, world.clinician, records)


def test_report_case_count() -> None:
    """Prints how many cases ran (run with -s); the figure goes into the issue note."""
    if CASES:
        print(f"\nschemathesis: {sum(CASES.values())} cases over {len(CASES)} operations")
