"""Reads of the staff's patient list: search, the columns each row shows, keyset paging.

The list lives in review/ because its columns read episodes and review cases (and the
messaging app's unread counts), which clinic/ may not import. One SELECT per page: the last
episode and the open case come as correlated subqueries on indexed columns (episodes'
``(patient, status, -started_at)``, the one-open-case-per-patient partial unique index),
evaluated only for the page's rows, so a page costs the same at 10 or 100,000 patients and
nothing is added to the report path's writes.

Paging is by keyset on ``(family_name, given_name, id)``, the order of the patient indexes:
a page starts at the row after (or before) the patient named by its UUID in the URL, so
page 4,000 reads as few index entries as page 1 and no COUNT(*) scans the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Expression, F, OuterRef, Q, QuerySet, Subquery

from clinic.access import inbox_clinics
from clinic.models import CaseStatus, Patient, ReviewCase
from clinic.search import search_key
from episodes.models import Episode, EpisodeStatus
from messaging.selectors import with_unread_for_clinic

if TYPE_CHECKING:
    from uuid import UUID

PAGE_SIZE = 25
ORDER = ("family_name", "given_name", "id")


def search(queryset: QuerySet[Patient], query: str) -> QuerySet[Patient]:
    """Every typed term must match: within the names (accents and case ignored) or as the
    start of the MRN ("RP-100" finds RP-1001)."""
    for term in query.split():
        condition = Q(mrn__istartswith=term)
        key = search_key(term)
        if key:
            condition |= Q(search_name__contains=key)
        queryset = queryset.filter(condition)
    return queryset


def with_row_columns(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    """Each row's last episode (level, start) and the level of its open review case."""
    last_episode = (
        Episode.objects.filter(patient=OuterRef("pk"), status=EpisodeStatus.ACTIVE)
        .order_by("-started_at", "-id")
    )
    open_case = ReviewCase.objects.filter(patient=OuterRef("pk")).exclude(status=CaseStatus.RESOLVED)
    return queryset.annotate(
        last_episode_at=Subquery(last_episode.values("started_at")[:1]),
        last_episode_level=Subquery(last_episode.values("level")[:1]),
        open_case_level=Subquery(open_case.values("level")[:1]),
        open_case_uuid=Subquery(open_case.values("uuid")[:1]),
    )


def with_unread_messages(queryset: QuerySet[Patient], user: object) -> tuple[QuerySet[Patient], bool]:
    """Each row's family messages no one at the clinic has read, for staff who message.

    Returns the queryset and whether the list shows the column: clinic admins, who run the
    clinic but may not read the family's messages, see neither the count nor the column.
    """
    if not inbox_clinics(user).exists():
        return queryset, False
    return with_unread_for_clinic(queryset), True


@dataclass(frozen=True)
class PatientPage:
    rows: list[Patient]
    next_after: UUID | None  # the last row's uuid, when more rows follow
    previous_before: UUID | None  # the first row's uuid, when rows come before

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_after or self.previous_before)


class RowCompare(Expression):
    """``(a, b, c) > (SELECT a, b, c ...)``: a row-value comparison against one anchor row.

    PostgreSQL reads it as a range condition on the matching index (the scan starts at
    the anchor); SQLite (3.15+) understands it too. Django's own tuple lookups fall back to
    OR chains on SQLite, which cannot take a subquery on the right.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, fields: tuple[str, ...], operator: str, anchor: QuerySet) -> None:
        super().__init__()
        if operator not in {">", "<"}:
            raise ValueError(operator)
        self.columns: list[Any] = [F(name) for name in fields]
        self.operator = operator
        self.anchor: Any = anchor.query

    def get_source_expressions(self) -> list[Any]:
        return [*self.columns, self.anchor]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        *self.columns, self.anchor = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        parts, params = [], []
        for column in self.columns:
            sql, column_params = compiler.compile(column)
            parts.append(sql)
            params.extend(column_params)
        anchor_sql, anchor_params = compiler.compile(self.anchor)
        if not anchor_sql.startswith("("):
            anchor_sql = f"({anchor_sql})"
        return f"({', '.join(parts)}) {self.operator} {anchor_sql}", [*params, *anchor_params]


def page_of(queryset: QuerySet[Patient], anchors: QuerySet[Patient], *,
            after: UUID | None = None, before: UUID | None = None,
            size: int = PAGE_SIZE) -> PatientPage:
    """One page of ``queryset`` in list order, one query.

    ``after``/``before`` name the patient the page follows or precedes; its position is read
    in the same query from ``anchors`` (the patients the viewer may see), so an unknown or
    foreign id gives an empty page and the URL carries no names.
    """
    if before is not None:
        anchor = anchors.filter(uuid=before).values(*ORDER)[:1]
        rows = list(queryset.filter(RowCompare(ORDER, "<", anchor))
                    .order_by(*(f"-{name}" for name in ORDER))[:size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        return PatientPage(rows, next_after=rows[-1].uuid if rows else None,
                           previous_before=rows[0].uuid if more_before else None)
    if after is not None:
        anchor = anchors.filter(uuid=after).values(*ORDER)[:1]
        queryset = queryset.filter(RowCompare(ORDER, ">", anchor))
    rows = list(queryset.order_by(*ORDER)[:size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    return PatientPage(rows, next_after=rows[-1].uuid if more_after else None,
                       previous_before=rows[0].uuid if after is not None and rows else None)
