"""The daily counts the dashboards read equal counts taken here from the episode rows.

Every kind of write is tried: the report service, bulk inserts, added details that raise
the level, marking in error, moving a start time, deleting, a clinic's zone change, and
(on SQLite) a migration that drops the triggers by remaking the table.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from episodes import rollups
from episodes.models import Episode, EpisodeDayCount, EpisodeStatus
from episodes.services import episode_add_details, episode_create, episode_mark_in_error
from review import dashboards
from tests.review.review_factories import episode

NOW = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # before midnight in the Americas


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def expected_counts() -> dict[tuple[int, date, str, str], int]:
    """(clinic, its local day, kind, key) -> count, from the active episode rows."""
    counts: Counter = Counter()
    for row in Episode.objects.filter(status=EpisodeStatus.ACTIVE).select_related("patient__clinic"):
        zone = zoneinfo.ZoneInfo(row.patient.clinic.time_zone or settings.TIME_ZONE)
        day = row.started_at.astimezone(zone).date()
        clinic = row.patient.clinic_id
        counts[(clinic, day, "level", row.level)] += 1
        for reason in row.triage.get("reasons", []):
            counts[(clinic, day, "rule", reason["rule"])] += 1
    return dict(counts)


def stored_counts() -> dict[tuple[int, date, str, str], int]:
    return {
        (r.clinic_id, r.day, r.kind, r.key): r.n for r in EpisodeDayCount.objects.exclude(n=0)
    }


def report(world, **overrides):
    fields = {
        "patient": world.patient, "reporter": world.parent, "started_at": NOW - timedelta(hours=2),
        "duration_seconds": 5, "body_parts": ["left_foot"], "state": "asleep",
        "pattern": "isolated", "stops_when_held_or_woken": "yes",
    } | overrides
    return episode_create(**fields)[0]


def test_counts_follow_every_kind_of_write(world):
    routine = report(world)
    worrying = report(world, started_at=NOW - timedelta(minutes=30), duration_seconds=120,
                      body_parts=["left_arm", "left_leg"], state="awake", pattern="rhythmic",
                      stops_when_held_or_woken="no", signs=["unresponsive"])
    assert worrying.level in ("urgent", "emergency") and routine.level == "routine"
    assert stored_counts() == expected_counts()
    assert stored_counts()[(world.clinic.pk, NOW.date(), "level", worrying.level)] == 1

    # Bulk inserts (the seed, fixtures) count too, with every rule of every reason.
    Episode.objects.bulk_create([
        episode(world.other_patient, world.other_parent, level="soon", rules=("EP-A", "EP-B"),
                started_at=NOW - timedelta(days=n), save=False)
        for n in range(5)
    ] + [episode(world.foreign_patient, world.other_clinician, level="urgent", rules=("EP-A",),
                 started_at=NOW - timedelta(days=1), save=False)])
    assert stored_counts() == expected_counts()

    # Details that raise the level move the episode between levels (and add rules).
    episode_add_details(episode=routine, by=world.parent, notes="He turned blue and stopped breathing.")
    routine.refresh_from_db()
    assert routine.level != "routine"
    assert stored_counts() == expected_counts()

    # Marked in error: out of every figure.
    episode_mark_in_error(episode=worrying, by=world.clinician, reason="wrong child")
    assert stored_counts() == expected_counts()
    assert Episode.objects.get(pk=worrying.pk).status == EpisodeStatus.ENTERED_IN_ERROR

    # A start time moved to another day, a patient's record deleted outright.
    moved = Episode.objects.filter(patient=world.other_patient).first()
    Episode.objects.filter(pk=moved.pk).update(started_at=NOW - timedelta(days=40))
    Episode.objects.filter(patient=world.foreign_patient).delete()
    assert stored_counts() == expected_counts()

    # An update that touches nothing counted changes nothing.
    before = stored_counts()
    Episode.objects.filter(patient=world.other_patient).update(notes="seen")
    assert stored_counts() == before


def test_a_clinic_zone_change_recounts_its_days(world):
    report(world)  # 01:30 UTC on the 24th: the 23rd in New York
    assert stored_counts() == expected_counts()
    world.clinic.time_zone = "America/New_York"
    world.clinic.save(update_fields=["time_zone"])
    counts = stored_counts()
    assert counts == expected_counts()
    assert (world.clinic.pk, date(2026, 11, 23), "level", "routine") in counts


def test_rebuild_and_the_dashboard_agree_with_the_rows(world):
    for n in range(3):
        episode(world.patient, world.parent, level="urgent", rules=("EP-A", "EP-A"),
                started_at=NOW - timedelta(days=n))
    episode(world.patient, world.parent, level="urgent", rules=("EP-A",),
            started_at=NOW - timedelta(days=1), status="entered_in_error")
    EpisodeDayCount.objects.all().delete()
    rollups.rebuild()
    assert stored_counts() == expected_counts()
    scope = dashboards.scope_for(world.reviewer, start=NOW.date() - timedelta(days=2), end=NOW.date())
    board = dashboards.dashboard(world.reviewer, scope)
    assert board.episodes.by_level["urgent"] == 3
    assert [(r.rule, r.count) for r in board.rules] == [("EP-A", 6)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite drops triggers on a table remake")
def test_missing_triggers_come_back_after_migrate(world):
    rollups.uninstall(connection)
    episode(world.patient, world.parent, level="soon", rules=("EP-A",))
    assert not rollups.installed(connection) and stored_counts() != expected_counts()
    assert rollups.ensure(connection) is True
    assert rollups.installed(connection) and stored_counts() == expected_counts()
    assert rollups.ensure(connection) is False



def test_the_rebuild_command_recounts(world):
    from django.core.management import call_command

    episode(world.patient, world.parent, level="soon", rules=("EP-A",))
    EpisodeDayCount.objects.all().delete()
    call_command("rebuild_day_counts", stdout=__import__("io").StringIO())
    assert stored_counts() == expected_counts() != {}
    assert rollups.installed(connection)
