"""Write docs/clinical-rules.md from the rule modules; --check fails when it is stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from interop.rule_catalogue import DOCUMENT_PATH, render


class Command(BaseCommand):
    help = "Write the clinical rules document from the rule modules' own data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help=f"where to write it (default: {DOCUMENT_PATH} in the project folder)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; exit with an error when the file differs from the rules",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or Path(settings.BASE_DIR) / DOCUMENT_PATH
        text = render()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if options["check"]:
            if current != text:
                raise CommandError(f"{path} is stale: run `make rules-doc` and commit it.")
            self.stdout.write(f"{path} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
