"""Archive audit months past retention to files, then drop their partitions (PostgreSQL).

    manage.py audit_archive --before 2020-01 [--output-dir DIR]

Every month partition older than ``--before`` is written to
``DIR/clinic_auditevent_pYYYY_MM.ndjson.gz`` (one JSON row per line, a ``.sha256`` beside
it), read back and verified, and only then detached and dropped. Months inside
``AUDIT_RETENTION_MONTHS`` are refused. Run as the migration role (it owns the table).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic import audit_partitions as parts
from clinic.management.commands.audit_partitions import month_arg
from clinic.models import AuditAction, AuditEvent


class Command(BaseCommand):
    help = "Export audit months before --before to compressed NDJSON, verify, drop their partitions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--before", required=True, type=month_arg,
                            help="archive every month before this one (YYYY-MM)")
        parser.add_argument("--output-dir", type=Path, default=None,
                            help="where the files go (default AUDIT_ARCHIVE_DIR)")

    def handle(self, *args: Any, before: date, output_dir: Path | None, **options: Any) -> None:
        if not parts.partitioned():
            raise CommandError("The audit table is partitioned on PostgreSQL only; nothing to archive here.")
        cutoff = parts.retention_cutoff()
        if before > cutoff:
            raise CommandError(
                f"Refused: months from {cutoff:%Y-%m} on are inside the retention period "
                f"(AUDIT_RETENTION_MONTHS={settings.AUDIT_RETENTION_MONTHS}); use --before {cutoff:%Y-%m} "
                "or earlier.")
        directory = output_dir or settings.AUDIT_ARCHIVE_DIR
        months = sorted(month for month in parts.monthly_partitions() if month < before)
        if not months:
            self.stdout.write(f"No partition before {before:%Y-%m}.")
        for month in months:
            try:
                done = parts.archive_month(month, directory)
            except parts.PartitionError as exc:
                raise CommandError(str(exc)) from exc
            # The archive itself is on the record: which month left, how many rows, the file's sum.
            AuditEvent.objects.create(actor_username="manage.py audit_archive", action=AuditAction.EXPORT,
                                      object_type="audit_partition", object_id=f"{month:%Y-%m}",
                                      path=f"{done.path.name} {done.rows} rows sha256:{done.sha256[:16]}")
            self.stdout.write(f"archived {done.name}: {done.rows} rows -> {done.path}")
