"""The audit table by month on PostgreSQL: rows land in their month, every partition is
append-only, months are created ahead, and archiving round-trips before it drops."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from clinic import audit_partitions as parts
from clinic.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="partitioning is PostgreSQL's (SQLite keeps one plain table)")]

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM clinic_auditevent WHERE id = %s", [event.pk])
        return cursor.fetchone()[0]


def event_at(when: datetime, **fields) -> AuditEvent:
    return AuditEvent.objects.create(at=when, action="read", object_type="patient", **fields)


def test_rows_land_in_their_months_partition_and_unknown_months_in_the_default(clock, world):
    call_command("audit_partitions", "--from", "2026-01", "--ahead", "1")
    last_instant = event_at(datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    first_instant = event_at(datetime(2026, 4, 1, 0, 0, tzinfo=UTC), patient=world.patient)
    far_future = event_at(datetime(2031, 1, 1, tzinfo=UTC))
    assert partition_of(last_instant) == "clinic_auditevent_p2026_03"
    assert partition_of(first_instant) == "clinic_auditevent_p2026_04"
    assert partition_of(far_future) == "clinic_auditevent_default"  # never a failed insert
    # The ORM reads through the parent as before.
    assert list(world.patient.audit_events.all()) == [first_instant]


def test_audit_partitions_is_safe_to_run_again(clock, capsys):
    call_command("audit_partitions", "--from", "2026-05", "--ahead", "2")
    first = capsys.readouterr().out
    call_command("audit_partitions", "--from", "2026-05", "--ahead", "2")
    again = capsys.readouterr().out
    assert {m for m in parts.monthly_partitions() if m >= date(2026, 5, 1)} >= {
        date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)}
    assert "0 created, 4 already there" in again and "created" in first


def test_a_month_already_in_the_default_partition_is_reported(clock):
    event_at(datetime(2029, 2, 10, tzinfo=UTC))
    with pytest.raises(CommandError, match="clinic_auditevent_p2029_02"):
        call_command("audit_partitions", "--from", "2029-01", "--ahead", "1")
    assert date(2029, 1, 1) in parts.monthly_partitions()  # the other months were created


@pytest.mark.parametrize("statement", [
    "UPDATE {p} SET action = 'update'",
    "DELETE FROM {p}",
    "TRUNCATE {p}",
])
def test_every_partition_refuses_change(clock, statement):
    call_command("audit_partitions", "--from", "2026-02", "--ahead", "0")
    event = event_at(datetime(2026, 2, 2, tzinfo=UTC))
    unplaced = event_at(datetime(2031, 2, 2, tzinfo=UTC))  # in the default partition
    with connection.cursor() as cursor:  # as if committed: no deferred checks pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name in ("clinic_auditevent_p2026_02", "clinic_auditevent_default"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement.format(p=name))
    assert AuditEvent.objects.get(pk=event.pk).action == "read"
    assert AuditEvent.objects.get(pk=unplaced.pk).action == "read"


def test_archive_writes_verifies_then_drops_the_month(clock, world, tmp_path, settings):
    settings.AUDIT_RETENTION_MONTHS = 3  # months before 2026-03 may go
    call_command("audit_partitions", "--from", "2026-01", "--ahead", "0")
    january = [event_at(datetime(2026, 1, day, tzinfo=UTC), patient=world.patient,
                        object_id=f"x{day}", path="/a\"quote\\and\nnewline") for day in range(1, 6)]
    kept = event_at(datetime(2026, 3, 3, tzinfo=UTC))

    call_command("audit_archive", "--before", "2026-02", "--output-dir", str(tmp_path))

    path = tmp_path / "clinic_auditevent_p2026_01.ndjson.gz"
    raw = gzip.open(path, "rb").read()
    rows = [json.loads(line) for line in raw.splitlines()]
    assert [row["id"] for row in rows] == [e.pk for e in january]
    assert rows[0]["path"] == "/a\"quote\\and\nnewline" and rows[0]["patient_id"] == world.patient.pk
    digest = (tmp_path / "clinic_auditevent_p2026_01.ndjson.gz.sha256").read_text().split()[0]
    assert digest == hashlib.sha256(raw).hexdigest()
    assert date(2026, 1, 1) not in parts.monthly_partitions()
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in january]).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    archived = AuditEvent.objects.get(object_type="audit_partition")
    assert (archived.object_id, archived.action) == ("2026-01", "export")


def test_archive_refuses_months_inside_retention(clock, world, tmp_path, settings):
    settings.AUDIT_RETENTION_MONTHS = 3
    call_command("audit_partitions", "--from", "2026-03", "--ahead", "0")
    event = event_at(datetime(2026, 3, 3, tzinfo=UTC))
    with pytest.raises(CommandError, match="retention"):
        call_command("audit_archive", "--before", "2026-04", "--output-dir", str(tmp_path))
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert list(tmp_path.iterdir()) == []


def test_archive_keeps_the_partition_when_the_file_cannot_be_written(clock, world, tmp_path, settings):
    settings.AUDIT_RETENTION_MONTHS = 1
    call_command("audit_partitions", "--from", "2026-01", "--ahead", "0")
    event = event_at(datetime(2026, 1, 9, tzinfo=UTC))
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(Exception):  # noqa: B017 - the OS's error, whichever it is
        call_command("audit_archive", "--before", "2026-02", "--output-dir", str(blocked))
    assert date(2026, 1, 1) in parts.monthly_partitions()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("value", ["2026", "2026-13", "soon", "2026-1-1"])
def test_month_arguments_are_checked(value):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("audit_archive", "--before", value)
