"""The report path stays lean: ``POST /api/v1/episodes/`` in at most 12 queries, everything kept.

Counted as production runs it: a real API token, no transaction around the request (as
in gunicorn, so the service's transaction is a real one, not a savepoint), and the
urgent-episode notification queued in the database (django-tasks-db), not sent inline.
Queries are the statements that read or write rows, as PostgreSQL's driver reports them:
SQLite's backend also reports its BEGIN and COMMIT, which are not counted. Today the
worst case (an urgent report that opens a case) takes 11; a routine one 6.
Each case checks that the work is all still done: triage with the history, the review
case, history rows, the audit row, the queued notification.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from clinic.models import AuditEvent, CaseStatus, ReviewCase
from clinic.tokens import token_issue
from episodes.models import Episode
from tests.episodes.helpers import ROUTINE, URGENT, make_episode, payload

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REPORT_QUERY_BUDGET = 12
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def frozen():
    # Before `world`, so the child's age and every earlier episode read the same day.
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def history(world):
    """Ten days of a child's diary: routine twitches and one earlier urgent episode."""
    for days in range(1, 11):
        for hours in (2, 9):
            make_episode(world.patient, world.parent, started_at=NOW - timedelta(days=days, hours=hours))
    make_episode(world.patient, world.parent, URGENT, started_at=NOW - timedelta(days=4))
    return Episode.objects.filter(patient=world.patient).count()


def _post_with_token(user, body):
    _, raw = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/episodes/", body, format="json")
    return response, [q["sql"] for q in captured.captured_queries
                      if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


@pytest.mark.parametrize("role", ["parent", "clinician"])
@pytest.mark.parametrize("kind", ["routine", "urgent"])
@pytest.mark.parametrize("case_before", ["open", "resolved"])
def test_report_stays_within_its_query_budget(world, history, settings, role, kind, case_before):
    settings.TASKS = DB_TASKS
    from django_tasks_db.models import DBTaskResult

    earlier_case = ReviewCase.objects.get(patient=world.patient)  # opened by the urgent one
    if case_before == "resolved":
        ReviewCase.objects.filter(pk=earlier_case.pk).update(status=CaseStatus.RESOLVED,
                                                             resolved_at=NOW - timedelta(days=1))
    user = world.user(role)
    body = payload(world.patient, ROUTINE if kind == "routine" else URGENT,
                   client_id="6f1b5b7e-8f9b-4b0e-9d9a-2b7c8f1e0a11", notes="after her bath")
    response, queries = _post_with_token(user, body)

    assert response.status_code == 201, response.json()
    assert len(queries) <= REPORT_QUERY_BUDGET, "\n".join(sql[:160] for sql in queries)
    answer = response.json()
    episode = Episode.objects.get(uuid=answer["id"])
    assert Episode.objects.filter(patient=world.patient).count() == history + 1
    assert answer["reporter"] == user.username and answer["attachments"] == []
    assert episode.history.count() == 1  # one version, from one INSERT
    assert AuditEvent.objects.filter(action="create", object_id=answer["id"],
                                     role="guardian" if role == "parent" else "clinician").count() == 1
    if kind == "routine":
        assert answer["level"] == "routine" and answer["review_case"] is None
        assert not DBTaskResult.objects.exists()
        return
    assert answer["level"] == "urgent" and episode.review_case is not None
    assert answer["review_case"] == str(episode.review_case.uuid)
    if case_before == "open":
        assert episode.review_case == earlier_case
    else:
        assert episode.review_case.previous == earlier_case
    assert episode.review_case.status == CaseStatus.OPEN
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [answer["id"]]  # the clinic is told, after the commit


def test_the_created_answer_is_what_a_later_read_answers(world, history):
    """No re-read after the INSERT: the answer is built from the row in hand, and matches."""
    body = payload(world.patient, URGENT, temperature_c="38.4", signs=[],
                   started_at=(NOW - timedelta(minutes=5)).astimezone().isoformat())
    created, _ = _post_with_token(world.parent, body)
    assert created.status_code == 201
    client = APIClient()
    client.force_authenticate(world.parent)
    read = client.get(f"/api/v1/episodes/{created.json()['id']}/")
    assert read.json() == created.json()


def test_bad_input_is_refused_before_anything_is_written(world, history):
    _, raw = token_issue(user=world.parent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    before = AuditEvent.objects.count()
    response = client.post("/api/v1/episodes/", payload(world.patient, duration_seconds=-3), format="json")
    assert response.status_code == 400 and "duration_seconds" in response.json()
    too_old = payload(world.patient, started_at=(NOW - timedelta(days=400)).isoformat())
    response = client.post("/api/v1/episodes/", too_old, format="json")
    assert response.status_code == 400 and "started_at" in response.json()
    assert Episode.objects.filter(patient=world.patient).count() == history
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("kind", ["routine", "urgent"])
def test_the_report_and_its_audit_event_commit_together(world, history, settings, kind):
    """One commit per report, holding the episode, its history row and its audit event."""
    settings.TASKS = DB_TASKS
    _, raw = token_issue(user=world.parent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    body = payload(world.patient, ROUTINE if kind == "routine" else URGENT)
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/episodes/", body, format="json")
    assert response.status_code == 201
    statements = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    commits = [i for i, sql in enumerate(statements) if sql.startswith("COMMIT")]
    writes = [i for i, sql in enumerate(statements) if sql.startswith("INSERT INTO")]
    audit = [i for i in writes if '"CLINIC_AUDITEVENT' in statements[i]]
    episode = [i for i in writes if 'INTO "EPISODES_EPISODE"' in statements[i]]
    assert len(commits) == 1 and len(audit) == 1 and len(episode) == 1
    # The notification task is queued after the commit (on_commit), in its own statement.
    assert episode[0] < audit[0] < commits[0]
    assert all(i < commits[0] for i in writes if "DJANGO_TASKS" not in statements[i])
