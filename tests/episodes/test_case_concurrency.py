"""Simultaneous worrying reports all land and share one review case (needs PostgreSQL).

Two guardians and a clinician report at the same moment for a child with no open case,
through the API, many times over. Before the patient row was locked, one of them
answered 500 in about half of the pairs (both inserted a case; the second hit
``reviewcase_one_open_per_patient``) and its episode was lost. Then the idempotent
replay: many posts with one client_id, at once, answer the stored episode (200), never
400 or 500, and store it once.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from clinic.models import CaseStatus, ReviewCase
from episodes.models import Episode
from tests.episodes.helpers import URGENT, payload
from tests.factories import GuardianshipFactory, PatientFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's test database is one shared in-memory file: threads cannot write to it "
               "at once, so the race cannot happen; CI runs this on PostgreSQL",
    ),
]
ROUNDS = 12


def _at_once(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _post(user: Any, body: dict[str, Any]) -> Callable[[], tuple[int, Any]]:
    def call() -> tuple[int, Any]:
        client = APIClient()
        client.force_authenticate(user)
        response = client.post("/api/v1/episodes/", body, format="json")
        return response.status_code, response.json()
    return call


def test_simultaneous_worrying_reports_share_one_case(world):
    for round_number in range(ROUNDS):
        child = PatientFactory(clinic=world.clinic)
        mother = UserFactory(username=f"mother{round_number}")
        father = UserFactory(username=f"father{round_number}")
        GuardianshipFactory(user=mother, patient=child)
        GuardianshipFactory(user=father, patient=child)
        results, errors = _at_once([
            _post(reporter, payload(child, URGENT)) for reporter in (mother, father, world.clinician)
        ])
        assert errors == [], (round_number, errors)
        assert sorted(status for status, _ in results) == [201, 201, 201], (round_number, results)
        episodes = Episode.objects.filter(patient=child)
        assert episodes.count() == 3
        case = ReviewCase.objects.get(patient=child)
        assert case.status == CaseStatus.OPEN
        assert set(episodes.values_list("review_case_id", flat=True)) == {case.pk}
        assert {body["review_case"] for _, body in results} == {str(case.uuid)}


def test_concurrent_replays_answer_the_stored_episode(world):
    for round_number in range(ROUNDS):
        body = payload(world.patient, URGENT, client_id=str(uuid.uuid4()))
        results, errors = _at_once([_post(world.parent, body) for _ in range(5)])
        assert errors == [], (round_number, errors)
        statuses = sorted(status for status, _ in results)
        assert statuses == [200, 200, 200, 200, 201], (round_number, results)
        stored = Episode.objects.get(client_id=body["client_id"])
        assert {answer["id"] for _, answer in results} == {str(stored.uuid)}
