"""``manage.py rebuild_day_counts``: recount the dashboards' daily counts from the episodes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from episodes import rollups


class Command(BaseCommand):
    help = ("Recount every clinic's daily episode counts (after changing TIME_ZONE, which the "
            "triggers read at migrate time) and reinstall their triggers if one is missing.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            rollups.uninstall(connection)
            rollups.install(connection)
            rollups.rebuild(connection)
        self.stdout.write("Daily counts rebuilt.")
