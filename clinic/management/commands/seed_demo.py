"""Load the demo clinic, logins and babies. Safe to run twice; refused when DEBUG is off."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clinic.demo import DEMO_PASSWORD, DEMO_STAFF, DEMO_TOTP_SECRET, seed_core

# Each app may add its own demo rows in <app>/demo.py: seed(world) -> None.
APP_DEMOS = ("episodes.demo", "evaluations.demo", "review.demo", "messaging.demo")


class Command(BaseCommand):
    help = f"Create demo users (password {DEMO_PASSWORD}), clinics and patients."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo creates known passwords: it only runs with DEBUG on.")
        world = seed_core()
        for module_name in APP_DEMOS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            module.seed(world)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready. Logins (password {DEMO_PASSWORD}): doctor, reviewer, clinicadmin, "
            "parent, parent2, otherdoctor."
        ))
        self.stdout.write(
            f"Staff ({', '.join(DEMO_STAFF)}) then enter a code from an authenticator app set up "
            f"with the demo key {DEMO_TOTP_SECRET} (TOTP, 6 digits, 30 s), e.g. "
            f"`oathtool --totp -b {DEMO_TOTP_SECRET}`."
        )
