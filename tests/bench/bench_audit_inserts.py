"""Audit inserts stay constant-time as the table grows (PostgreSQL, monthly partitions).

    AUDIT_BENCH_ROWS=0,1000000,10000000 pytest tests/bench/bench_audit_inserts.py -s -m bench

For each size the table is first filled to that many rows (spread over the last 24
months, written by one INSERT ... SELECT generate_series), then 2,000 events are written
one by one through the ORM, as requests do, and the median of 20 batches of 100 is
printed. The default sizes are 0 and 1,000,000 (10 million takes several minutes here).
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime

import pytest
from django.db import connection

from clinic import audit_partitions as parts
from clinic.models import AuditEvent

pytestmark = [pytest.mark.bench, pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="partitioning is PostgreSQL's")]

SIZES = [int(n) for n in os.environ.get("AUDIT_BENCH_ROWS", "0,1000000").split(",")]
NOW = datetime.now(UTC)

FILL = """
INSERT INTO clinic_auditevent (at, actor_username, role, action, object_type, object_id, ip,
                               request_id, path, actor_id, patient_id)
SELECT %(now)s::timestamptz - (n %% (730 * 24)) * interval '1 hour', 'bench', 'clinician', 'read',
       'patient', md5(n::text), '127.0.0.1', '', '/patients/', %(actor)s, %(patient)s
FROM generate_series(1, %(rows)s) AS n
"""


def _fill_to(rows: int, world) -> float:
    missing = rows - AuditEvent.objects.count()
    if missing <= 0:
        return 0.0
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FILL, {"now": NOW, "rows": missing, "actor": world.clinician.pk,
                              "patient": world.patient.pk})
        cursor.execute("ANALYZE clinic_auditevent")
    return time.perf_counter() - start


def _insert_batches(world, batches: int = 20, size: int = 100) -> list[float]:
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(size):
            AuditEvent.objects.create(actor=world.clinician, actor_username="clinician", role="clinician",
                                      patient=world.patient, action="read", object_type="patient",
                                      object_id=str(world.patient.uuid), ip="127.0.0.1", path="/p/")
        times.append((time.perf_counter() - start) / size)
    return times


def test_audit_insert_time_does_not_grow_with_the_table(world):
    month = parts.this_month()
    parts.ensure_partitions(parts.add_months(month, -25), parts.add_months(month, 1))
    print()
    print(f"{'rows before':>12} | {'fill s':>7} | {'insert µs (median)':>18} | partitions")
    medians = []
    for rows in sorted(SIZES):
        filled = _fill_to(rows, world)
        _insert_batches(world, batches=2)  # warm
        median = statistics.median(_insert_batches(world))
        medians.append(median)
        print(f"{rows:>12,} | {filled:>7.1f} | {median * 1e6:>18.0f} | {len(parts.monthly_partitions())}")
    # Constant time: the largest table's inserts within 2x of the empty table's (noise on a
    # shared machine; an index that grew with the table would show as a trend, not 2x).
    assert medians[-1] < 2 * medians[0], medians
