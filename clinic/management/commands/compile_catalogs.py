"""``manage.py compile_catalogs``: .po to .mo in Python, without GNU gettext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic.catalogs import compile_all


class Command(BaseCommand):
    help = "Compile the translation catalogs of every app (no GNU gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = compile_all(Path(settings.BASE_DIR))
        self.stdout.write(f"{len(compiled)} catalog(s) compiled")
