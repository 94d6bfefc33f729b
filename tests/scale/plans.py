"""Query plans of the pages under test: what they ask the database and how it answers.

Shared by the CI scale test (tests/scale/) and ``make bench-scale`` (tests/bench/scale.py).
PostgreSQL only: SQLite's EXPLAIN QUERY PLAN says too little to assert on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

BIG_TABLES = ("episodes_episode", "clinic_auditevent")


def get(client: Any, url: str, data: dict | None = None) -> tuple[Any, list[str]]:
    """GET ``url``; the response and the SQL of every query it ran."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200, (url, response.status_code)
    return response, [q["sql"] for q in ctx.captured_queries]


def reads(queries: list[str]) -> list[str]:
    """The SELECTs among ``queries`` (not sessions, savepoints or audit inserts)."""
    return [sql for sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def nodes(plan: dict) -> Iterator[dict]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def plan_of(sql: str, *, analyze: bool = False) -> dict:
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {sql}")
        raw = cursor.fetchone()[0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]


def seq_scans(sql: str, tables: tuple[str, ...] = BIG_TABLES) -> list[str]:
    """The big tables ``sql`` reads by sequential scan (empty when every read uses an index)."""
    return [node["Relation Name"] for node in nodes(plan_of(sql)["Plan"])
            if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in tables]


def touches(sql: str, tables: tuple[str, ...] = BIG_TABLES) -> bool:
    return any(f'"{table}"' in sql or f" {table} " in sql for table in tables)


def explain_text(sql: str) -> str:
    """EXPLAIN ANALYZE of ``sql`` as PostgreSQL prints it (for the bench output)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
