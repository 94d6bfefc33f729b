"""Reads of the evaluations app that need joins, and the bridge to the episodes app.

Selectors own their ``select_related`` / ``prefetch_related``: the chart timeline
runs a fixed number of queries whatever the number of items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.levels import Level
from clinic.models import Patient, ReviewCase
from episodes.models import Episode, EpisodeStatus
from evaluations.models import (
    Evaluation,
    EvaluationStatus,
    Finding,
    FollowUpOrder,
    Suggestion,
    SuggestionStatus,
)
from evaluations.suggestions import EpisodeSummary, ExistingSuggestion


def _rules_of(triage: Any) -> frozenset[str]:
    reasons = triage.get("reasons", []) if isinstance(triage, dict) else []
    return frozenset(r.get("rule", "") for r in reasons if isinstance(r, dict) and r.get("rule"))


def episode_summary(episode: Episode) -> EpisodeSummary:
    """One stored episode as the pure suggestions module sees it."""
    try:
        level = Level(episode.level)
    except ValueError:
        level = Level.ROUTINE
    return EpisodeSummary(
        id=str(episode.uuid),
        started_at=episode.started_at,
        level=level,
        rules=_rules_of(episode.triage),
        signs=frozenset(episode.signs or ()),
        pattern=episode.pattern or "",
        duration_seconds=episode.duration_seconds,
        body_parts=frozenset(episode.body_parts or ()),
    )


def _active_episodes() -> QuerySet[Episode]:
    return Episode.objects.exclude(status=EpisodeStatus.ENTERED_IN_ERROR)


def recent_episodes(
    *, patient: Patient, until: datetime, evaluation: Evaluation | None = None
) -> list[EpisodeSummary]:
    """Episodes not yet weighed by a signed evaluation, up to ``until``, newest first.

    CLINICAL.md 7a: no fixed look-back window hides a seizure. An episode counts
    however long ago it started until an evaluation signed after it was stored has
    weighed it. ``evaluation`` (being judged) and the one it amends do not count as
    having weighed anything, so an amendment sees what the original saw.
    """
    signed = Evaluation.objects.filter(patient=patient, status=EvaluationStatus.SIGNED)
    if evaluation is not None:
        signed = signed.exclude(pk=evaluation.pk)
        if evaluation.amends_id:
            signed = signed.exclude(pk=evaluation.amends_id)
    weighed_until = signed.aggregate(at=Max("signed_at"))["at"]
    rows = _active_episodes().filter(patient=patient, started_at__lte=until)
    if weighed_until is not None:
        rows = rows.filter(created_at__gt=weighed_until)
    return [episode_summary(row) for row in rows.order_by("-started_at")]


def existing_suggestions(*, patient: Patient, exclude_evaluation: Evaluation | None = None
                         ) -> list[ExistingSuggestion]:
    """Suggestions already on the patient's record, for the no-duplicate rule."""
    rows = Suggestion.objects.filter(patient=patient)
    if exclude_evaluation is not None and exclude_evaluation.pk:
        rows = rows.exclude(evaluation=exclude_evaluation)
    return [
        ExistingSuggestion(
            code=row.code, status=row.status, reason_rules=row.reason_rules,
            episode_ids=frozenset(row.episode_ids),
        )
        for row in rows
    ]


def evaluation_with_details(queryset: QuerySet[Evaluation]) -> QuerySet[Evaluation]:
    """What a detail page or API answer reads: findings, suggestions and people in one go."""
    return queryset.select_related("patient__clinic", "clinician", "signed_by", "amends").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("position")),
        Prefetch("suggestions", queryset=Suggestion.objects.select_related("decided_by", "order")),
        "amendments",
    )


# --------------------------------------------------------------------------
# The chart timeline
# --------------------------------------------------------------------------

KINDS = ("episode", "evaluation", "order", "case")
# Rows per timeline page: a chart with years of entries still renders in bounded time.
TIMELINE_PAGE = 100


@dataclass(frozen=True)
class TimelineItem:
    """One row of the chart: what happened, when, and where to read more."""

    kind: str
    at: datetime
    title: str
    level: str = ""
    status: str = ""
    url: str = ""
    detail: str = ""
    videos: tuple[tuple[str, str], ...] = ()  # (label, url)
    obj: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class TimelineFilter:
    kinds: frozenset[str] = frozenset(KINDS)
    since: date | None = None
    until: date | None = None
    before: datetime | None = None  # the page after one that ended at this moment
    limit: int = TIMELINE_PAGE


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    older_than: datetime | None  # set when older entries exist: the next page starts there


def _in_range(queryset: QuerySet, field_name: str, filt: TimelineFilter) -> QuerySet:
    if filt.since:
        queryset = queryset.filter(**{f"{field_name}__date__gte": filt.since})
    if filt.until:
        queryset = queryset.filter(**{f"{field_name}__date__lte": filt.until})
    if filt.before:
        queryset = queryset.filter(**{f"{field_name}__lt": filt.before})
    # One more than a page per kind tells whether anything older is left.
    return queryset.order_by(f"-{field_name}", "-pk")[: filt.limit + 1]


def _episode_items(patient: Patient, filt: TimelineFilter) -> list[TimelineItem]:
    queryset = _active_episodes().filter(patient=patient).prefetch_related("attachments")
    items = []
    for episode in _in_range(queryset, "started_at", filt):
        triage = episode.triage if isinstance(episode.triage, dict) else {}
        items.append(TimelineItem(
            kind="episode", at=episode.started_at,
            title=_("Episode: %(pattern)s, %(duration)s") % {
                "pattern": str(episode.get_pattern_display()).lower(), "duration": episode.duration_display},
            level=episode.level, status=episode.status, url=episode.get_absolute_url(),
            detail=triage.get("headline", ""),
            videos=tuple((a.get_kind_display(), a.get_absolute_url())
                         for a in episode.attachments.all()),
            obj=episode,
        ))
    return items


def _evaluation_items(patient: Patient, filt: TimelineFilter) -> list[TimelineItem]:
    queryset = Evaluation.objects.filter(patient=patient).select_related("clinician").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("position"))
    )
    items = []
    for ev in _in_range(queryset, "performed_at", filt):
        findings = list(ev.findings.all())
        levels = [f.level for f in findings if f.kind != "note"]
        top = max((Level(lv) for lv in levels), default=Level.ROUTINE, key=lambda lv: lv.rank)
        title = _("Evaluation (amendment)") if ev.amends_id else _("Evaluation")
        items.append(TimelineItem(
            kind="evaluation", at=ev.performed_at, title=title, level=str(top),
            status=ev.status, url=reverse("evaluation-detail", kwargs={"evaluation_id": ev.uuid}),
            detail=ngettext("by %(clinician)s; %(count)d finding", "by %(clinician)s; %(count)d findings",
                            len(levels)) % {
                "clinician": ev.clinician.get_full_name() or ev.clinician.get_username(),
                "count": len(levels)},
            obj=ev,
        ))
    return items


def _order_items(patient: Patient, filt: TimelineFilter) -> list[TimelineItem]:
    queryset = FollowUpOrder.objects.filter(patient=patient).select_related("ordered_by")
    return [
        TimelineItem(kind="order", at=order.ordered_at, title=_("Ordered: %(test)s") % {"test": order.test},
                     level=order.priority, status=order.status, detail=order.result_notes,
                     obj=order)
        for order in _in_range(queryset, "ordered_at", filt)
    ]


def _case_items(patient: Patient, filt: TimelineFilter) -> list[TimelineItem]:
    queryset = ReviewCase.objects.filter(patient=patient)
    return [
        TimelineItem(kind="case", at=case.opened_at, title=_("Review case"), level=case.level,
                     status=case.status, url=case.get_absolute_url(),
                     detail="; ".join(r.get("rule", "") for r in case.reasons if isinstance(r, dict)),
                     obj=case)
        for case in _in_range(queryset, "opened_at", filt)
    ]


_BUILDERS = {
    "episode": _episode_items, "evaluation": _evaluation_items, "order": _order_items,
    "case": _case_items,
}


def chart_timeline(*, patient: Patient, filt: TimelineFilter | None = None) -> Timeline:
    """A page of the patient's chart, newest first: one query (or two) per kind.

    Pages are cut by time (keyset), so each page costs the same however long the
    chart is. Entries sharing the exact cut-off moment with the page's last row
    could fall between pages; clinical timestamps make that vanishingly rare.
    """
    filt = filt or TimelineFilter()
    items: list[TimelineItem] = []
    for kind in KINDS:
        if kind in filt.kinds:
            items.extend(_BUILDERS[kind](patient, filt))
    items.sort(key=lambda item: item.at, reverse=True)
    page = items[: filt.limit]
    return Timeline(page, page[-1].at if len(items) > filt.limit else None)


def open_suggestions(*, patient: Patient) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(
        patient=patient, status=SuggestionStatus.SUGGESTED,
        evaluation__status=EvaluationStatus.SIGNED,
    ).select_related("evaluation")


def orders_for_patients(patients: Iterable[Patient]) -> QuerySet[FollowUpOrder]:
    """Orders of several children, for the parent portal (caller narrowed ``patients``)."""
    return FollowUpOrder.objects.filter(patient__in=list(patients)).exclude(
        status="cancelled"
    ).select_related("patient").order_by("patient_id", "-ordered_at")
