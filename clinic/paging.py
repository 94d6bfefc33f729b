"""Paging of the admin's big tables: counts that do not scan, deep pages that do not crawl.

``COUNT(*)`` of a million-row table reads the table (up to a second on PostgreSQL), and
``OFFSET 1,000,000`` fetches every skipped row from the heap. ``LargeTablePaginator``
counts exactly while the planner expects few rows and takes the planner's estimate
above that (PostgreSQL only; SQLite counts), and pages past the first few hundred
rows by first finding the page's primary keys (an index-only scan of the ordering's
index) and then loading only those rows: a "deferred join".
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet

EXACT_BELOW = 20_000  # rows the planner expects: below this an exact count is cheap
DEEP_OFFSET = 500  # from this offset on, the page's keys are found first


def planner_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` returns (one EXPLAIN, no scan)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = queryset.order_by().explain(format="json")
    try:
        return int(json.loads(plan)[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


class LargeTablePaginator(Paginator):
    """A Paginator for tables of millions of rows (see the module's docstring)."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if isinstance(queryset, QuerySet):
            estimate = planner_rows(queryset)
            if estimate is not None and estimate >= EXACT_BELOW:
                self.estimated = True
                return estimate
        return super().count

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if bottom < DEEP_OFFSET or not isinstance(queryset, QuerySet):
            return self._get_page(queryset[bottom:top], number, self)
        keys = list(queryset.values_list("pk", flat=True)[bottom:top])
        return self._get_page(queryset.filter(pk__in=keys), number, self)

    def validate_number(self, number: Any) -> int:
        # An estimate may be a little high: a page past the real end is empty, not an error.
        if self.estimated:
            return max(1, int(number)) if str(number).isdigit() else 1
        return super().validate_number(number)


class LargeTableAdminMixin:
    """For ModelAdmins of the big tables: no full count, estimated totals, deep paging."""

    show_full_result_count = False
    paginator = LargeTablePaginator
