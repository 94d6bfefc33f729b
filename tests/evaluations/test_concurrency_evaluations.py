"""Two clinicians saving the same draft version at the same moment: one wins, one gets a conflict."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from evaluations import services
from evaluations.models import Evaluation
from tests.evaluations.helpers import draft

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers, so the race cannot happen; CI runs this on PostgreSQL",
)
def test_simultaneous_saves_of_one_version_let_exactly_one_through(world):
    evaluation = draft(world.patient, world.clinician)
    barrier = threading.Barrier(4)
    saved: list[str] = []
    conflicts: list[int] = []
    errors: list[BaseException] = []

    def save(plan: str) -> None:
        try:
            barrier.wait()
            services.evaluation_save_draft(evaluation=evaluation, by=world.clinician, version=1,
                                           data={"plan": plan})
            saved.append(plan)
        except services.EvaluationConflict as exc:
            conflicts.append(exc.current_version)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(f"plan {i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(saved) == 1 and conflicts == [2, 2, 2]
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.plan == saved[0] and stored.version == 2
