"""Shared fixtures: a small world of two clinics, their staff, two families."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs the property tests derandomised and without per-example deadlines, so a
# loaded runner cannot turn a slow example into a red build; locally they explore.
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

# Django imports stay inside fixtures so the pure rule tests run without Django set up.


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """The Spanish pages need the .mo that `make install` compiles; compile here too (polib,
    rewritten only when the .po changed), so a bare `pytest` after a catalog edit, or in a
    fresh copy, reads the catalog as it is in the repository."""
    from pathlib import Path

    from clinic.catalogs import compile_all

    compile_all(Path(__file__).resolve().parents[1])


# --- Clock shift: prove that no test depends on today's date.
#
# `pytest --clock-shift-days=365` moves the clock that many days ahead for the whole
# session (ticking, so durations still pass), before any fixture or module-level
# date is computed. A test that passes only today fails under it. The shift exists
# only when the option is given on the command line: it is never set from addopts
# or the environment, so a normal run always sees the real clock.


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-shift-days",
        type=int,
        default=0,
        metavar="DAYS",
        help="run the whole session with the clock moved DAYS days (may be negative)",
    )


_CLOCK_SHIFT = pytest.StashKey[Any]()


def pytest_configure(config: pytest.Config) -> None:
    days = config.getoption("clock_shift_days")
    if not days:
        return
    import time_machine

    traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
    traveller.start()
    config.stash[_CLOCK_SHIFT] = traveller
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: pytest.Config) -> str | None:
    if _CLOCK_SHIFT not in config.stash:
        return None
    days = config.getoption("clock_shift_days")
    return f"clock shifted {days:+d} days: tests run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"


@pytest.fixture(scope="session", autouse=True)
def _flush_past_audit_guard() -> None:
    """Let transactional tests empty the audit table between tests on PostgreSQL.

    Django flushes with TRUNCATE, which the append-only trigger refuses. The test role is
    a superuser, so it may skip triggers for the flush transaction only; the app's role in
    production is not, and cannot (README, "Database roles").
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    if getattr(original, "_skips_triggers", False):
        return

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        return ["SET LOCAL session_replication_role = replica", *statements] if statements else []

    sql_flush._skips_triggers = True  # type: ignore[attr-defined]
    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The shared cache (throttles, rate limits) lives in a table, as in production."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _fresh_cache(request: Any) -> None:
    """Throttle counts from one test never reach the next (the cache table is not flushed)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or any(
        name in request.fixturenames for name in ("db", "transactional_db", "django_db_setup"))
    if uses_db:
        from django.core.cache import cache

        request.getfixturevalue("django_db_setup")  # the test database, not the real one
        with request.getfixturevalue("django_db_blocker").unblock():
            cache.clear()


@pytest.fixture(autouse=True)
def _isolated_media(request: Any, tmp_path: Any) -> None:
    if "django_db_setup" in request.fixturenames or "db" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    clinic: Any
    other_clinic: Any
    patient: Any  # child of `parent`, in `clinic`
    other_patient: Any  # child of `other_parent`, in `clinic`
    foreign_patient: Any  # in `other_clinic`
    parent: Any
    other_parent: Any
    clinician: Any
    reviewer: Any
    clinic_admin: Any
    other_clinician: Any

    def user(self, name: str) -> Any:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def world(db: Any) -> World:
    from clinic.models import Role
    from tests.factories import (
        ClinicFactory,
        GuardianshipFactory,
        MembershipFactory,
        PatientFactory,
        UserFactory,
    )

    clinic = ClinicFactory(name="Riverside")
    other_clinic = ClinicFactory(name="Hillcrest")
    patient = PatientFactory(clinic=clinic, given_name="Noah")
    other_patient = PatientFactory(clinic=clinic, given_name="Mila")
    foreign_patient = PatientFactory(clinic=other_clinic, given_name="Ava")
    parent = UserFactory(username="parent")
    other_parent = UserFactory(username="otherparent")
    GuardianshipFactory(user=parent, patient=patient)
    GuardianshipFactory(user=other_parent, patient=other_patient)
    clinician = MembershipFactory(clinic=clinic, role=Role.CLINICIAN,
                                  user__username="clinician").user
    reviewer = MembershipFactory(clinic=clinic, role=Role.REVIEWER, user__username="reviewer").user
    clinic_admin = MembershipFactory(clinic=clinic, role=Role.CLINIC_ADMIN,
                                     user__username="clinicadmin", user__is_staff=True).user
    other_clinician = MembershipFactory(clinic=other_clinic, role=Role.CLINICIAN,
                                        user__username="otherclinician").user
    return World(clinic, other_clinic, patient, other_patient, foreign_patient, parent,
                 other_parent, clinician, reviewer, clinic_admin, other_clinician)


@pytest.fixture
def api() -> Any:
    from rest_framework.test import APIClient

    return APIClient()


def shows_word(html: str, word: str) -> bool:
    """Whether the page's text shows ``word`` as a word. Tags and their attributes are
    left out: a CSRF token or a CSP nonce is random and holds a short name by chance now
    and then (one run in a few thousand found "Ava" in one)."""
    import re

    from django.utils.html import strip_tags

    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", strip_tags(html)) is not None


def client_for(client: Any, user: Any) -> Any:
    """Log ``client`` in as ``user`` (None stays anonymous) and return it."""
    if user is not None:
        client.force_login(user)
    return client



@pytest.fixture(autouse=True)
def _no_language_carried_over() -> Any:
    """Each test starts in the site language: a test that activates Spanish (the API answers
    in the request's language) must not leave the next one's error page in Spanish."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
