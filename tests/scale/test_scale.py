"""At 50,000 episodes the daily pages read through indexes and ask no more queries than at 2,000.

CI runs it on PostgreSQL, where every SELECT of a page that reads the episode or audit
table is EXPLAINed (after ANALYZE) and must not scan either table sequentially. On
SQLite the plans are not checked (its planner is not the production one) and the
network is smaller; the query counts are checked on both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent, Clinic, Patient
from review.scale import Size, seed
from tests.scale import plans

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
POSTGRES = connection.vendor == "postgresql"
SMALL = Size(clinics=2, patients=150, episodes=1_600, evaluations=50)
LARGE = (Size(clinics=4, patients=5_000, episodes=50_000, evaluations=1_000) if POSTGRES
         else Size(clinics=2, patients=300, episodes=2_500, evaluations=100))
AUDIT_ROWS = 22_000 if POSTGRES else 1_000


def pages(reviewer) -> dict[str, tuple[object, str, dict]]:
    """name -> (who, url, query) for the pages a clinic opens every day."""
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.get(username="scale-superuser")
    month = {"start": (NOW - timedelta(days=29)).date().isoformat(), "end": NOW.date().isoformat()}
    year = {"start": (NOW - timedelta(days=365)).date().isoformat(), "end": NOW.date().isoformat()}
    return {
        "dashboard, reviewer, 30 days": (reviewer, reverse("review:dashboard"), month),
        "dashboard, superuser, 30 days": (root, reverse("review:dashboard"), month),
        "dashboard, superuser, a year": (root, reverse("review:dashboard"), year),
        "dashboard CSV of one table": (root, reverse("review:csv", args=["rules"]), year),
        "admin index, superuser": (root, reverse("admin:index"), {}),
        "rows behind a day, reviewer": (reviewer, reverse("review:rows", args=["episodes"]), month),
        "review queue, reviewer": (reviewer, reverse("review:queue"), {}),
        "admin episodes, superuser": (root, reverse("admin:episodes_episode_changelist"), {}),
        "admin episodes page 15": (root, reverse("admin:episodes_episode_changelist"), {"p": 15}),
        "admin audit, superuser": (root, reverse("admin:clinic_auditevent_changelist"), {}),
    }


def counts(client, reviewer) -> dict[str, int]:
    out = {}
    for name, (user, url, query) in pages(reviewer).items():
        client.force_login(user)
        client.get(url, query)  # warm: sessions, content types
        _, queries = plans.get(client, url, query)
        out[name] = len(queries)
    return out


def add_audit(rows: int) -> None:
    patients = list(Patient.objects.values_list("pk", flat=True)[:500])
    AuditEvent.objects.bulk_create([
        AuditEvent(at=NOW - timedelta(minutes=n * 3), action=AuditAction.READ, object_type="patient",
                   patient_id=patients[n % len(patients)], actor_username="scale")
        for n in range(rows)
    ], batch_size=5000)


@pytest.mark.django_db
def test_daily_pages_use_indexes_and_constant_queries(client):
    with time_machine.travel(NOW, tick=False):
        seed(SMALL, now=NOW)
        first_clinic = Clinic.objects.filter(name__startswith="Scale clinic 1 ").order_by("pk").first()
        from django.contrib.auth import get_user_model

        reviewer = get_user_model().objects.get(username=f"scale-reviewer-{first_clinic.pk}")
        add_audit(AUDIT_ROWS // 10)
        small = counts(client, reviewer)

        seed(LARGE, now=NOW)
        add_audit(AUDIT_ROWS)
        large = counts(client, reviewer)
        # Equal, or fewer: above 20,000 rows the admin's count is the planner's estimate.
        grew = {name: (small[name], large[name]) for name in small if large[name] > small[name]}
        assert grew == {}, f"query counts grew with the rows: {grew}"
        assert large["dashboard, superuser, a year"] == small["dashboard, superuser, a year"]

        if not POSTGRES:
            pytest.skip("query plans are checked on PostgreSQL only (CI); counts held on SQLite")
        plans.analyze()
        scanned = {}
        for name, (user, url, query) in pages(reviewer).items():
            client.force_login(user)
            _, queries = plans.get(client, url, query)
            for sql in plans.reads(queries):
                if plans.touches(sql) and plans.seq_scans(sql):
                    scanned.setdefault(name, []).append(sql[:300])
        assert scanned == {}, f"sequential scans of a big table: {scanned}"
