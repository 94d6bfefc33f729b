"""``make bench-scale``: the daily pages at a million episodes, with their query plans.

Runs against a separate PostgreSQL database (``DATABASE_URL``, the Makefile's default
``twitch_scale``), seeds it with ``seed_scale`` when it holds fewer episodes than asked,
then measures each page with Django's test Client in this process (no server between:
the figures are the view's own time and queries), median of five after a warm-up.
Prints the issue's table, the dashboard's EXPLAIN ANALYZE, and the dashboard against
the raw SQL of the same figures (its own statements run directly).

    python -m tests.bench.scale [--episodes 1000000] [--rounds 5] [--no-explain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, Func  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.models import Clinic, Patient  # noqa: E402
from episodes.models import Episode  # noqa: E402
from review import dashboards  # noqa: E402
from review.scale import Size, seed  # noqa: E402
from tests.scale import plans  # noqa: E402


def timed(client: Client, url: str, query: dict, rounds: int) -> tuple[float, int, int]:
    """(median ms, queries, status) of ``rounds`` GETs after one warm-up."""
    client.get(url, query)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url, query)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
    return statistics.median(times), len(ctx.captured_queries), response.status_code


def figures_ms(user: Any, scope: dashboards.Scope, rounds: int) -> tuple[float, list[str]]:
    """Every dashboard figure for ``scope`` without the page (the form allows 366 days)."""
    def once() -> None:
        board = dashboards.dashboard(user, scope)
        dashboards.presentation(board)

    once()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        once()
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        once()
    return statistics.median(times), [q["sql"] for q in ctx.captured_queries]


def raw_ms(queries: list[str], rounds: int) -> float:
    """The same SELECTs run directly on a cursor, fetched, no ORM: median of ``rounds``."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(rounds):
            start = time.perf_counter()
            for sql in queries:
                cursor.execute(sql)
                cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        print("bench-scale runs on PostgreSQL: set DATABASE_URL (make bench-scale does).")
        return 2
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    have = Episode.objects.count()
    if have < args.episodes * 0.95:
        ratio = args.episodes / 1_000_000
        size = Size(clinics=20 if ratio >= 0.2 else 4, patients=max(100, int(100_000 * ratio)),
                    episodes=args.episodes - have, evaluations=max(50, int(20_000 * ratio)))
        print(f"Seeding {size.episodes:,} episodes (the database holds {have:,}) ...", flush=True)
        result = seed(size)
        print(f"seeded in {result.seconds:.1f} s: {result.counts}", flush=True)
    plans.analyze()

    User = get_user_model()
    root = User.objects.get(username="scale-superuser")
    clinic = Clinic.objects.filter(name__startswith="Scale clinic 1 ").order_by("pk").first()
    reviewer = User.objects.get(username=f"scale-reviewer-{clinic.pk}")
    clinician = User.objects.get(username=f"scale-clinician-{clinic.pk}")
    # A long diary: the child whose record is nearest 2,000 episodes (seed_scale makes one).
    big = (Episode.objects.values("patient_id").annotate(n=Count("id"))
           .annotate(off=Func(F("n") - 2000, function="ABS")).order_by("off").first())
    child = Patient.objects.get(pk=big["patient_id"])
    parent = child.guardianships.first().user
    today = timezone.localdate()
    month = {"start": (today - timedelta(days=29)).isoformat(), "end": today.isoformat()}
    year = {"start": (today - timedelta(days=366)).isoformat(), "end": today.isoformat()}
    clinic_patients = Patient.objects.filter(clinic=child.clinic).count()
    pages = [
        ("review dashboard, reviewer, 30 days", reviewer, reverse("review:dashboard"), month),
        ("review dashboard, superuser, 30 days", root, reverse("review:dashboard"), month),
        ("review dashboard, reviewer, 366 days", reviewer, reverse("review:dashboard"), year),
        ("review dashboard, superuser, 366 days", root, reverse("review:dashboard"), year),
        ("dashboard CSV (rules), superuser, 366 days", root, reverse("review:csv", args=["rules"]), year),
        ("admin index (dashboard), superuser", root, reverse("admin:index"), {}),
        ("admin episodes changelist", root, reverse("admin:episodes_episode_changelist"), {}),
        ("admin episodes changelist page 10,000", root, reverse("admin:episodes_episode_changelist"),
         {"p": 10_000}),
        ("admin review cases changelist", root, reverse("admin:clinic_reviewcase_changelist"), {}),
        ("admin evaluations changelist", root, reverse("admin:evaluations_evaluation_changelist"), {}),
        ("admin audit changelist", root, reverse("admin:clinic_auditevent_changelist"), {}),
        ("episodes API page 1, reviewer", reviewer, reverse("api:episode-list"), {}),
        ("episodes API page 10,000, superuser", root, reverse("api:episode-list"), {"page": 10_000}),
        (f"patient list page {min(400, max(1, clinic_patients // 25))}", clinician,
         reverse("patient-list"), {"page": min(400, max(1, clinic_patients // 25))}),
        ("review queue", reviewer, reverse("review:queue"), {}),
        (f"diary of a {big['n']:,}-episode child", parent,
         reverse("episode-diary", args=[child.uuid]), {}),
        (f"chart of a {big['n']:,}-episode child", clinician if child.clinic_id == clinic.pk else root,
         reverse("chart", args=[child.uuid]), {}),
    ]
    print(f"\n{Episode.objects.count():,} episodes; Django test Client in one process, "
          f"median of {args.rounds} after a warm-up\n")
    print("| page | time | queries |\n|---|---|---|")
    for label, user, url, query in pages:
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        try:
            ms, queries, status = timed(client, url, query, args.rounds)
        except Exception as exc:  # noqa: BLE001 - a page that fails is reported, not fatal
            print(f"| {label} | failed: {type(exc).__name__}: {str(exc)[:80]} | |", flush=True)
            continue
        note = "" if status == 200 else f" (HTTP {status})"
        print(f"| {label} | {ms:,.0f} ms{note} | {queries} |", flush=True)

    print("\nDashboard figures without the page (the form allows at most 366 days):\n")
    print("| figures | ORM | raw SQL of the same statements | ratio |\n|---|---|---|---|")
    explained: list[tuple[str, list[str]]] = []
    for who, user in (("reviewer", reviewer), ("superuser", root)):
        for days in (30, 730):
            scope = dashboards.scope_for(user, start=today - timedelta(days=days - 1), end=today)
            ms, queries = figures_ms(user, scope, args.rounds)
            selects = plans.reads(queries)
            raw = raw_ms(selects, args.rounds)
            print(f"| {who}, {days} days | {ms:,.1f} ms | {raw:,.1f} ms | {ms / max(raw, 0.01):.1f}x |",
                  flush=True)
            if days == 730:
                explained.append((f"{who}, 730 days", selects))
    if not args.no_explain:
        for title, selects in explained:
            print(f"\n## EXPLAIN ANALYZE of the dashboard queries, {title}\n")
            for sql in selects:
                print(f"-- {sql[:400]}")
                print(plans.explain_text(sql))
                print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
