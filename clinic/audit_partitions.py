"""The audit table's monthly partitions on PostgreSQL: create ahead, archive past retention.

Migration 0013 partitions ``clinic_auditevent`` by month and installs
``clinic_auditevent_ensure_month(date)``, which creates one month's partition with its
TRUNCATE guard (the UPDATE/DELETE row trigger is cloned by PostgreSQL). Creating and
dropping partitions needs the table's owner: run these commands as the migration role.
On SQLite there is one plain table and nothing to do.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

PARENT = "clinic_auditevent"
NAME = re.compile(r"^clinic_auditevent_p(\d{4})_(\d{2})$")


class PartitionError(Exception):
    """A partition operation that must not go ahead (the message says why)."""


def partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [PARENT])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def this_month() -> date:
    return timezone.now().astimezone(UTC).date().replace(day=1)  # partitions are UTC months


def partition_name(month: date) -> str:
    return f"{PARENT}_p{month:%Y_%m}"


def monthly_partitions() -> dict[date, str]:
    """The month partitions attached now, by first day of month (the default excluded)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)", [PARENT])
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        match = NAME.match(name)
        if match:
            found[date(int(match[1]), int(match[2]), 1)] = name
    return found


@dataclass
class Ensured:
    created: list[str]
    existing: list[str]
    blocked: list[str]  # months whose rows already sit in the default partition


def ensure_partitions(first: date, last: date) -> Ensured:
    """Create every month partition from ``first`` to ``last`` (inclusive) that is missing."""
    result = Ensured([], [], [])
    month = first.replace(day=1)
    while month <= last:
        name = partition_name(month)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT clinic_auditevent_ensure_month(%s)", [month])
                created = cursor.fetchone()[0]
        except Exception as exc:  # noqa: BLE001 - PostgreSQL refuses: rows of it are in default
            if "default partition" not in str(exc):
                raise
            result.blocked.append(name)
        else:
            (result.created if created else result.existing).append(name)
        month = add_months(month, 1)
    return result


def retention_cutoff() -> date:
    """The first month still inside the retention period: older months may be archived."""
    return add_months(this_month(), -settings.AUDIT_RETENTION_MONTHS)


@dataclass
class Archived:
    name: str
    path: Path
    rows: int
    sha256: str


def archive_month(month: date, directory: Path) -> Archived:
    """Write one month's partition to ``directory`` as gzipped NDJSON, verify, then drop it.

    In one transaction: the partition is locked against inserts (SHARE), read in order
    through a server-side cursor into ``<name>.ndjson.gz`` (written under a temporary
    name, fsynced, renamed), read back and checked (every line parses, the count matches
    the table, the checksum matches what was written), and only then detached and dropped.
    Any failure rolls back: the partition stays.
    """
    if month >= retention_cutoff():
        raise PartitionError(f"{month:%Y-%m} is inside the retention period "
                             f"({settings.AUDIT_RETENTION_MONTHS} months).")
    name = monthly_partitions().get(month)
    if name is None:
        raise PartitionError(f"No partition for {month:%Y-%m}.")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.ndjson.gz"
    partial = path.with_suffix(".gz.partial")
    from psycopg import sql

    table = sql.Identifier(name)  # read from the catalogue, quoted anyway
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(table))
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table))
            expected = cursor.fetchone()[0]
        digest = hashlib.sha256()
        written = 0
        with gzip.open(partial, "wb") as out, connection.connection.cursor(name=f"archive_{name}") as rows:
            rows.itersize = 5000
            rows.execute(sql.SQL("SELECT row_to_json(t)::text FROM {} t ORDER BY id").format(table))
            for (line,) in rows:
                data = line.encode() + b"\n"
                digest.update(data)
                out.write(data)
                written += 1
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
        check, read = hashlib.sha256(), 0
        with gzip.open(path, "rb") as back:
            for data in back:
                json.loads(data)
                check.update(data)
                read += 1
        if not (written == read == expected and check.hexdigest() == digest.hexdigest()):
            raise PartitionError(f"{path} does not hold {name} ({expected} rows, read {read}); "
                                 "the partition is kept.")
        path.with_name(path.name + ".sha256").write_text(f"{digest.hexdigest()}  {path.name}\n")
        with connection.cursor() as cursor:
            # Deferred foreign-key checks queued in this transaction must run before the
            # table goes (PostgreSQL refuses to drop a table with pending trigger events).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            detach = sql.SQL("ALTER TABLE {} DETACH PARTITION {}")
            cursor.execute(detach.format(sql.Identifier(PARENT), table))
            cursor.execute(sql.SQL("DROP TABLE {}").format(table))
    return Archived(name, path, written, digest.hexdigest())
