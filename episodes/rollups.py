# ruff: noqa: S608 - every statement here is fixed text: table names and a checked zone name
"""Daily counts of active episodes per clinic, kept by the database on every write.

The dashboards read ``EpisodeDayCount`` (a few thousand rows a year) instead of
grouping the episode table. Database triggers keep it exact in the same transaction
as the write, whatever writes the row (services, ``bulk_create``, COPY, the admin):

- kind ``level``: episodes that started that day at each triage level;
- kind ``rule``: how often each triage rule fired that day (from ``triage.reasons``).

Only active episodes count: marking one in error, or a level change when details are
added, moves the counts in the same UPDATE. The day is the clinic's own calendar day
(its ``time_zone``, else the site's ``TIME_ZONE`` at migrate time); changing a clinic's
zone recounts that clinic (a trigger too). ``rebuild()`` recounts everything, e.g.
after changing ``TIME_ZONE``.

On PostgreSQL inserts and deletes are counted per statement with transition tables, so
a COPY of 100,000 rows costs one grouped upsert, and updates per row only when a
counted column changed; on SQLite they are per row and use Django's own
``django_datetime_cast_date`` function, registered on every Django connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

EPISODE = "episodes_episode"
ROLLUP = "episodes_episodedaycount"
PATIENT = "clinic_patient"
CLINIC = "clinic_clinic"
CONFLICT = f"ON CONFLICT (clinic_id, day, kind, key) DO UPDATE SET n = {ROLLUP}.n + excluded.n"


def _fallback_zone() -> str:
    zone = str(settings.TIME_ZONE or "UTC")
    if not zone.replace("/", "").replace("_", "").replace("-", "").replace("+", "").isalnum():
        raise ValueError(f"Unexpected TIME_ZONE {zone!r}")  # it is pasted into SQL below
    return zone


# -- PostgreSQL ----------------------------------------------------------------------


def _pg_rows(source: str, sign: int, where: str = "TRUE") -> str:
    """SELECT of (clinic, day, kind, key, n) for the active episodes of ``source``."""
    joined = (
        f"FROM {source} e JOIN {PATIENT} p ON p.id = e.patient_id "
        f"JOIN {CLINIC} c ON c.id = p.clinic_id WHERE e.status = 'active' AND {where}"
    )
    day = pg_day("e.started_at")
    reasons = (
        "CASE WHEN jsonb_typeof(e.triage->'reasons') = 'array' "
        "THEN e.triage->'reasons' ELSE '[]'::jsonb END"
    )
    return (
        f"SELECT p.clinic_id, {day} AS day, 'level' AS kind, e.level AS key, {sign} AS n {joined} "
        f"UNION ALL SELECT p.clinic_id, {day}, 'rule', r->>'rule', {sign} "
        f"{joined.replace('WHERE', f', jsonb_array_elements({reasons}) r WHERE', 1)} "
        f"AND r->>'rule' IS NOT NULL"
    )


def pg_day(started_at: str, clinic: str = "c") -> str:
    """SQL: the calendar day of ``started_at`` in the zone of ``clinic`` (an alias), as counted."""
    zone = _fallback_zone()
    return f"({started_at} AT TIME ZONE COALESCE(NULLIF({clinic}.time_zone, ''), '{zone}'))::date"


def rule_keys(triage: object) -> list[str]:
    """The ``rule`` keys an active episode with this triage adds, as the SQL above reads them."""
    reasons = triage.get("reasons") if isinstance(triage, dict) else None
    if not isinstance(reasons, list):
        return []
    keys = []
    for reason in reasons:
        rule = reason.get("rule") if isinstance(reason, dict) else None
        if rule is not None:  # ->> gives a string as is and any other value as its JSON
            keys.append(rule if isinstance(rule, str) else json.dumps(rule))
    return keys


def pg_add(counts: str) -> str:
    """SQL adding ``counts``, a SELECT of (clinic_id, day, kind, key, n), to the daily counts."""
    return (
        f"INSERT INTO {ROLLUP} (clinic_id, day, kind, key, n) "
        f"SELECT clinic_id, day, kind, key, SUM(n) FROM ({counts}) x GROUP BY 1, 2, 3, 4 {CONFLICT}"
    )


def _pg_upsert(*parts: str) -> str:
    union = " UNION ALL ".join(parts)
    return (
        f"INSERT INTO {ROLLUP} (clinic_id, day, kind, key, n) "
        f"SELECT clinic_id, day, kind, key, SUM(n) FROM ({union}) x GROUP BY 1, 2, 3, 4 {CONFLICT}"
    )


def _pg_record(row: str) -> str:
    """The counted columns of the trigger's ``OLD`` or ``NEW`` row, as a one-row table."""
    return (f"(SELECT {row}.patient_id AS patient_id, {row}.started_at AS started_at, "
            f"{row}.level AS level, {row}.triage AS triage, {row}.status AS status)")


PG_INSERT_TRIGGER = (
    f"CREATE TRIGGER episodes_rollup_insert AFTER INSERT ON {EPISODE}\n"
    "    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION episodes_rollup_insert()"
)


def _pg_triggers() -> str:
    # Updates are counted per row and only when a counted column changed (the WHEN clause
    # is checked without calling the function): the report path's second UPDATE, which
    # links the review case, costs nothing here.
    changed = (
        "(OLD.status, OLD.level, OLD.started_at, OLD.patient_id, OLD.triage) IS DISTINCT FROM "
        "(NEW.status, NEW.level, NEW.started_at, NEW.patient_id, NEW.triage)"
    )
    clinic_rows = _pg_rows(EPISODE, 1, "p.clinic_id = NEW.id")
    return f"""
CREATE OR REPLACE FUNCTION episodes_rollup_insert() RETURNS trigger AS $$
BEGIN {_pg_upsert(_pg_rows('new_rows', 1))}; RETURN NULL; END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION episodes_rollup_delete() RETURNS trigger AS $$
BEGIN {_pg_upsert(_pg_rows('old_rows', -1))}; RETURN NULL; END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION episodes_rollup_update() RETURNS trigger AS $$
BEGIN {_pg_upsert(_pg_rows(_pg_record('OLD'), -1), _pg_rows(_pg_record('NEW'), 1))};
RETURN NULL; END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION episodes_rollup_clinic_zone() RETURNS trigger AS $$
BEGIN
    DELETE FROM {ROLLUP} WHERE clinic_id = NEW.id;
    {_pg_upsert(clinic_rows)};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
{PG_INSERT_TRIGGER};
CREATE TRIGGER episodes_rollup_delete AFTER DELETE ON {EPISODE}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION episodes_rollup_delete();
CREATE TRIGGER episodes_rollup_update AFTER UPDATE ON {EPISODE}
    FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION episodes_rollup_update();
CREATE TRIGGER episodes_rollup_clinic_zone AFTER UPDATE OF time_zone ON {CLINIC}
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION episodes_rollup_clinic_zone();
"""


PG_DROP = f"""
DROP TRIGGER IF EXISTS episodes_rollup_insert ON {EPISODE};
DROP TRIGGER IF EXISTS episodes_rollup_delete ON {EPISODE};
DROP TRIGGER IF EXISTS episodes_rollup_update ON {EPISODE};
DROP TRIGGER IF EXISTS episodes_rollup_clinic_zone ON {CLINIC};
DROP FUNCTION IF EXISTS episodes_rollup_insert();
DROP FUNCTION IF EXISTS episodes_rollup_delete();
DROP FUNCTION IF EXISTS episodes_rollup_update();
DROP FUNCTION IF EXISTS episodes_rollup_clinic_zone();
"""


# -- SQLite --------------------------------------------------------------------------


def _lite_upserts(row: str, sign: int) -> str:
    """Two upserts (level, then rules) for the episode ``row`` (NEW or OLD)."""
    zone = _fallback_zone()
    day = (
        f"django_datetime_cast_date({row}.started_at, COALESCE(NULLIF(c.time_zone, ''), '{zone}'), 'UTC')"
    )
    joined = f"FROM {PATIENT} p JOIN {CLINIC} c ON c.id = p.clinic_id"
    return (
        f"INSERT INTO {ROLLUP} (clinic_id, day, kind, key, n) "
        f"SELECT p.clinic_id, {day}, 'level', {row}.level, {sign} {joined} "
        f"WHERE p.id = {row}.patient_id {CONFLICT};\n"
        f"INSERT INTO {ROLLUP} (clinic_id, day, kind, key, n) "
        f"SELECT p.clinic_id, {day}, 'rule', json_extract(r.value, '$.rule'), {sign} * COUNT(*) "
        f"{joined}, json_each({row}.triage, '$.reasons') r "
        f"WHERE p.id = {row}.patient_id AND json_type({row}.triage, '$.reasons') = 'array' "
        f"AND json_extract(r.value, '$.rule') IS NOT NULL GROUP BY 4 {CONFLICT};"
    )


def _lite_recount(where: str = "1") -> list[str]:
    """INSERT…SELECTs counting the stored active episodes matching ``where`` (no upsert)."""
    zone = _fallback_zone()
    day = f"django_datetime_cast_date(e.started_at, COALESCE(NULLIF(c.time_zone, ''), '{zone}'), 'UTC')"
    joined = f"FROM {EPISODE} e JOIN {PATIENT} p ON p.id = e.patient_id JOIN {CLINIC} c ON c.id = p.clinic_id"
    return [
        f"INSERT INTO {ROLLUP} (clinic_id, day, kind, key, n) "
        f"SELECT p.clinic_id, {day}, 'level', e.level, COUNT(*) {joined} "
        f"WHERE e.status = 'active' AND {where} GROUP BY 1, 2, 3, 4",
        f"INSERT INTO {ROLLUP} (clinic_id, day, kind, key, n) "
        f"SELECT p.clinic_id, {day}, 'rule', json_extract(r.value, '$.rule'), COUNT(*) "
        f"{joined}, json_each(e.triage, '$.reasons') r WHERE e.status = 'active' AND {where} "
        f"AND json_type(e.triage, '$.reasons') = 'array' "
        f"AND json_extract(r.value, '$.rule') IS NOT NULL GROUP BY 1, 2, 3, 4",
    ]


def _lite_triggers() -> list[str]:
    changed = (
        "OLD.status IS NOT NEW.status OR OLD.level IS NOT NEW.level OR OLD.started_at IS NOT "
        "NEW.started_at OR OLD.patient_id IS NOT NEW.patient_id OR OLD.triage IS NOT NEW.triage"
    )
    return [
        f"CREATE TRIGGER episodes_rollup_insert AFTER INSERT ON {EPISODE} "
        f"WHEN NEW.status = 'active' BEGIN {_lite_upserts('NEW', 1)} END",
        f"CREATE TRIGGER episodes_rollup_delete AFTER DELETE ON {EPISODE} "
        f"WHEN OLD.status = 'active' BEGIN {_lite_upserts('OLD', -1)} END",
        f"CREATE TRIGGER episodes_rollup_update_old AFTER UPDATE ON {EPISODE} "
        f"WHEN OLD.status = 'active' AND ({changed}) BEGIN {_lite_upserts('OLD', -1)} END",
        f"CREATE TRIGGER episodes_rollup_update_new AFTER UPDATE ON {EPISODE} "
        f"WHEN NEW.status = 'active' AND ({changed}) BEGIN {_lite_upserts('NEW', 1)} END",
        f"CREATE TRIGGER episodes_rollup_clinic_zone AFTER UPDATE OF time_zone ON {CLINIC} "
        f"WHEN OLD.time_zone IS NOT NEW.time_zone BEGIN "
        f"DELETE FROM {ROLLUP} WHERE clinic_id = NEW.id; "
        + "; ".join(f"{statement} {CONFLICT}" for statement in _lite_recount("p.clinic_id = NEW.id"))
        + "; END",
    ]


LITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}" for name in (
        "episodes_rollup_insert", "episodes_rollup_delete", "episodes_rollup_update_old",
        "episodes_rollup_update_new", "episodes_rollup_clinic_zone",
    )
]


TRIGGERS = {
    "postgresql": ("episodes_rollup_insert", "episodes_rollup_delete", "episodes_rollup_update",
                   "episodes_rollup_clinic_zone"),
    "sqlite": ("episodes_rollup_insert", "episodes_rollup_delete", "episodes_rollup_update_old",
               "episodes_rollup_update_new", "episodes_rollup_clinic_zone"),
}


@contextmanager
def inserts_uncounted(connection: BaseDatabaseWrapper = default_connection) -> Iterator[bool]:
    """PostgreSQL, inside a transaction: no insert trigger until the block ends (bulk loads).

    Disabling it is not enough: PostgreSQL still keeps every inserted row for its transition
    table. Yields whether it was dropped (only the table's owner may); the caller then adds
    the counts of what it inserts. The trigger is back, unchanged, when the block ends; if
    the transaction fails, the drop is rolled back with it.
    """
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"DROP TRIGGER episodes_rollup_insert ON {EPISODE}")
        except DatabaseError:
            yield False
            return
    yield True
    with connection.cursor() as cursor:
        cursor.execute(PG_INSERT_TRIGGER)


def installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether every trigger exists (SQLite drops them when a migration remakes a table)."""
    names = TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'episodes_rollup_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'episodes_rollup_%'")
        found = {row[0] for row in cursor.fetchall()}
    return set(names) <= found


def ensure(connection: BaseDatabaseWrapper) -> bool:
    """Reinstall and recount when a trigger is missing; True when it had to."""
    if connection.vendor not in TRIGGERS or ROLLUP not in connection.introspection.table_names():
        return False
    if installed(connection):
        return False
    uninstall(connection)
    install(connection)
    rebuild(connection)
    return True


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (the migration calls this; ``rebuild`` after installing)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_pg_triggers())
            # The dashboard's "episodes that fired rule X" list: containment on the reasons.
            cursor.execute("SELECT 1 FROM pg_class WHERE relname = 'episode_reasons_gin'")
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE INDEX episode_reasons_gin ON {EPISODE} "
                               "USING gin ((triage->'reasons') jsonb_path_ops)")
        elif connection.vendor == "sqlite":
            for statement in _lite_triggers():
                cursor.execute(statement)
        else:  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)


def uninstall(connection: BaseDatabaseWrapper, *, index: bool = False) -> None:
    """Drop the triggers (and, when the migration is reversed, the reasons index)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_DROP)
            if index:
                cursor.execute("DROP INDEX IF EXISTS episode_reasons_gin")
        else:
            for statement in LITE_DROP:
                cursor.execute(statement)


def rebuild(connection: BaseDatabaseWrapper = default_connection) -> None:
    """Recount every clinic's days from the episode table (one DELETE, one INSERT…SELECT)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROLLUP}")
        if connection.vendor == "postgresql":
            cursor.execute(_pg_upsert(_pg_rows(EPISODE, 1)))
            return
        for statement in _lite_recount():
            cursor.execute(statement)
