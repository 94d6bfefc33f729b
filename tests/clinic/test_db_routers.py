"""The read-replica router: chosen reads go to "replica", writes and pinned reads to default.

The "replica" alias is added for these tests only, as a mirror of the test database
(``TEST: {"MIRROR": "default"}``), the way settings add it when DATABASE_REPLICA_URL is
set. The tests commit (transactional_db), so the second connection sees the rows.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.db_routers import PIN_COOKIE, REPLICA, replica_reads
from clinic.models import AuditEvent, Patient

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture(scope="module", autouse=True)
def _replica_alias() -> Any:
    """Module-scoped so the alias exists before pytest-django checks the test's databases."""
    primary = connections["default"].settings_dict
    connections.settings[REPLICA] = {**primary, "TEST": {**primary.get("TEST", {}), "MIRROR": "default"}}
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica() -> Any:
    return connections[REPLICA]


def sql(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0].upper() for q in captured.captured_queries]


def test_chosen_reads_go_to_the_replica_and_writes_do_not(replica, world):
    with CaptureQueriesContext(replica) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        with replica_reads():
            assert Patient.objects.filter(clinic=world.clinic).count() == 2
            AuditEvent.objects.create(action="read", object_type="patient", patient=world.patient)
        Patient.objects.count()  # outside: the primary
    assert sql(on_replica) == ["SELECT"]
    assert "INSERT" in sql(on_primary) and sql(on_primary).count("SELECT") == 1


def test_reads_in_a_transaction_stay_on_the_primary(replica, world):
    with CaptureQueriesContext(replica) as on_replica, transaction.atomic(), replica_reads():
        Patient.objects.create(clinic=world.clinic, given_name="New", family_name="Born",
                               date_of_birth=world.patient.date_of_birth, sex="female")
        assert Patient.objects.filter(given_name="New").exists()  # its own uncommitted row
    assert on_replica.captured_queries == []


def fhir(world: Any) -> str:
    return reverse("api:patient-fhir", kwargs={"id": world.patient.uuid})


def test_the_fhir_export_streams_from_the_replica_and_audits_on_the_primary(replica, client, world):
    client.force_login(world.clinician)
    with CaptureQueriesContext(replica) as on_replica, \
            CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get(fhir(world))
        b"".join(response.streaming_content)
    read_tables = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert '"episodes_episode"' in read_tables and '"clinic_patient"' in read_tables
    assert set(sql(on_replica)) == {"SELECT"}
    assert any(q["sql"].startswith('INSERT INTO "clinic_auditevent"') for q in on_primary.captured_queries)


def test_the_patient_list_reads_from_the_replica(replica, client, world):
    client.force_login(world.clinician)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("patient-list")).status_code == 200
    assert any('"clinic_patient"' in q["sql"] for q in on_replica.captured_queries)


def test_a_write_pins_the_writer_to_the_primary_for_a_while(replica, client, world, settings):
    settings.REPLICA_PIN_SECONDS = 30
    client.force_login(world.clinician)
    response = client.post(reverse("patient-list"))  # any write: the pin is the router's, not the view's
    pinned_until = float(response.cookies[PIN_COOKIE].value)
    assert time.time() + 25 < pinned_until <= time.time() + 31
    with CaptureQueriesContext(replica) as on_replica:
        b"".join(client.get(fhir(world)).streaming_content)
        client.get(reverse("patient-list"))
    assert on_replica.captured_queries == []

    client.cookies[PIN_COOKIE] = str(time.time() - 1)  # the pin has run out
    with CaptureQueriesContext(replica) as on_replica:
        client.get(reverse("patient-list"))
    assert on_replica.captured_queries


def test_the_replica_is_never_migrated():
    from clinic.db_routers import ReplicaRouter

    assert ReplicaRouter().allow_migrate(REPLICA, "clinic") is False
    assert ReplicaRouter().allow_migrate("default", "clinic") is True
