"""Reads of episodes: each owns its joins so query counts stay flat as data grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from clinic.access import Action, restrict
from clinic.levels import Level
from clinic.rows import Columns
from episodes.models import Episode, EpisodeAttachment, EpisodeStatus
from episodes.triage import THRESHOLDS, EarlierEpisode, RecentHistory

if TYPE_CHECKING:
    from clinic.access import AnyUser
    from clinic.models import Patient

# Enough days back for every history rule (the rising-frequency rule looks 3 + 7 days back).
HISTORY_DAYS = int(THRESHOLDS["RISING_RECENT_DAYS"].value) + int(THRESHOLDS["RISING_BASELINE_DAYS"].value) + 1
# Earlier episodes listed one by one: the longest time-window rule (EP-AFTER-SEIZURE, 7 days).
EPISODE_WINDOW = timedelta(days=int(THRESHOLDS["AFTER_SEIZURE_DAYS"].value))
_RHYTHMIC_OR_CLUSTER = ("rhythmic", "cluster")
CHART_DAYS = 30
# The history query in SQL of our own: the report path runs it on every report, and the
# ORM took 1.1 ms of CPU to build it (its OR with a subquery), raw() 0.33 ms, and this
# text read by a cursor 0.16 ms (measured in-process on PostgreSQL). The
# episodes of the counting window, plus at most one convulsive episode from before it
# (enough to say "on record"). clinic/rows.py applies the model's converters, so dates
# read back as on SQLite as on PostgreSQL.
_EPISODE = Episode._meta.db_table
_HISTORY_COLUMNS = Columns(Episode, "e", ["started_at", "convulsive", "pattern"])
_HISTORY_SQL = (
    f"SELECT {_HISTORY_COLUMNS.sql()} FROM {_EPISODE} e "  # noqa: S608 - our table
    "WHERE e.patient_id = %s AND e.status = %s AND e.started_at < %s AND (e.started_at >= %s OR e.id = ("
    f"SELECT id FROM {_EPISODE} WHERE patient_id = %s AND status = %s AND convulsive "
    "AND started_at < %s LIMIT 1)) ORDER BY e.started_at, e.id"
)


def episodes_visible_to(user: AnyUser | None, action: Action = Action.VIEW) -> QuerySet[Episode]:
    """Episodes of every patient ``user`` may act on, with what lists and pages show."""
    return restrict(
        Episode.objects.select_related(
            "patient", "patient__clinic", "reporter",
            # the clinic's response each row shows (episodes/responses.py)
            "review_case", "review_case__acknowledged_by", "review_case__resolved_by",
        )
        .prefetch_related(
            Prefetch("attachments", queryset=EpisodeAttachment.objects.order_by("uploaded_at", "id"))
        ),
        user,
        action,
    )


def episode_recent_history(*, patient: Patient, before: datetime) -> RecentHistory:
    """What the triage needs of the patient's story before ``before``, in one query.

    Counts per day (rising frequency), each episode of the last 7 days with its time and
    whether it was convulsive, and whether any earlier convulsive episode is on record.
    One query fetches the episodes of the counting window plus, from before it, at most
    one convulsive episode (enough to say "on record"); days are counted here. The seizure
    plan comes from the patient row already loaded. The query count does not grow with
    the record; the rows fetched are bounded by the counting window.
    """
    tz = timezone.get_current_timezone()
    report_day = timezone.localtime(before, tz).date()
    window_start = datetime.combine(report_day - timedelta(days=HISTORY_DAYS), datetime.min.time(), tz)
    connection = connections[router.db_for_read(Episode) or DEFAULT_DB_ALIAS]
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY_SQL, [
            patient.pk, EpisodeStatus.ACTIVE, adapt(before), adapt(window_start),
            patient.pk, EpisodeStatus.ACTIVE, adapt(window_start),
        ])
        rows = cursor.fetchall()
    per_day: dict[int, int] = {}
    episodes: list[EarlierEpisode] = []
    convulsive_on_record = False
    episode_from = before - EPISODE_WINDOW
    for row in rows:
        started_at, convulsive, pattern = _HISTORY_COLUMNS.values(row, 0, connection)
        convulsive_on_record = convulsive_on_record or convulsive
        if started_at < window_start:
            continue  # the one older convulsive episode: it counts only as "on record"
        days_ago = (report_day - timezone.localtime(started_at, tz).date()).days
        per_day[days_ago] = per_day.get(days_ago, 0) + 1
        if started_at >= episode_from:
            episodes.append(EarlierEpisode(started_at=started_at, convulsive=convulsive,
                                           rhythmic_or_cluster=pattern in _RHYTHMIC_OR_CLUSTER))
    return RecentHistory(
        per_day,
        episodes=tuple(episodes),
        convulsive_on_record=convulsive_on_record,
        seizure_plan=patient.triage_seizure_plan,
    )


@dataclass(frozen=True)
class DayCount:
    day: date
    total: int
    worst: Level | None


def episode_daily_counts(
    *, patient: Patient, days: int = CHART_DAYS, today: date | None = None
) -> list[DayCount]:
    """Active episodes per day over the last ``days`` days (oldest first), with the worst level."""
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Episode.objects.filter(
            patient=patient, status=EpisodeStatus.ACTIVE,
            started_at__gte=datetime.combine(first, datetime.min.time(), tz),
        )
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day", "level")
        .annotate(n=Count("id"))
        .values_list("day", "level", "n")
    )
    totals: dict[date, int] = {}
    worst: dict[date, Level] = {}
    for day, level, n in rows:
        totals[day] = totals.get(day, 0) + n
        if day not in worst or Level(level) > worst[day]:
            worst[day] = Level(level)
    return [
        DayCount(day=d, total=totals.get(d, 0), worst=worst.get(d))
        for d in (first + timedelta(days=i) for i in range(days))
    ]
