"""Search on the patient list: MRN prefixes, names without regard to accents or case.

Runs on SQLite and PostgreSQL (DATABASE_URL); the PostgreSQL indexes are checked there.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from clinic import services
from clinic.models import Patient
from clinic.search import search_key
from tests.factories import PatientFactory

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
URL = "/patients/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def people(world):
    made = {
        "lucia": PatientFactory(clinic=world.clinic, given_name="Lucia", family_name="Garcia",
                                mrn="RP-1001"),
        "lucía": PatientFactory(clinic=world.clinic, given_name="Lucía", family_name="Pérez",
                                mrn="RP-2001"),
        "zoe": PatientFactory(clinic=world.clinic, given_name="Zoë", family_name="O'Brien",
                              mrn="rp-1002"),
        "jose": PatientFactory(clinic=world.clinic, given_name="José", family_name="Núñez",
                               mrn="HX-100"),
        # Another clinic: never found by this clinic's staff, whatever matches.
        "foreign": PatientFactory(clinic=world.other_clinic, given_name="Lucia",
                                  family_name="Garcia", mrn="RP-1003"),
    }
    return made


def found(client, world, q: str) -> set[str]:
    client.force_login(world.clinician)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return {p.mrn for p in response.context["page"].rows}


@pytest.mark.parametrize(("q", "expected"), [
    ("RP-100", {"RP-1001", "rp-1002"}),  # a prefix, whatever its case
    ("rp-1001", {"RP-1001"}),
    ("RP-1001", {"RP-1001"}),
    ("100", set()),  # the MRN matches from its start only
    ("lucía", {"RP-1001", "RP-2001"}),
    ("lucia", {"RP-1001", "RP-2001"}),
    ("LUCIA", {"RP-1001", "RP-2001"}),
    ("LUCÍA", {"RP-1001", "RP-2001"}),
    ("perez", {"RP-2001"}),
    ("PÉREZ", {"RP-2001"}),
    ("zoe", {"rp-1002"}),
    ("nunez jose", {"HX-100"}),  # every term must match, in any order
    ("Lucia Garcia", {"RP-1001"}),
    ("uci", {"RP-1001", "RP-2001"}),  # within a name
    ("lucia RP-2", {"RP-2001"}),  # a name and an MRN prefix together
    ("nobody", set()),
])
def test_search(client, world, people, q, expected):
    assert found(client, world, q) == expected


def test_search_key():
    assert search_key("  Lucía ", "PÉREZ\tñúñez") == "lucia perez nunez"
    assert search_key("Straße") == "strasse"
    assert search_key("Zoë", "O'Brien") == "zoe o'brien"


def test_the_key_follows_a_rename(world):
    patient = world.patient
    services.patient_update(patient=patient, updated_by=world.clinician,
                            given_name="Inés", family_name="Ibáñez")
    assert Patient.objects.get(pk=patient.pk).search_name == "ines ibanez"
    patient.given_name = "Ángela"
    patient.save(update_fields=["given_name"])
    assert Patient.objects.get(pk=patient.pk).search_name == "angela ibanez"


def test_the_migration_fills_the_key_of_rows_already_stored(world, people):
    Patient.objects.update(search_name="")  # as before the column existed
    migration = importlib.import_module("clinic.migrations.0011_patient_search_and_list_order")
    migration.backfill_search_name(apps, connection.schema_editor())
    assert Patient.objects.get(mrn="RP-2001").search_name == "lucia perez"
    assert not Patient.objects.filter(search_name="").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram and MRN prefix "
                    "indexes exist on PostgreSQL only; SQLite scans the column")
def test_postgres_serves_the_search_from_its_indexes(world, people):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'clinic_patient'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"patient_search_name_trgm", "patient_mrn_upper_prefix", "patient_name_order",
            "patient_clinic_name_order"} <= names
    names_qs = Patient.objects.filter(search_name__contains="luci").order_by()
    mrn_qs = Patient.objects.filter(mrn__istartswith="RP-10").order_by()
    with connection.cursor() as cursor:
        # A handful of rows: left alone the planner reads the table (or walks the name-order
        # index). Asking for index conditions shows which index can serve the predicate.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        for queryset, index in [(names_qs, "patient_search_name_trgm"),
                                (mrn_qs, "patient_mrn_upper_prefix")]:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan
