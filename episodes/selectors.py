"""Reads of episodes: each owns its joins so query counts stay flat as data grows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from clinic.access import Action, restrict
from clinic.levels import Level
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
    """What the triage needs of the patient's story before ``before``, in three queries.

    Counts per day (rising frequency), each episode of the last 7 days with its time and
    whether it was convulsive, and whether any earlier convulsive episode is on record.
    The seizure plan comes from the patient row already loaded. The query count does
    not grow with the record; the listed rows are bounded by the 7-day window.
    """
    tz = timezone.get_current_timezone()
    report_day = timezone.localtime(before, tz).date()
    window_start = datetime.combine(report_day - timedelta(days=HISTORY_DAYS), datetime.min.time(), tz)
    earlier = Episode.objects.filter(patient=patient, status=EpisodeStatus.ACTIVE, started_at__lt=before)
    rows = (
        earlier.filter(started_at__gte=window_start)
        .annotate(day=TruncDate("started_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    episodes = tuple(
        EarlierEpisode(started_at=started_at, convulsive=convulsive,
                       rhythmic_or_cluster=pattern in _RHYTHMIC_OR_CLUSTER)
        for started_at, convulsive, pattern in earlier.filter(
            started_at__gte=before - EPISODE_WINDOW
        ).order_by("started_at").values_list("started_at", "convulsive", "pattern")
    )
    return RecentHistory(
        {(report_day - day).days: n for day, n in rows},
        episodes=episodes,
        convulsive_on_record=earlier.filter(convulsive=True).exists(),
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
