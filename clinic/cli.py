"""The ``twitch-clinic`` console command: manage.py for an installed wheel.

``twitch-clinic migrate``, ``twitch-clinic check --deploy``, ``twitch-clinic clinic_create``...
run Django's management commands with this project's settings, from any directory.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
