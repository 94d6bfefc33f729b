"""``manage.py seed_scale``: a clinic network at production size, for benches and sizing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from review.scale import Size, seed


class Command(BaseCommand):
    help = ("Add a realistic clinic network in bulk (default: 20 clinics, 100,000 patients, "
            "1,000,000 episodes over two years, 20,000 signed evaluations). Development only.")

    def add_arguments(self, parser: CommandParser) -> None:
        default = Size()
        parser.add_argument("--clinics", type=int, default=default.clinics)
        parser.add_argument("--patients", type=int, default=default.patients)
        parser.add_argument("--episodes", type=int, default=default.episodes)
        parser.add_argument("--evaluations", type=int, default=default.evaluations)
        parser.add_argument("--days", type=int, default=default.days, help="how far back episodes go")
        parser.add_argument("--seed", type=int, default=default.seed, help="random seed")
        parser.add_argument("--force", action="store_true",
                            help="run even with DEBUG off (never on a real clinic's database)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_scale adds thousands of invented patients: it refuses to run "
                               "with DEBUG off unless given --force.")
        size = Size(clinics=options["clinics"], patients=options["patients"],
                    episodes=options["episodes"], evaluations=options["evaluations"],
                    days=options["days"], seed=options["seed"])
        if min(size.clinics, size.patients, size.days) < 1 or min(size.episodes, size.evaluations) < 0:
            raise CommandError("Sizes must be positive.")
        if size.patients < size.clinics:
            raise CommandError("Give at least one patient per clinic.")
        result = seed(size, stream=self.stderr._out)
        for name, count in result.counts.items():
            self.stdout.write(f"{name:<20} {count:>10,}")
        total = sum(result.levels.values()) or 1
        mix = ", ".join(f"{level} {n / total:.1%}" for level, n in result.levels.items())
        self.stdout.write(f"level mix            {mix}")
        for phase, seconds in result.phases.items():
            self.stdout.write(f"  {phase:<22} {seconds:>8.1f} s")
        self.stdout.write(f"seconds              {result.seconds:>10.1f}")
