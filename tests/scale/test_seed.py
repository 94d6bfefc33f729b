"""``seed_scale`` writes what the app itself would have: counts, history, cases and the schema.

On PostgreSQL the seed builds episodes from a plan inside the database and counts the
days itself (triggers are skipped); these tests hold it to the app's own definitions.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Q

from clinic.models import Clinic, Patient, ReviewCase
from episodes import rollups
from episodes.models import Episode, EpisodeDayCount
from review.scale import Size, seed

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
SIZE = Size(clinics=3, patients=400, episodes=6_000, evaluations=60)


def day_counts() -> set[tuple]:
    return set(EpisodeDayCount.objects.values_list("clinic_id", "day", "kind", "key", "n"))


def schema() -> set[tuple]:
    """Indexes, constraints, triggers: name, table, kind, columns (a rebuilt index's text may differ)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
        else:
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, i.indrelid::regclass::text, i.indisunique, "
                "i.indkey::text, a.amname, i.indpred IS NOT NULL FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
                "UNION ALL SELECT conname, conrelid::regclass::text, contype = 'u', "
                "pg_get_constraintdef(oid), '', false FROM pg_constraint "
                "UNION ALL SELECT tgname, tgrelid::regclass::text, tgenabled = 'O', pg_get_triggerdef(oid), "
                "'', false "
                "FROM pg_trigger WHERE NOT tgisinternal"  # and every trigger on again
            )
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_seed_matches_the_apps_own_counts_history_and_cases():
    before = schema()
    with time_machine.travel(NOW, tick=False):
        result = seed(SIZE, now=NOW)
        seed(Size(clinics=1, patients=20, episodes=300, evaluations=5, seed=3), now=NOW)  # again
    assert schema() == before  # indexes and constraints dropped for the load are all back

    episodes = Episode.objects.filter(patient__clinic__name__startswith="Scale clinic")
    assert result.counts["episodes"] == SIZE.episodes
    assert sum(result.levels.values()) == SIZE.episodes
    first = Clinic.objects.filter(name__startswith="Scale clinic").order_by("pk")[:SIZE.clinics]
    mine = Episode.objects.filter(patient__clinic__in=list(first))
    stored = dict(mine.values_list("level").annotate(n=Count("id")))
    assert stored == {level: n for level, n in result.levels.items() if n}
    # Every case the result counts was written, and every episode above routine has one.
    assert ReviewCase.objects.filter(clinic__in=list(first)).count() == result.counts["review cases"]
    assert not mine.exclude(level="routine").filter(review_case__isnull=True).exists()
    assert not mine.filter(level="routine", review_case__isnull=False).exists()
    assert not episodes.filter(created_at__lt=F("started_at")).exists()
    assert not episodes.filter(Q(created_at__gt=NOW) | Q(started_at__gt=NOW)).exists()

    # One history row per episode, a copy of it as created.
    history = Episode.history.model.objects.filter(id__in=episodes.values("id"))
    assert history.count() == episodes.count()
    pairs = {h.id: h for h in history}
    for episode in episodes.order_by("?")[:200]:
        row = pairs[episode.id]
        assert (row.uuid, row.triage, row.level, row.started_at, row.review_case_id, row.history_type,
                row.history_date, row.history_user_id) == (
            episode.uuid, episode.triage, episode.level, episode.started_at, episode.review_case_id,
            "+", row.created_at, episode.reporter_id)
        if connection.vendor == "postgresql":  # bulk_create stamps auto_now_add with the clock
            assert row.created_at == episode.created_at
        assert episode.content_hash == episode.uuid.hex
        assert episode.uuid.version == 4 and episode.uuid.variant == uuid.RFC_4122
        assert episode.triage["level"] == episode.level

    # The daily counts are the ones the triggers' own recount gives.
    seeded = day_counts()
    assert seeded
    rollups.rebuild()
    assert day_counts() == seeded


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["planning", "writing", "evaluations"])
def test_a_failed_seed_leaves_nothing_behind(monkeypatch, where):
    from review import scale

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scale, "PLAN_CHUNK", 500)  # many chunks: the planner is still running
    if where == "planning":  # on PostgreSQL in the planning thread, which hands it over
        monkeypatch.setattr(scale, "_case_row", broken)
    elif where == "writing":
        if connection.vendor != "postgresql":
            pytest.skip("the chunked writes are PostgreSQL's")
        monkeypatch.setattr(rollups, "pg_add", lambda counts: "SELECT no_such_column FROM scale_plan")
    else:  # after the episodes and the index rebuild
        monkeypatch.setattr(scale, "_evaluations", broken)
    before = schema()
    with time_machine.travel(NOW, tick=False), pytest.raises(Exception, match="disk full|no_such_column"):
        seed(SIZE, now=NOW)
    assert not Patient.objects.exists()
    assert not Episode.objects.exists()
    assert not EpisodeDayCount.objects.exists()
    assert schema() == before
    assert [t.name for t in threading.enumerate() if t.name == "seed-plan"] == []


@pytest.mark.django_db
def test_command_prints_the_counts_and_each_phase(settings):
    settings.DEBUG = True
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_scale", "--clinics", "2", "--patients", "50", "--episodes", "500",
                     "--evaluations", "10", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "episodes" in text and "500" in text
    for phase in ("patients", "indexes" if connection.vendor == "postgresql" else "review cases"):
        assert f"  {phase} " in text
