from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _ensure_rollups(using: str = "default", **kwargs: Any) -> None:
    # SQLite drops a table's triggers when a later migration remakes it: put them back.
    from episodes import rollups

    rollups.ensure(connections[using])


class EpisodesConfig(AppConfig):
    name = "episodes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_rollups, sender=self, dispatch_uid="episodes-rollups")
