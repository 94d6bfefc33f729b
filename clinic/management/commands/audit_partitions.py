"""Create the audit table's coming monthly partitions (PostgreSQL); safe to run repeatedly.

    manage.py audit_partitions [--ahead 3] [--from 2026-01]

Run it monthly (cron, or before each deploy) as the migration role: a month without a
partition is not lost, its rows go to the default partition, but PostgreSQL then refuses
to create that month's partition until they are moved, so stay ahead.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clinic import audit_partitions as parts


def month_arg(value: str) -> date:
    try:
        if len(value) != 7:
            raise ValueError(value)
        return date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a month (YYYY-MM).") from exc


class Command(BaseCommand):
    help = "Create the audit table's partitions for this month and the coming ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ahead", type=int, default=3,
                            help="months after this one, or after --from if later (default 3)")
        parser.add_argument("--from", dest="first", type=month_arg,
                            help="first month to create (YYYY-MM, default this month)")

    def handle(self, *args: Any, ahead: int, first: date | None, **options: Any) -> None:
        if not parts.partitioned():
            self.stdout.write("The audit table is not partitioned here (PostgreSQL only): nothing to do.")
            return
        if ahead < 0:
            raise CommandError("--ahead must be 0 or more.")
        first = first or parts.this_month()
        # Up to --ahead months past this month, or past --from when that is later.
        last = parts.add_months(max(first, parts.this_month()), ahead)
        result = parts.ensure_partitions(first, last)
        for name in result.created:
            self.stdout.write(f"created {name}")
        self.stdout.write(f"{len(result.created)} created, {len(result.existing)} already there")
        if result.blocked:
            raise CommandError(
                "rows of these months are in clinic_auditevent_default, so PostgreSQL will not "
                f"create their partitions: {', '.join(result.blocked)}")
