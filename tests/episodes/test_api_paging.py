"""The episodes list pages by cursor: every row once, newest first, as fast deep as on page 1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import AuditEvent
from episodes.models import Episode
from episodes.triage import RULE_SET_VERSION
from tests.episodes.helpers import ROUTINE

LIST = "/api/v1/episodes/"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
_TRIAGE = {"level": "routine", "headline": "h", "advice": "a", "reasons": []}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def diary(patient, reporter, n: int, *, ties: int = 1) -> list[Episode]:
    """``n`` episodes, ``ties`` at a time sharing one start time (bulk: the test reads)."""
    return Episode.objects.bulk_create([
        Episode(patient=patient, reporter=reporter, started_at=NOW - timedelta(hours=1 + i // ties),
                triage=_TRIAGE, level="routine", rule_set_version=RULE_SET_VERSION,
                content_hash="x", **ROUTINE)
        for i in range(n)
    ])


def walk(api, url, params=None):
    """Every page from ``url`` by its ``next`` links: (ids in order, pages)."""
    ids, pages = [], 0
    body = api.get(url, params or {}).json()
    while True:
        pages += 1
        ids += [row["id"] for row in body["results"]]
        if not body["next"]:
            return ids, pages
        body = api.get(body["next"]).json()


def test_pages_list_each_episode_once_newest_first_even_with_equal_times(api, world):
    diary(world.patient, world.parent, 23, ties=3)  # runs of three share one started_at
    api.force_authenticate(world.clinician)
    ids, pages = walk(api, LIST, {"page_size": 5})
    expected = [str(u) for u in Episode.objects.order_by("-started_at", "-id").values_list("uuid", flat=True)]
    assert ids == expected and pages == 5
    first = api.get(LIST, {"page_size": 5}).json()
    assert set(first) == {"next", "previous", "results"}  # no count: nothing scans the table
    back = api.get(api.get(first["next"]).json()["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[:5]


def test_the_cursor_keeps_the_filters_and_access(api, world):
    diary(world.patient, world.parent, 7)
    diary(world.other_patient, world.other_parent, 4)
    diary(world.foreign_patient, world.other_clinician, 3)
    api.force_authenticate(world.parent)
    ids, _ = walk(api, LIST, {"page_size": 2})
    assert set(ids) == {str(u) for u in world.patient.episodes.values_list("uuid", flat=True)}
    api.force_authenticate(world.clinician)
    ids, _ = walk(api, LIST, {"page_size": 3, "patient": str(world.other_patient.uuid)})
    assert set(ids) == {str(u) for u in world.other_patient.episodes.values_list("uuid", flat=True)}
    ids, _ = walk(api, LIST, {"page_size": 50})
    assert len(ids) == 11  # Riverside only, never Hillcrest's child
    # A made-up or tampered cursor is a 404 answer from the paginator, not a 500.
    assert api.get(LIST, {"cursor": "not-a-cursor"}).status_code == 404


def test_each_page_is_audited_for_the_children_it_shows(api, world):
    diary(world.patient, world.parent, 3)
    diary(world.other_patient, world.other_parent, 3)
    api.force_authenticate(world.clinician)
    page = api.get(LIST, {"page_size": 2}).json()
    shown = {row["patient"] for row in page["results"]}
    read = AuditEvent.objects.filter(actor=world.clinician, action="read", object_type="episode")
    assert {str(p.uuid) for p in (e.patient for e in read)} == shown


def test_a_deep_page_costs_what_page_one_does(api, world):
    diary(world.patient, world.parent, 600)
    api.force_authenticate(world.clinician)
    with CaptureQueriesContext(connection) as first:
        body = api.get(LIST, {"page_size": 20}).json()
    for _ in range(20):  # to page 21
        body = api.get(body["next"]).json()
    with CaptureQueriesContext(connection) as deep:
        api.get(body["next"])
    assert len(deep.captured_queries) == len(first.captured_queries)
    (listing,) = [q["sql"] for q in deep.captured_queries if 'FROM "episodes_episode"' in q["sql"]
                  and "episodes_episode\".\"started_at\" <" in q["sql"]]
    assert "OFFSET" not in listing.upper()  # a range on the index, not skipped rows
    assert "COUNT(" not in " ".join(q["sql"] for q in deep.captured_queries).upper()


def test_page_size_is_capped(api, world):
    diary(world.patient, world.parent, 230)
    api.force_authenticate(world.clinician)
    assert len(api.get(LIST, {"page_size": 1000}).json()["results"]) == 200
    assert len(api.get(LIST).json()["results"]) == 50


def test_the_schema_describes_cursor_paging(api, world):
    api.force_authenticate(world.clinician)
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/episodes/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"cursor", "page_size", "patient", "level"} <= names and "page" not in names
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(page["properties"]) == {"next", "previous", "results"}
