"""A reviewer opens the dashboard, follows the urgent count to the queue, assigns and
resolves a case; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def review_demo(demo):
    from review import demo as review_demo

    review_demo.seed(demo)
    return demo


def test_reviewer_works_an_urgent_case(page, live_server, review_demo):
    login(page, live_server.url, "reviewer")
    page.goto(f"{live_server.url}/review/dashboard/")
    urgent = page.locator("[data-testid=open-urgent] [data-testid=count]")
    assert urgent.inner_text() == "1"
    assert page.locator("[data-testid=open-overdue] [data-testid=count]").inner_text() == "2"
    assert page.locator("[data-testid=episodes-chart]").count() == 1
    assert screenshot(page, "review-dashboard").stat().st_size > 0

    page.click("[data-testid=open-urgent]")
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=queue-row]")
    assert rows.count() == 1
    row = rows.first
    assert row.get_attribute("data-level") == "urgent"
    assert "Ivy Moreno" in row.inner_text()
    assert row.locator("[data-testid=overdue]").inner_text().strip().endswith("Overdue")
    assert "EP-NOT-SUPPRESSIBLE" in row.inner_text()
    assert screenshot(page, "review-queue-urgent").stat().st_size > 0

    row.locator("[data-testid=case-link]").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[data-testid=assign-form] select[name=assignee]", label="Dana Okafor")
    page.click("[data-testid=assign-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=case-assignee]").inner_text() == "Dana Okafor"

    page.select_option("[data-testid=resolve-form] select[name=outcome]", "reassured")
    page.fill("[data-testid=resolve-form] textarea[name=family_message]",
              "The video shows normal movements; call us if it happens again.")
    page.fill("[data-testid=resolve-form] textarea[name=note]", "Video reviewed: benign.")
    page.click("[data-testid=resolve-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=case-status]").inner_text() == "Resolved: Parents reassured"
    assert "Video reviewed: benign." in page.locator("[data-testid=case-notes]").inner_text()
    assert screenshot(page, "review-case-resolved").stat().st_size > 0

    page.goto(f"{live_server.url}/review/dashboard/")
    assert page.locator("[data-testid=open-urgent] [data-testid=count]").inner_text() == "0"


def test_clinic_admin_sees_the_summary_on_the_admin_index(page, live_server, review_demo):
    login(page, live_server.url, "clinicadmin")
    page.goto(f"{live_server.url}/admin/")
    summary = page.locator("[data-testid=admin-review-summary]")
    assert summary.count() == 1
    assert page.locator("[data-testid=admin-overdue]").inner_text() == "2"
    assert summary.locator("svg.chart").count() == 1
    assert screenshot(page, "review-admin-index").stat().st_size > 0
    page.click("[data-testid=admin-overdue]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=queue-row]").count() == 2
