"""Admin changelists of the big tables: deep pages by keys first, no full count, no year links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import paging
from episodes.models import Episode
from tests.review.review_factories import episode

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ROWS = 640


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def many(world):
    Episode.objects.bulk_create([
        episode(world.patient if n % 3 else world.foreign_patient, world.parent,
                started_at=NOW - timedelta(minutes=n // 2), save=False)  # ties on started_at
        for n in range(ROWS)
    ])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE episodes_episode")


def test_deep_pages_hold_the_same_rows_in_the_same_order(many):
    queryset = Episode.objects.order_by("-started_at", "-id")
    paginator = paging.LargeTablePaginator(queryset, 100)
    expected = list(queryset.values_list("pk", flat=True))
    seen = []
    for number in paginator.page_range:
        page = paginator.page(number)
        seen += [row.pk for row in page.object_list]
    assert seen == expected and len(seen) == ROWS
    assert paginator.count == ROWS and not paginator.estimated  # few rows: counted exactly


def test_a_deep_page_asks_for_its_keys_then_its_rows(many):
    queryset = Episode.objects.order_by("-started_at", "-id")
    paginator = paging.LargeTablePaginator(queryset, 100)
    paginator.count  # noqa: B018 - counted before, so only the page's queries are captured
    with CaptureQueriesContext(connection) as ctx:
        rows = list(paginator.page(7).object_list)
    assert [row.pk for row in rows] == list(queryset.values_list("pk", flat=True)[600:700])
    assert len(ctx.captured_queries) == 2
    assert "OFFSET 600" in ctx.captured_queries[0]["sql"]
    assert "OFFSET" not in ctx.captured_queries[1]["sql"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row estimates: it counts")
def test_above_the_threshold_the_count_is_the_planners_estimate(many, monkeypatch):
    monkeypatch.setattr(paging, "EXACT_BELOW", 100)
    paginator = paging.LargeTablePaginator(Episode.objects.order_by("-started_at", "-id"), 100)
    with CaptureQueriesContext(connection) as ctx:
        count = paginator.count
    assert paginator.estimated
    assert abs(count - ROWS) <= ROWS * 0.2
    assert all("COUNT(" not in q["sql"].upper() for q in ctx.captured_queries)
    # A page past the estimate's end is empty rather than a 404.
    assert list(paginator.page(paginator.num_pages + 3).object_list) == []


def test_episode_changelist_has_no_year_links_and_no_full_count(client, world, many, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    url = reverse("admin:episodes_episode_changelist")
    with CaptureQueriesContext(connection) as first:
        page_one = client.get(url)
    with CaptureQueriesContext(connection) as deep:
        page_seven = client.get(url, {"p": 7})
    assert page_one.status_code == page_seven.status_code == 200
    assert page_one.context["cl"].date_hierarchy is None
    assert page_one.context["cl"].full_result_count is None  # show_full_result_count = False
    assert [e.pk for e in page_seven.context["cl"].result_list] == list(
        Episode.objects.order_by("-started_at", "-id").values_list("pk", flat=True)[600:640])
    sql = " ".join(q["sql"] for q in first.captured_queries).upper()
    assert "DATE_TRUNC" not in sql and "DJANGO_DATETIME_TRUNC" not in sql
    assert len(deep.captured_queries) <= len(first.captured_queries) + 1


def test_staff_page_only_their_clinics_episodes(client, world, many):
    from django.contrib.auth.models import Permission

    world.clinician.is_staff = True
    world.clinician.save(update_fields=["is_staff"])
    world.clinician.user_permissions.add(Permission.objects.get(codename="view_episode"))
    client.force_login(world.clinician)
    url = reverse("admin:episodes_episode_changelist")
    visible = Episode.objects.filter(patient__clinic=world.clinic).order_by("-started_at", "-id")
    shown = []
    for number in (1, 2, 3, 4, 5):
        response = client.get(url, {"p": number})
        shown += [e.pk for e in response.context["cl"].result_list]
    assert shown == list(visible.values_list("pk", flat=True))
    assert not Episode.objects.filter(pk__in=shown, patient=world.foreign_patient).exists()


def test_review_case_changelist_has_no_year_links(client, world, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:clinic_reviewcase_changelist"))
    assert page.status_code == 200 and page.context["cl"].date_hierarchy is None
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert "DATE_TRUNC" not in sql and "DJANGO_DATETIME_TRUNC" not in sql
