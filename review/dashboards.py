"""Dashboard figures, aggregated in the database with a fixed number of queries.

Every figure is computed for a ``Scope`` (the clinics the viewer may review, maybe
narrowed to one, and an inclusive date range). Nothing here loops over rows in
Python except the handful of grouped results, so the query count does not grow
with the data (tests/bench/bench_dashboard.py checks it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db import connection, models
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from clinic.access import Action, clinics_for, restrict
from clinic.models import CaseLevel, CaseStatus, ReviewCase
from clinic.review import overdue_q
from episodes.models import DayCountKind, Episode, EpisodeDayCount, EpisodeStatus
from evaluations.models import EvaluationStatus, Finding, Suggestion, SuggestionStatus
from review import charts
from review.forms import day_bounds

if TYPE_CHECKING:
    from clinic.access import AnyUser

LEVELS = [CaseLevel.EMERGENCY, CaseLevel.URGENT, CaseLevel.SOON]
EPISODE_LEVELS = ["emergency", "urgent", "soon", "routine"]
URGENT_LEVELS = [CaseLevel.URGENT, CaseLevel.EMERGENCY]
SUGGESTION_STATUSES = [SuggestionStatus.SUGGESTED, SuggestionStatus.ACCEPTED, SuggestionStatus.DISMISSED]
TOP_RULES = 10


@dataclass(frozen=True)
class Scope:
    """Which clinics and which days a dashboard covers."""

    clinic_ids: tuple[int, ...]
    start: date
    end: date
    clinic_uuid: str = ""
    every_clinic: bool = False  # a superuser over all clinics: rows need no clinic filter

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return day_bounds(self.start, self.end)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def scope_for(user: AnyUser | None, *, clinic: str = "", start: date, end: date) -> Scope:
    """The viewer's reviewable clinics (one of them when ``clinic`` names it)."""
    clinics = clinics_for(user, Action.REVIEW)
    if clinic:
        clinics = clinics.filter(uuid=clinic)
    every = bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False) and not clinic)
    return Scope(tuple(clinics.values_list("id", flat=True)), start, end, str(clinic or ""), every)


# -- the rows behind each figure (also used by the "rows" pages and CSV) -------------


def episodes_in(scope: Scope, user: AnyUser | None) -> models.QuerySet[Episode]:
    since, until = scope.bounds
    queryset = Episode.objects.filter(
        status=EpisodeStatus.ACTIVE, started_at__gte=since, started_at__lt=until,
    )
    if not scope.every_clinic:
        queryset = queryset.filter(patient__clinic_id__in=scope.clinic_ids)
    return restrict(queryset, user, Action.REVIEW)


def findings_in(scope: Scope, user: AnyUser | None) -> models.QuerySet[Finding]:
    """Findings of signed evaluations in range; a signed original that was amended by a
    signed amendment is left out so one examination counts once."""
    since, until = scope.bounds
    queryset = Finding.objects.filter(
        evaluation__status=EvaluationStatus.SIGNED,
        evaluation__performed_at__gte=since, evaluation__performed_at__lt=until,
    ).exclude(evaluation__amendments__status=EvaluationStatus.SIGNED)
    if not scope.every_clinic:
        queryset = queryset.filter(evaluation__patient__clinic_id__in=scope.clinic_ids)
    return restrict(queryset, user, Action.REVIEW, patient_field="evaluation__patient")


def suggestions_in(
    scope: Scope, user: AnyUser | None, *, in_range: bool = True
) -> models.QuerySet[Suggestion]:
    queryset = Suggestion.objects.all()
    if not scope.every_clinic:
        queryset = queryset.filter(patient__clinic_id__in=scope.clinic_ids)
    if in_range:
        since, until = scope.bounds
        queryset = queryset.filter(created_at__gte=since, created_at__lt=until)
    return restrict(queryset, user, Action.REVIEW)


def cases_in(scope: Scope, user: AnyUser | None) -> models.QuerySet[ReviewCase]:
    return restrict(ReviewCase.objects.filter(clinic_id__in=scope.clinic_ids), user, Action.REVIEW)


def episodes_with_rule(queryset: models.QuerySet[Episode], rule: str) -> models.QuerySet[Episode]:
    """Episodes whose stored triage lists ``rule`` among its reasons.

    PostgreSQL answers with the GIN index on ``triage->'reasons'`` (containment); SQLite
    has no JSON containment, so it looks inside each candidate row's reasons.
    """
    if connection.vendor == "postgresql":
        return queryset.filter(triage__reasons__contains=[{"rule": rule}])
    sql = (
        f"EXISTS (SELECT 1 FROM json_each({Episode._meta.db_table}.triage, '$.reasons') AS r "  # noqa: S608
        "WHERE json_extract(r.value, '$.rule') = %s)"
    )
    # Only the rule is a parameter; the rest is fixed text.
    return queryset.filter(models.expressions.RawSQL(sql, [rule], output_field=models.BooleanField()))  # noqa: S611


ROW_KINDS = ("episodes", "findings", "suggestions")
URGENT_OR_WORSE = "urgent_or_worse"


def rows(kind: str, scope: Scope, user: AnyUser | None, **narrow: Any) -> models.QuerySet:
    """The rows behind a figure, newest first, joined for their list page."""
    if kind == "episodes":
        queryset = episodes_in(scope, user).select_related("patient", "review_case")
        if narrow.get("day"):
            since, until = day_bounds(narrow["day"], narrow["day"])
            queryset = queryset.filter(started_at__gte=since, started_at__lt=until)
        if narrow.get("level") == URGENT_OR_WORSE:
            queryset = queryset.filter(level__in=URGENT_LEVELS)
        elif narrow.get("level"):
            queryset = queryset.filter(level=narrow["level"])
        if narrow.get("rule"):
            queryset = episodes_with_rule(queryset, narrow["rule"])
        return queryset.order_by("-started_at", "-id")
    if kind == "findings":
        queryset = findings_in(scope, user).select_related("evaluation__patient")
        if narrow.get("rule"):
            queryset = queryset.filter(rule=narrow["rule"])
        return queryset.order_by("-evaluation__performed_at", "-id")
    if kind == "suggestions":
        pending = bool(narrow.get("pending"))
        # Pending suggestions are listed whatever their age, like the figure that links here.
        queryset = suggestions_in(scope, user, in_range=not pending).select_related("patient", "decided_by")
        if pending:
            queryset = queryset.filter(status=SuggestionStatus.SUGGESTED)
        if narrow.get("code"):
            queryset = queryset.filter(code=narrow["code"])
        if narrow.get("status"):
            queryset = queryset.filter(status=narrow["status"])
        return queryset.order_by("created_at" if pending else "-created_at", "id")
    raise KeyError(kind)


def patient_of(row: Episode | Finding | Suggestion) -> Any:
    return row.evaluation.patient if isinstance(row, Finding) else row.patient


# -- figures ---------------------------------------------------------------------------


@dataclass
class OpenCases:
    by_level: dict[str, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


def open_cases(scope: Scope, user: AnyUser | None) -> OpenCases:
    """Cases not yet resolved, now (the date range does not apply to a snapshot)."""
    counts = cases_in(scope, user).exclude(status=CaseStatus.RESOLVED).aggregate(
        overdue=Count("id", filter=overdue_q()),
        **{level.value: Count("id", filter=Q(level=level)) for level in LEVELS},
    )
    return OpenCases({level.value: counts[level.value] for level in LEVELS}, counts["overdue"])


@dataclass
class EpisodeDays:
    days: list[str]
    counts: dict[tuple[str, str], int]
    by_level: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_level.values())

    def rows(self) -> list[tuple[str, list[int], int]]:
        return [
            (day, [self.counts.get((day, lv), 0) for lv in EPISODE_LEVELS],
             sum(self.counts.get((day, lv), 0) for lv in EPISODE_LEVELS))
            for day in self.days
        ]


def day_counts(scope: Scope, kind: str) -> models.QuerySet[EpisodeDayCount]:
    """The clinics' daily counts (kept by triggers, episodes/rollups.py) in the range.

    The clinics are the viewer's reviewable ones (``scope_for``); a reviewer sees whole
    clinics, so the per-clinic counts are exactly what ``episodes_in`` would count.
    """
    return EpisodeDayCount.objects.filter(
        clinic_id__in=scope.clinic_ids, kind=kind, day__gte=scope.start, day__lte=scope.end,
    )


def episodes_per_day(scope: Scope, user: AnyUser | None) -> EpisodeDays:
    """New episodes per day (each clinic's own calendar day) and level, from the daily counts."""
    grouped = (
        day_counts(scope, DayCountKind.LEVEL).values("day", "key")
        .annotate(total=Sum("n")).filter(total__gt=0).order_by()
    )
    counts: dict[tuple[str, str], int] = {}
    by_level = dict.fromkeys(EPISODE_LEVELS, 0)
    for row in grouped:
        day = row["day"].isoformat()
        counts[(day, row["key"])] = row["total"]
        by_level[row["key"]] = by_level.get(row["key"], 0) + row["total"]
    return EpisodeDays([d.isoformat() for d in scope.days], counts, by_level)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    kind: str  # "episode" (triage) or "evaluation" (finding)
    count: int


def top_rules(scope: Scope, user: AnyUser | None, limit: int = TOP_RULES) -> list[RuleCount]:
    """The rules that fired most: triage reasons of episodes and findings of evaluations."""
    fired = (
        day_counts(scope, DayCountKind.RULE).values("key").annotate(total=Sum("n"))
        .filter(total__gt=0).order_by("-total", "key")[:limit]
    )
    rows = [RuleCount(row["key"], "episode", row["total"]) for row in fired]
    findings = (
        findings_in(scope, user).values("rule").annotate(n=Count("id")).order_by("-n", "rule")[:limit]
    )
    rows += [RuleCount(row["rule"], "evaluation", row["n"]) for row in findings]
    rows.sort(key=lambda r: (-r.count, r.rule))
    return rows[:limit]


@dataclass(frozen=True)
class SuggestionRow:
    code: str
    label: str
    counts: dict[str, int]
    oldest_pending: datetime | None
    pending_now: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def suggestions_by_code(scope: Scope, user: AnyUser | None) -> list[SuggestionRow]:
    """Suggestions made in the range by code and status, with every still-pending one's age.

    The oldest pending suggestion is looked for regardless of the range: one left
    waiting since before it is exactly what a reviewer must see.
    """
    grouped = suggestions_in(scope, user).values("code", "status").annotate(n=Count("id")).order_by()
    pending = (
        suggestions_in(scope, user, in_range=False).filter(status=SuggestionStatus.SUGGESTED)
        .values("code").annotate(oldest=Min("created_at"), n=Count("id")).order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for row in grouped:
        counts.setdefault(row["code"], dict.fromkeys(SUGGESTION_STATUSES, 0))[row["status"]] = row["n"]
    waiting = {row["code"]: row for row in pending}
    labels = dict(Suggestion._meta.get_field("code").choices)
    codes = sorted(set(counts) | set(waiting), key=lambda c: (-sum(counts.get(c, {}).values()), c))
    return [
        SuggestionRow(
            code, str(labels.get(code, code)), counts.get(code, dict.fromkeys(SUGGESTION_STATUSES, 0)),
            waiting.get(code, {}).get("oldest"), waiting.get(code, {}).get("n", 0),
        )
        for code in codes
    ]


@dataclass(frozen=True)
class Median:
    label: str
    value: timedelta | None
    count: int


def _median(queryset: models.QuerySet, label: str) -> Median:
    """Median of the ``wait`` annotation with two queries (count, then the middle rows).

    Portable across SQLite and PostgreSQL; the middle rows are fetched by offset, so
    nothing but one or two values leaves the database.
    """
    count = queryset.count()
    if not count:
        return Median(label, None, 0)
    middle = list(queryset.order_by("wait").values_list("wait", flat=True)[(count - 1) // 2: count // 2 + 1])
    return Median(label, sum(middle, timedelta()) / len(middle), count)


class PercentileMedian(models.Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated like ``statistics.median``."""

    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def response_medians(scope: Scope, user: AnyUser | None) -> list[Median]:
    """From the report of an urgent or emergency episode to acknowledgement and resolution.

    Measured from when the report reached the clinic (``created_at``), to the case's
    acknowledgement at or after it; a case acknowledged earlier and reopened by this
    episode counts from its next acknowledgement. On PostgreSQL both medians come from
    one pass over the range (an ordered-set aggregate); SQLite fetches the middle rows.
    """
    urgent = episodes_in(scope, user).filter(level__in=URGENT_LEVELS, review_case__isnull=False)
    labels = (_("Urgent episode to acknowledgement"), _("Urgent episode to resolution"))
    if connection.vendor == "postgresql":
        waits = {
            "ack": (F("review_case__acknowledged_at"), Q(review_case__acknowledged_at__gte=F("created_at"))),
            "res": (F("review_case__resolved_at"), Q(review_case__resolved_at__gte=F("created_at"))),
        }
        figures = urgent.aggregate(**{
            f"{key}_{part}": aggregate
            for key, (until, when) in waits.items()
            for part, aggregate in (
                ("n", Count("id", filter=when)),
                ("median", PercentileMedian(
                    ExpressionWrapper(until - F("created_at"), output_field=DurationField()),
                    filter=when)),
            )
        })
        return [Median(label, figures[f"{key}_median"], figures[f"{key}_n"])
                for label, key in zip(labels, waits, strict=True)]
    acknowledged = urgent.filter(review_case__acknowledged_at__gte=F("created_at")).annotate(
        wait=ExpressionWrapper(F("review_case__acknowledged_at") - F("created_at"),
                               output_field=DurationField())
    )
    resolved = urgent.filter(review_case__resolved_at__gte=F("created_at")).annotate(
        wait=ExpressionWrapper(F("review_case__resolved_at") - F("created_at"),
                               output_field=DurationField())
    )
    return [_median(acknowledged, labels[0]), _median(resolved, labels[1])]


class Dashboard:
    """Every figure for ``scope``, each computed on first use: a CSV of one table runs
    only that table's queries, the page all of them (about a dozen, whatever the size)."""

    def __init__(self, user: AnyUser | None, scope: Scope) -> None:
        self.user = user
        self.scope = scope
        self.extra: dict[str, Any] = {}

    @cached_property
    def open_cases(self) -> OpenCases:
        return open_cases(self.scope, self.user)

    @cached_property
    def episodes(self) -> EpisodeDays:
        return episodes_per_day(self.scope, self.user)

    @cached_property
    def rules(self) -> list[RuleCount]:
        return top_rules(self.scope, self.user)

    @cached_property
    def suggestions(self) -> list[SuggestionRow]:
        return suggestions_by_code(self.scope, self.user)

    @cached_property
    def medians(self) -> list[Median]:
        return response_medians(self.scope, self.user)


def dashboard(user: AnyUser | None, scope: Scope) -> Dashboard:
    """The figures of the dashboard for ``scope``, computed as they are read."""
    return Dashboard(user, scope)


def format_duration(value: timedelta | None) -> str:
    """'3 h 20 min', '2 d 4 h', or an em dash when there is nothing to measure."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


# -- tables: what the page prints under each figure and what each CSV holds ------------

TABLES = ("open_cases", "episodes_per_day", "rules", "suggestions", "response_times")


def table(board: Dashboard, name: str) -> tuple[list[str], list[list[object]]]:
    """Header and rows of one dashboard table, for the page and for its CSV export."""
    if name == "open_cases":
        rows: list[list[object]] = [[lv.label, board.open_cases.by_level[lv.value]] for lv in LEVELS]
        rows += [[_("All open"), board.open_cases.total], [_("Overdue"), board.open_cases.overdue]]
        return [_("Cases"), _("Count")], rows
    if name == "episodes_per_day":
        return ([_("Day"), *[lv.title() for lv in EPISODE_LEVELS], _("Total")],
                [[day, *counts, total] for day, counts, total in board.episodes.rows()])
    if name == "rules":
        return [_("Rule"), _("From"), _("Times fired")], [[r.rule, r.kind, r.count] for r in board.rules]
    if name == "suggestions":
        return (
            [_("Code"), _("Test"), _("Suggested"), _("Accepted"), _("Dismissed"), _("Pending now"),
             _("Oldest pending")],
            [[s.code, s.label, *[s.counts[st] for st in SUGGESTION_STATUSES], s.pending_now,
              s.oldest_pending.isoformat(timespec="minutes") if s.oldest_pending else ""]
             for s in board.suggestions],
        )
    if name == "response_times":
        return ([_("Measure"), _("Median"), _("Median (minutes)"), _("Episodes measured")],
                [[m.label, format_duration(m.value),
                  "" if m.value is None else round(m.value.total_seconds() / 60, 1), m.count]
                 for m in board.medians])
    raise KeyError(name)


def write_csv(stream: Any, header: list[str], rows: list[list[object]]) -> None:
    """CSV for spreadsheets; cells that a spreadsheet would run as a formula are quoted."""
    writer = csv.writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow([
            f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
            for cell in row
        ])


# -- links to the rows behind each figure ----------------------------------------------


def _csv_url(name: str, scope: Scope) -> str:
    query: dict[str, object] = {"clinic": scope.clinic_uuid} if scope.clinic_uuid else {}
    query |= {"start": scope.start.isoformat(), "end": scope.end.isoformat()}
    return f"{reverse('review:csv', kwargs={'table': name})}?{urlencode(query)}"


def _rows_url(kind: str, scope: Scope, **params: object) -> str:
    query: dict[str, object] = {"clinic": scope.clinic_uuid} if scope.clinic_uuid else {}
    query |= {"start": scope.start.isoformat(), "end": scope.end.isoformat(), **params}
    return f"{reverse('review:rows', kwargs={'kind': kind})}?{urlencode(query)}"


def presentation(board: Dashboard) -> dict[str, Any]:
    """What the dashboard templates show: figures paired with the links to their rows."""
    scope = board.scope
    queue = reverse("review:queue")
    clinic = {"clinic": scope.clinic_uuid} if scope.clinic_uuid else {}
    # One reverse() for every day's link: a year's chart has 366 of them.
    day_base = _rows_url("episodes", scope)
    day_links = {day: f"{day_base}&{urlencode({'day': day})}" for day in board.episodes.days}
    rule_links = [
        (r, _rows_url("episodes" if r.kind == "episode" else "findings", scope, rule=r.rule))
        for r in board.rules
    ]
    return {
        "board": board,
        "open_levels": [
            (lv.value, lv.label, board.open_cases.by_level[lv.value],
             f"{queue}?{urlencode({**clinic, 'level': lv.value})}")
            for lv in LEVELS
        ],
        "open_url": f"{queue}?{urlencode(clinic)}",
        "overdue_url": f"{queue}?{urlencode({**clinic, 'overdue': 'on'})}",
        "episode_days": [
            (day, counts, total, day_links[day]) for day, counts, total in board.episodes.rows()
        ],
        "episode_levels": [
            (lv, board.episodes.by_level.get(lv, 0), _rows_url("episodes", scope, level=lv))
            for lv in EPISODE_LEVELS
        ],
        "rule_rows": rule_links,
        "suggestion_rows": [
            (s, [(s.counts[st], _rows_url("suggestions", scope, code=s.code, status=st))
                 for st in SUGGESTION_STATUSES],
             reverse("review:rows", kwargs={"kind": "suggestions"})
             + "?" + urlencode({**clinic, "code": s.code, "pending": "on"}))
            for s in board.suggestions
        ],
        "median_url": _rows_url("episodes", scope, level=URGENT_OR_WORSE),
        "csv_urls": {name: _csv_url(name, scope) for name in TABLES},
        "episodes_chart": charts.stacked_bars(
            chart_id="episodes-chart", title=_("New episodes per day by level"),
            categories=board.episodes.days,
            series=[charts.Series(lv, lv.title()) for lv in EPISODE_LEVELS],
            values=board.episodes.counts, links=day_links,
        ),
        "rules_chart": charts.horizontal_bars(
            chart_id="rules-chart", title=_("Rules that fired most"),
            rows=[(r.rule, r.count, link) for r, link in rule_links],
        ),
        "tables": {name: table(board, name) for name in TABLES},
    }
