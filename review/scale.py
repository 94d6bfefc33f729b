"""A clinic network at production size, written in bulk (``manage.py seed_scale``).

What a real two years leaves: clinics with their staff, babies with a parent each,
episodes whose triage is the app's own (a pool of report shapes triaged by
``episodes.triage.assess`` and reused), the review cases those episodes open, raise and
see resolved, history rows, and signed evaluations with findings and suggestions.

On PostgreSQL the small tables go in by COPY (psycopg 3 ``cursor.copy``); the episodes
are planned in Python (who, when, which shape, which case) and only that plan, some 40
bytes an episode, is copied into a temporary table, from which two INSERT ... SELECTs
write the episodes and their history rows with each shape's columns given once per
statement, so PostgreSQL neither receives nor parses the 1.3 KB triage per row. A thread
plans the next chunk while the database writes the last. The loaded tables' secondary
indexes and unique constraints are dropped and built once after; foreign-key checks and
triggers are skipped (``session_replication_role = replica``, the rollup insert trigger
dropped) when the role may, and the daily counts (episodes/rollups.py) are then counted from
the plan, grouped by shape. On SQLite it uses ``bulk_create``.
Everything runs in one transaction on one connection (the planning thread never touches
the database): a failed seed leaves nothing behind.
"""

from __future__ import annotations

import bisect
import itertools
import json
import queue
import random
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from clinic.ages import age_on
from clinic.levels import Level
from clinic.models import (
    CaseOutcome,
    CaseStatus,
    Clinic,
    Guardianship,
    Membership,
    Patient,
    ReviewCase,
    Role,
)
from clinic.search import search_key
from episodes import rollups
from episodes.models import Episode
from episodes.triage import RULE_SET_VERSION, EpisodeReport, assess, is_convulsive
from evaluations.findings import CATALOGUE
from evaluations.models import Evaluation, Finding, Suggestion
from evaluations.suggestions import CODES

RANK = {"routine": 0, "soon": 1, "urgent": 2, "emergency": 3}
CASE_LEVELS = {"soon", "urgent", "emergency"}
NO_SIGNS: list[str] = []  # one shared object: the COPY dumps each JSON object once
BIG_CHILD_EPISODES = 2000  # one diary this long, as in the measurements
COPY_NULL = "\\N"
PLAN_CHUNK = 100_000  # episodes planned and written at a time


@dataclass(frozen=True)
class Size:
    clinics: int = 20
    patients: int = 100_000
    episodes: int = 1_000_000
    evaluations: int = 20_000
    days: int = 730
    seed: int = 14


# -- progress -----------------------------------------------------------------------


class Progress:
    """A one-line progress bar on a terminal (tqdm-like, without the dependency)."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self._shown = -1
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def update(self, n: int = 1) -> None:
        self.done += n
        percent = min(100, self.done * 100 // self.total)
        if self.live and percent != self._shown:
            self._shown = percent
            bar = "#" * (percent // 4)
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"\r{self.label:<22} [{bar:<25}] {percent:3d}% {self.done:>9,} {elapsed:6.1f}s")
            self.stream.flush()

    def close(self) -> None:
        self.stream.write(f"\r{self.label:<22} [{'#' * 25}] 100% {self.done:>9,} "
                          f"{time.perf_counter() - self.started:6.1f}s\n")
        self.stream.flush()


class Steps:
    """The seed's phases: a bar for each, and the wall time each took (for the summary)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, label: str, total: int = 1) -> Iterator[Progress]:
        bar = Progress(label, total, self.stream)
        self.seconds.setdefault(label, 0.0)  # listed before the parts it contains
        yield bar
        self.add(label, time.perf_counter() - bar.started)
        bar.close()

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds


# -- bulk writes ----------------------------------------------------------------------


class Writer:
    """Rows of a model as tuples of ``fields`` (attnames); other columns get their default."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.pg = connection.vendor == "postgresql"
        self.stream = stream
        self._json: dict[int, tuple[object, str]] = {}

    def json_text(self, value: object) -> str:
        # Rows share their JSON objects (triage templates), so each is dumped once;
        # the object is kept with its text so its id cannot be reused.
        key = id(value)
        hit = self._json.get(key)
        if hit is None:
            hit = self._json[key] = (value, json.dumps(value))
        return hit[1]

    def write(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple],
              total: int = 0, label: str = "", progress: Progress | None = None) -> int:
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        missing = [f for name, f in concrete.items()
                   if name not in fields and not (f.primary_key and isinstance(f, models.AutoField))]
        filled = {f.attname: f.get_default() for f in missing}
        own = progress is None and bool(total)
        if own:
            progress = Progress(label or model._meta.db_table, total, self.stream)
        count = 0
        if self.pg:
            json_at = [i for i, name in enumerate(fields) if isinstance(concrete[name], models.JSONField)]
            columns = [*fields, *filled]
            tail = tuple(
                concrete[name].get_db_prep_save(value, connection) for name, value in filled.items()
            )
            sql = f"COPY {model._meta.db_table} ({', '.join(concrete[c].column for c in columns)}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for i in json_at:
                            row[i] = self.json_text(row[i])
                    copy.write_row((*row, *tail))
                    count += 1
                    if progress and not count % 10_000:
                        progress.update(10_000)
        else:
            batch: list[models.Model] = []
            for row in rows:
                batch.append(model(**dict(zip(fields, row, strict=True)), **filled))
                if len(batch) == 2000:
                    model.objects.bulk_create(batch)
                    count += len(batch)
                    batch = []
                    if progress:
                        progress.update(2000)
            model.objects.bulk_create(batch)
            count += len(batch)
        if progress is not None:
            progress.update(count % 10_000 if self.pg else len(batch))
            if own:
                progress.close()
        return count


def skip_checks() -> bool:
    """On PostgreSQL, for the rest of the transaction: no row triggers, no foreign-key checks.

    Only a superuser may (``session_replication_role``); returns whether it was allowed, so
    the daily counts, which a trigger keeps, must be counted by the caller.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # noqa: BLE001 - not a superuser: keep triggers and checks
            return False
        cursor.execute("SET LOCAL session_replication_role = replica")
    return True


@contextmanager
def fast_load(tables: Sequence[str], steps: Steps) -> Iterator[None]:
    """On PostgreSQL: drop the secondary indexes and unique constraints of ``tables``, rebuild after.

    Each is then built once by a sort instead of growing a row at a time (random keys such
    as UUIDs cost a page each). Constraints that a foreign key depends on stay.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # Each rebuild sorts in memory, with the parallel workers the server allows.
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype = 'u' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
            "AND f.conindid = c.conindid)",
            [list(tables)],
        )
        constraints = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    yield
    with connection.cursor() as cursor, steps("indexes", len(indexes) + len(constraints)) as progress:
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            progress.update()
        for _, definition in indexes:
            cursor.execute(definition)
            progress.update()


def next_ids(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def reset_sequences(*models_: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(_no_style(), list(models_)):
            cursor.execute(statement)


def _no_style() -> Any:
    from django.core.management.color import no_style

    return no_style()


# -- what reports look like ------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """One kind of report with the triage the app gives it (computed once, shared)."""

    fields: dict[str, Any]
    triage: dict[str, Any]
    level: str
    convulsive: bool


def _report_mix(rng: random.Random) -> list[tuple[dict[str, Any], float]]:
    """Report shapes and how often parents send them: mostly sleep twitches and startles.

    Weighted so that about 6% of reports are above routine, which leaves about 55,000
    review cases per million episodes (the figure the issue measured with).
    """
    typical = [
        ({"duration_seconds": 4, "body_parts": ["left_foot"], "state": "asleep", "pattern": "isolated",
          "stops_when_held_or_woken": "not_tried"}, 30.0),
        ({"duration_seconds": 3, "body_parts": ["right_foot"], "state": "asleep", "pattern": "isolated",
          "stops_when_held_or_woken": "yes"}, 20.0),
        ({"duration_seconds": 2, "body_parts": ["left_arm", "right_arm"], "state": "awake",
          "pattern": "isolated", "stops_when_held_or_woken": "not_tried"}, 12.0),
        ({"duration_seconds": 40, "body_parts": ["right_leg", "right_foot"], "state": "asleep",
          "pattern": "cluster", "stops_when_held_or_woken": "yes"}, 8.0),
        ({"duration_seconds": 10, "body_parts": ["left_arm", "right_arm"], "state": "crying",
          "pattern": "rhythmic", "stops_when_held_or_woken": "yes"}, 2.0),
        ({"duration_seconds": 6, "body_parts": ["left_leg"], "state": "drowsy", "pattern": "isolated",
          "stops_when_held_or_woken": "yes"}, 10.0),
    ]
    worrying = [
        ({"duration_seconds": 15, "body_parts": ["left_leg"], "state": "awake", "pattern": "rhythmic",
          "stops_when_held_or_woken": "not_tried"}, 1.0),
        ({"duration_seconds": 50, "body_parts": ["left_leg", "left_foot"], "state": "awake",
          "pattern": "rhythmic", "stops_when_held_or_woken": "yes"}, 0.6),
        ({"duration_seconds": 20, "body_parts": ["left_arm"], "state": "awake", "pattern": "rhythmic",
          "stops_when_held_or_woken": "no"}, 0.4),
        ({"duration_seconds": 30, "body_parts": ["left_arm", "right_arm"], "state": "waking",
          "pattern": "cluster", "stops_when_held_or_woken": "no"}, 0.2),
        ({"duration_seconds": 8, "body_parts": ["right_foot"], "state": "asleep", "pattern": "isolated",
          "stops_when_held_or_woken": "yes", "signs": ["fever"], "temperature_c": "38.4"}, 0.5),
        ({"duration_seconds": 120, "body_parts": ["left_arm", "left_leg"], "state": "awake",
          "pattern": "rhythmic", "stops_when_held_or_woken": "no", "signs": ["unresponsive"]}, 0.1),
        ({"duration_seconds": 25, "body_parts": ["left_arm", "right_arm"], "state": "awake",
          "pattern": "cluster", "stops_when_held_or_woken": "no", "signs": ["stiffening"]}, 0.1),
        ({"duration_seconds": 5, "body_parts": ["left_foot"], "state": "feeding", "pattern": "isolated",
          "stops_when_held_or_woken": "yes", "signs": ["color_change"]}, 0.1),
    ]
    return typical + worrying


def shapes(now: datetime, rng: random.Random) -> tuple[list[Shape], list[float]]:
    """Each shape triaged by the app's rules for a three-month-old with no history."""
    age = age_on(date_of_birth=now.date() - timedelta(days=90), on=now.date(),
                 gestational_weeks=40, gestational_days=0, correct_until_months=24)
    out, weights = [], []
    for fields, weight in _report_mix(rng):
        temperature = fields.get("temperature_c")
        report = EpisodeReport(
            started_at=now, duration_seconds=fields["duration_seconds"],
            body_parts=frozenset(fields["body_parts"]), state=fields["state"], pattern=fields["pattern"],
            stops_when_held_or_woken=fields["stops_when_held_or_woken"],
            signs=frozenset(fields.get("signs", ())),
            temperature_c=Decimal(temperature) if temperature else None,
        )
        result = assess(report, age, None)
        stored = {**fields, "signs": list(fields.get("signs", [])),
                  "temperature_c": Decimal(temperature) if temperature else None}
        out.append(Shape(stored, result.as_dict(), str(result.level), is_convulsive(report)))
        weights.append(weight)
    return out, weights


# -- the network ------------------------------------------------------------------------


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # label -> wall seconds


GIVEN = ["Noah", "Mila", "Ava", "Leo", "Lucia", "Omar", "Zoe", "Ines", "Kai", "Ada", "Ivan", "Maya"]
FAMILY = ["Chen", "Alvarez", "Okafor", "Stone", "Ruiz", "Novak", "Haddad", "Kim", "Silva", "Moreau"]
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "UTC"]


def _staff(clinics: list[Clinic], password: str, now: datetime) -> dict[int, list[int]]:
    """A clinician, a reviewer and a clinic admin per clinic; clinic id -> [clinician ids]."""
    User = get_user_model()
    clinicians: dict[int, list[int]] = {}
    for clinic in clinics:
        for role in (Role.CLINICIAN, Role.REVIEWER, Role.CLINIC_ADMIN):
            user = User.objects.create(
                username=f"scale-{role}-{clinic.pk}", password=password, date_joined=now,
                is_staff=role == Role.CLINIC_ADMIN,
            )
            Membership.objects.create(user=user, clinic=clinic, role=role)
            if role == Role.CLINICIAN:
                clinicians[clinic.pk] = [user.pk]
    if not User.objects.filter(username="scale-superuser").exists():
        User.objects.create(username="scale-superuser", password=password, is_superuser=True,
                            is_staff=True, date_joined=now)
    return clinicians


def seed(size: Size, *, stream: TextIO | None = None, now: datetime | None = None) -> Result:
    started = time.perf_counter()
    now = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    rng = random.Random(size.seed)  # noqa: S311 - invented data, not secrets
    result = Result()
    writer = Writer(stream)
    steps = Steps(stream)
    # VACUUM runs after the commit, when the caller holds no transaction (not in tests).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    vacuumed = ("episodes_episode", "episodes_historicalepisode", "clinic_reviewcase")
    password = make_password("demo-pass-2026")
    with transaction.atomic():
        skipped = skip_checks()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Nothing is lost if the server stops before the commit reaches disk: the
                # seed is repeatable and runs on a database of its own.
                cursor.execute("SET LOCAL synchronous_commit = off")
        with steps("clinics and staff", size.clinics):
            tag = uuid.uuid4().hex[:6]
            clinics = [Clinic.objects.create(name=f"Scale clinic {n + 1} ({tag})", emergency_number="911",
                                             time_zone=ZONES[n % len(ZONES)])
                       for n in range(size.clinics)]
            clinicians = _staff(clinics, password, now)
        clinic_ids = [c.pk for c in clinics]

        User = get_user_model()
        first_user = next_ids(User)
        first_patient = next_ids(Patient)
        window_start = now - timedelta(days=size.days)
        births: list[date] = []
        patient_clinic: list[int] = []
        for i in range(size.patients):
            births.append((now - timedelta(days=rng.randint(30, size.days + 300))).date())
            patient_clinic.append(clinic_ids[i % len(clinic_ids)])
        births[0] = (now - timedelta(days=300)).date()  # the long diary's child

        loaded = [User._meta.db_table, Patient._meta.db_table, Guardianship._meta.db_table,
                  ReviewCase._meta.db_table, Episode._meta.db_table, Episode.history.model._meta.db_table]
        with fast_load(loaded, steps):
            with steps("parents", size.patients) as bar:
                writer.write(User, ["id", "username", "password", "is_active", "date_joined"], (
                    (first_user + i, f"scale-parent-{tag}-{i}", password, True, now)
                    for i in range(size.patients)
                ), progress=bar)
            # COPY skips Patient.save(), so the search column is filled here, as save() would
            # (a few names, so each key is worked out once).
            names = {(given, family): search_key(given, family) for given in GIVEN for family in FAMILY}
            with steps("patients", size.patients) as bar:
                writer.write(Patient, ["id", "uuid", "clinic_id", "mrn", "given_name", "family_name",
                                       "search_name", "date_of_birth", "sex", "gestational_age_weeks",
                                       "created_at", "updated_at"], (
                    (first_patient + i, uuid.uuid4(), patient_clinic[i], f"S{tag}{i:07d}", given, family,
                     names[given, family], births[i], "female" if i % 2 else "male", 40 if i % 9 else 33,
                     now, now)
                    for i in range(size.patients)
                    for given, family in ((GIVEN[i % len(GIVEN)], FAMILY[(i // len(GIVEN)) % len(FAMILY)]),)
                ), progress=bar)
            with steps("guardianships", size.patients) as bar:
                writer.write(Guardianship, ["user_id", "patient_id", "relationship", "created_at"], (
                    (first_user + i, first_patient + i, "mother" if i % 3 else "father", now)
                    for i in range(size.patients)
                ), progress=bar)

            levels, cases, episode_count = _episodes(size, writer, steps, rng, now, window_start, births,
                                                     patient_clinic, first_user, first_patient,
                                                     counted=not skipped)
        result.levels = levels
        with steps("evaluations", size.evaluations) as bar:
            evaluations = _evaluations(size, writer, rng, now, window_start, births, patient_clinic,
                                       first_patient, clinicians)
            bar.update(evaluations)
        reset_sequences(User, Patient, Guardianship, Episode, Episode.history.model, ReviewCase,
                        Evaluation, Finding, Suggestion)
        if connection.vendor == "postgresql":
            analyzed = [table for table in (
                "auth_user", "clinic_patient", "clinic_reviewcase", "episodes_episode",
                "episodes_historicalepisode", "episodes_episodedaycount", "evaluations_evaluation",
                "evaluations_finding", "evaluations_suggestion") if not (vacuum and table in vacuumed)]
            with connection.cursor() as cursor, steps("analyze", len(analyzed)) as bar:
                for table in analyzed:
                    cursor.execute(f"ANALYZE {table}")
                    bar.update()
        if skipped:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        result.counts = {"clinics": len(clinics), "patients": size.patients, "episodes": episode_count,
                         "review cases": cases, "signed evaluations": evaluations}
    if vacuum:
        # Sets the visibility map, so deep pages' key lookups are index-only scans.
        with connection.cursor() as cursor, steps("vacuum and analyze", len(vacuumed)) as bar:
            for table in vacuumed:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
                bar.update()
    result.phases = steps.seconds
    result.seconds = time.perf_counter() - started
    return result


EPISODE_FIELDS = [
    "id", "uuid", "patient_id", "reporter_id", "source", "started_at", "duration_seconds", "body_parts",
    "state", "pattern", "stops_when_held_or_woken", "signs", "unsure_signs", "temperature_c", "notes",
    "convulsive", "triage", "level", "rule_set_version", "content_hash", "review_case_id", "status",
    "entered_in_error_reason", "created_at", "updated_at",
]
CASE_FIELDS = ["id", "uuid", "clinic_id", "patient_id", "level", "status", "reasons", "opened_at",
               "updated_at", "oldest_unacknowledged_at", "acknowledged_at", "resolved_at", "outcome",
               "previous_id"]
# One planned episode: (id, child, microseconds after the window's start, shape, case id, seconds
# from the episode to its report).
Planned = tuple[int, int, int, int, int | None, int]


def _episodes(size: Size, writer: Writer, steps: Steps, rng: random.Random, now: datetime,
              window_start: datetime, births: list[date], patient_clinic: list[int], first_user: int,
              first_patient: int, *, counted: bool) -> tuple[dict[str, int], int, int]:
    """Episodes, their history rows and the review cases they open; returns (levels, cases, n)."""
    pool, weights = shapes(now, rng)
    cumulative = list(_accumulate(weights))
    # Some families report far more than others: a heavy tail of episodes per child.
    per_child = [rng.paretovariate(1.6) for _ in range(size.patients)]
    rest = max(size.episodes - min(BIG_CHILD_EPISODES, size.episodes // 4), 0)
    scale = rest / (sum(per_child[1:]) or 1)
    quota = [0] + [int(w * scale) for w in per_child[1:]]
    for child in rng.sample(range(1, size.patients), min(rest - sum(quota), size.patients - 1)):
        quota[child] += 1  # what the rounding down left, one each to some children
    quota[0] = size.episodes - sum(quota[1:])  # the long diary
    # Episodes of each child, in time order: which case each one opens, raises or joins.
    first_episode = next_ids(Episode)
    first_case = next_ids(ReviewCase)
    case_rows: list[tuple] = []
    next_case = [first_case]
    levels = dict.fromkeys(RANK, 0)
    horizon = now - timedelta(minutes=5)
    tick = timedelta(microseconds=1)

    def plan() -> Iterator[Planned]:
        # Rows go in in time order, as a clinic's reports arrive: a month's episodes sit
        # together on disk, as they do in production (scattered rows would cost every
        # range query a random read per row). Each child's open case is kept by child.
        moments: list[tuple[int, int]] = []
        for child in range(size.patients):
            n = quota[child]
            if not n:
                continue
            born = datetime.combine(births[child], datetime.min.time(), tzinfo=UTC) + timedelta(hours=1)
            start = (max(born, window_start) - window_start) / tick
            span = (min(born + timedelta(days=400), horizon) - window_start) / tick - start
            moments += [(int(start + rng.random() * span), child) for _ in range(n)]
        moments.sort()
        open_case: dict[int, list[Any]] = {}  # child -> [id, level, opened, ack, resolved, reasons, previous]
        episode_id = first_episode
        for offset, child in moments:
            index = bisect.bisect(cumulative, rng.random() * cumulative[-1])
            shape = pool[index]
            level = shape.level
            levels[level] += 1
            case_id = None
            if level in CASE_LEVELS:
                started_at = window_start + timedelta(microseconds=offset)
                case = open_case.get(child)
                if case is None or (case[4] is not None and case[4] <= started_at):
                    previous = case[0] if case is not None else None
                    if case is not None:
                        case_rows.append(_case_row(case, first_patient + child, patient_clinic[child], now))
                    wait = 40 if RANK[level] > 1 else 300  # minutes, on average
                    ack = started_at + timedelta(minutes=rng.expovariate(1 / wait))
                    resolved = ack + timedelta(hours=rng.expovariate(1 / 20))
                    next_case[0] += 1
                    case = open_case[child] = [next_case[0] - 1, level, started_at,
                                               ack if ack < now else None,
                                               resolved if resolved < now else None,
                                               shape.triage["reasons"], previous]
                elif RANK[level] > RANK[case[1]]:
                    case[1] = level
                case_id = case[0]
            yield episode_id, child, offset, index, case_id, rng.randint(5, 1800)
            episode_id += 1
        for child, case in open_case.items():
            case_rows.append(_case_row(case, first_patient + child, patient_clinic[child], now))

    history = Episode.history.model
    first_history = next_ids(history)
    if writer.pg:
        # Even when replica mode keeps it from firing, the insert trigger would have every
        # new row (1.3 KB each) kept for its transition table: it is dropped for the load.
        with rollups.inserts_uncounted() as dropped:
            count = _pg_episodes(plan(), pool, size, writer, steps, now, window_start, first_user,
                                 first_patient, first_history - first_episode,
                                 counted=counted and not dropped)
    else:
        count = _orm_episodes(plan(), pool, size, writer, steps, now, window_start, first_user,
                              first_patient, first_history)
    # The cases come last (foreign keys are checked at commit on both databases).
    with steps("review cases", len(case_rows)) as bar:
        writer.write(ReviewCase, CASE_FIELDS, case_rows, progress=bar)
    return levels, len(case_rows), count


def _orm_episodes(planned: Iterator[Planned], pool: list[Shape], size: Size, writer: Writer, steps: Steps,
                  now: datetime, window_start: datetime, first_user: int, first_patient: int,
                  first_history: int) -> int:
    """SQLite: whole rows, in chunks; each chunk is kept only until its history rows are written."""
    history_fields = [*EPISODE_FIELDS, "history_id", "history_date", "history_type", "history_user_id"]
    history_fields.remove("updated_at")
    history_fields.append("updated_at")

    def rows() -> Iterator[tuple]:
        for episode_id, child, offset, index, case_id, delay in planned:
            shape, uid = pool[index], uuid.uuid4()
            started_at = window_start + timedelta(microseconds=offset)
            created = min(started_at + timedelta(seconds=delay), now)
            f = shape.fields
            yield (episode_id, uid, first_patient + child, first_user + child, "parent", started_at,
                   f["duration_seconds"], f["body_parts"], f["state"], f["pattern"],
                   f["stops_when_held_or_woken"], f["signs"], NO_SIGNS, f["temperature_c"], "",
                   shape.convulsive, shape.triage, shape.level, RULE_SET_VERSION, uid.hex, case_id,
                   "active", "", created, created)

    history = Episode.history.model
    count = 0
    generated = rows()
    with steps("episodes + history", size.episodes) as bar:
        while chunk := list(itertools.islice(generated, 50_000)):
            writer.write(Episode, EPISODE_FIELDS, chunk)
            writer.write(history, history_fields, (
                (*row[:-1], first_history + count + i, row[-2], "+", row[3], row[-1])
                for i, row in enumerate(chunk)
            ))
            count += len(chunk)
            bar.update(len(chunk))
    return count


def _pg_episodes(planned: Iterator[Planned], pool: list[Shape], size: Size, writer: Writer, steps: Steps,
                 now: datetime, window_start: datetime, first_user: int, first_patient: int,
                 history_offset: int, *, counted: bool) -> int:
    """PostgreSQL: the plan goes in by COPY as narrow rows, episodes and history are made from it.

    Python sends some 40 bytes an episode instead of two 1.3 KB rows, and PostgreSQL copies
    each shape's JSON as it is stored instead of parsing it again for every row: the triage,
    the same for thousands of rows, is given once per statement as an array of values.
    In chunks, planned by a thread while the database writes the chunk before (its waits
    release the GIL), so Python's time and PostgreSQL's overlap.
    """
    history = Episode.history.model
    started = "(%(window)s::timestamptz + s.offset_us * interval '1 microsecond')"
    created = f"LEAST({started} + s.delay_s * interval '1 second', %(now)s::timestamptz)"
    shaped = {
        name: f"({_pg_array([value(shape) for shape in pool], cast, writer)})[s.shape]"
        for name, cast, value in (
            ("duration_seconds", "integer", lambda shape: shape.fields["duration_seconds"]),
            ("body_parts", "jsonb", lambda shape: shape.fields["body_parts"]),
            ("state", "text", lambda shape: shape.fields["state"]),
            ("pattern", "text", lambda shape: shape.fields["pattern"]),
            ("stops_when_held_or_woken", "text", lambda shape: shape.fields["stops_when_held_or_woken"]),
            ("signs", "jsonb", lambda shape: shape.fields["signs"]),
            ("temperature_c", "numeric", lambda shape: shape.fields["temperature_c"]),
            ("convulsive", "boolean", lambda shape: shape.convulsive),
            ("triage", "jsonb", lambda shape: shape.triage),
            ("level", "text", lambda shape: shape.level),
        )
    }
    episode = {
        "id": "s.id", "uuid": "s.uuid", "patient_id": "s.patient_id", "reporter_id": "s.reporter_id",
        "source": "'parent'", "started_at": started, **shaped,
        "unsure_signs": f"'{writer.json_text(NO_SIGNS)}'::jsonb", "notes": "''",
        "rule_set_version": "%(rule_set)s", "content_hash": "replace(s.uuid::text, '-', '')",
        "review_case_id": "s.review_case_id", "status": "'active'", "entered_in_error_reason": "''",
        "created_at": created, "updated_at": created,
    }
    params: dict[str, Any] = {"window": window_start, "now": now, "rule_set": RULE_SET_VERSION}
    statements = [("episodes", _insert_from_plan(Episode, episode, params)),
                  ("history", _insert_from_plan(history, {
                      **episode, "history_id": f"s.id + {int(history_offset)}", "history_date": created,
                      "history_type": "'+'", "history_user_id": "s.reporter_id",
                  }, params))]
    if not counted:
        keys = [(n + 1, "level", shape.level) for n, shape in enumerate(pool)]
        keys += [(n + 1, "rule", key) for n, shape in enumerate(pool)
                 for key in rollups.rule_keys(shape.triage)]
        params.update(k_shape=[k[0] for k in keys], k_kind=[k[1] for k in keys], k_key=[k[2] for k in keys])
        # Grouped by shape first: a shape's rules are known, not read from each row.
        statements.append(("daily counts", rollups.pg_add(
            "SELECT g.clinic_id, g.day, k.kind, k.key, g.n FROM ("  # noqa: S608 - fixed text
            f"SELECT p.clinic_id, {rollups.pg_day(started)} AS day, s.shape, COUNT(*) AS n "
            "FROM scale_plan s JOIN clinic_patient p ON p.id = s.patient_id "
            "JOIN clinic_clinic c ON c.id = p.clinic_id GROUP BY 1, 2, 3) g "
            "JOIN unnest(%(k_shape)s::integer[], %(k_kind)s::text[], %(k_key)s::text[]) "
            "AS k (shape, kind, key) ON k.shape = g.shape"
        )))

    chunks: queue.Queue[tuple[str, int] | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: tuple[str, int] | BaseException | None) -> bool:
        """False once the writing thread has given up (then the plan is dropped)."""
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        # Version 4 UUIDs made here, where there is time to spare, not by the database;
        # from the system's randomness, so a second seed in the same database differs.
        bits = random.Random().getrandbits  # noqa: S311 - invented identifiers, not secrets
        keep, version = ~(0xF000 << 64 | 0xC000 << 48) & (1 << 128) - 1, 0x4000 << 64 | 0x8000 << 48
        try:
            lines: list[str] = []
            for episode_id, child, offset, index, case_id, delay in planned:
                case = COPY_NULL if case_id is None else case_id
                lines.append(f"{episode_id}\t{first_patient + child}\t{first_user + child}\t{offset}\t"
                             f"{index + 1}\t{case}\t{delay}\t{bits(128) & keep | version:032x}\n")
                if len(lines) == PLAN_CHUNK:
                    if not put(("".join(lines), len(lines))):
                        return
                    lines = []
            if lines:
                put(("".join(lines), len(lines)))
            put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the writing thread, which raises it
            put(exc)

    count = 0
    producer = threading.Thread(target=produce, name="seed-plan", daemon=True)
    with connection.cursor() as cursor, steps("episodes + history", size.episodes) as bar:
        # Temporary and dropped at commit; a failed seed rolls it back with the rest.
        cursor.execute("CREATE TEMPORARY TABLE scale_plan (id bigint, patient_id bigint, "
                       "reporter_id integer, offset_us bigint, shape integer, review_case_id bigint, "
                       "delay_s integer, uuid uuid NOT NULL) ON COMMIT DROP")
        # Read back in the order written: the episodes go in in time order.
        cursor.execute("SET LOCAL synchronize_seqscans = off")
        producer.start()
        try:
            while True:
                waited = time.perf_counter()
                item = chunks.get()
                steps.add("  waiting for the plan", time.perf_counter() - waited)
                if isinstance(item, BaseException):
                    raise item
                if item is None:
                    break
                text, n = item
                clock = time.perf_counter()
                cursor.execute("TRUNCATE scale_plan")
                with cursor.cursor.copy("COPY scale_plan (id, patient_id, reporter_id, offset_us, shape, "
                                        "review_case_id, delay_s, uuid) FROM STDIN") as copy:
                    copy.write(text)
                steps.add("  plan COPY", time.perf_counter() - clock)
                for label, sql in statements:
                    clock = time.perf_counter()
                    cursor.execute(sql, params)
                    steps.add(f"  {label}", time.perf_counter() - clock)
                count += n
                bar.update(n)
        finally:
            stop.set()
            producer.join()
        cursor.execute("DROP TABLE scale_plan")  # a caller's transaction may seed again
    return count


def _insert_from_plan(model: type[models.Model], columns: dict[str, str], params: dict[str, Any]) -> str:
    """INSERT ... SELECT of ``model`` rows from ``scale_plan s``; other columns get their default."""
    names, values = [], []
    for f in model._meta.concrete_fields:
        names.append(f.column)
        if f.attname in columns:
            values.append(columns[f.attname])
        else:
            params[f"default_{f.attname}"] = f.get_db_prep_save(f.get_default(), connection)
            values.append(f"%(default_{f.attname})s")
    # Fixed text: the model's own table and columns, and this module's expressions.
    return (f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM scale_plan s")


def _pg_array(values: Sequence[object], cast: str, writer: Writer) -> str:
    """A constant array literal of ``values`` (JSON for jsonb), escaped for a %-format statement."""
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
            continue
        if cast == "jsonb":
            text = writer.json_text(value)
        elif isinstance(value, bool):
            text = "t" if value else "f"
        else:
            text = str(value)
        items.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
    literal = "{" + ",".join(items) + "}"
    return "'" + literal.replace("'", "''").replace("%", "%%") + f"'::{cast}[]"


def _case_row(case: list[Any], patient_id: int, clinic_id: int, now: datetime) -> tuple:
    case_id, level, opened, ack, resolved, reasons, previous = case
    if resolved is not None:
        status = CaseStatus.RESOLVED
    elif ack is not None:
        status = CaseStatus.ACKNOWLEDGED
    else:
        status = CaseStatus.OPEN
    outcome = CaseOutcome.values[case_id % len(CaseOutcome.values)] if resolved else ""
    return (case_id, uuid.uuid4(), clinic_id, patient_id, level, status, reasons, opened,
            resolved or ack or opened, opened if status == CaseStatus.OPEN else None, ack, resolved,
            outcome, previous)


def _accumulate(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _evaluations(size: Size, writer: Writer, rng: random.Random, now: datetime, window_start: datetime,
                 births: list[date], patient_clinic: list[int], first_patient: int,
                 clinicians: dict[int, list[int]]) -> int:
    """Signed evaluations with two or three findings each, and a suggestion for some."""
    rules = list(CATALOGUE.values())
    codes = list(CODES)
    first_evaluation = next_ids(Evaluation)
    evaluation_rows, finding_rows, suggestion_rows = [], [], []
    for n in range(size.evaluations):
        child = rng.randrange(size.patients)
        born = datetime.combine(births[child], datetime.min.time(), tzinfo=UTC)
        start = max(born + timedelta(days=7), window_start)
        performed = start + timedelta(seconds=rng.random() * max((now - start).total_seconds(), 60))
        performed = min(performed, now)
        age_days = (performed.date() - births[child]).days
        clinic = patient_clinic[child]
        evaluation_id = first_evaluation + n
        evaluation_rows.append((
            evaluation_id, uuid.uuid4(), first_patient + child, clinicians[clinic][0], performed,
            age_days, age_days, "chronological", "normal", "signed", performed, clinicians[clinic][0],
            performed, performed,
        ))
        for position, info in enumerate(rng.sample(rules, rng.randint(1, 3))):
            finding_rows.append((evaluation_id, position, info.rule, str(info.level), info.kind,
                                 info.summary, info.source))
        if n % 3 == 0:
            status = rng.choice(["suggested", "accepted", "dismissed"])
            suggestion_rows.append((
                uuid.uuid4(), first_patient + child, evaluation_id, rng.choice(codes),
                "urgent" if n % 7 == 0 else "soon",
                [{"rule": finding_rows[-1][2], "level": finding_rows[-1][3], "explanation": "",
                  "source": ""}],
                status, "not needed now" if status == "dismissed" else "", performed,
            ))
    writer.write(Evaluation, ["id", "uuid", "patient_id", "clinician_id", "performed_at",
                              "age_chronological_days", "age_corrected_days", "age_uses", "tone", "status",
                              "signed_at", "signed_by_id", "created_at", "updated_at"],
                 evaluation_rows)
    writer.write(Finding, ["evaluation_id", "position", "rule", "level", "kind", "explanation", "source"],
                 finding_rows)
    writer.write(Suggestion, ["uuid", "patient_id", "evaluation_id", "code", "priority", "reasons",
                              "status", "dismiss_reason", "created_at"],
                 suggestion_rows)
    return len(evaluation_rows)


__all__ = ["Level", "Result", "Size", "seed"]
