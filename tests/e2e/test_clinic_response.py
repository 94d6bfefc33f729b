"""The loop closes in a real browser: a parent (phone, Madrid) reports an urgent episode and
waits; the reviewer lands on the queue, acknowledges the case, and the parent's page says
"seen" with the reviewer's name and the time in Madrid; the reviewer resolves with a line
for the family, and the parent's episode page and diary show that line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import axe_serious, login, screenshot
from tests.e2e.test_portal import _context, _report_lasting, _rest

pytestmark = pytest.mark.browser

ZONE = "Europe/Madrid"
FAMILY_LINE = "We watched the video: these are normal sleep movements. No visit is needed."


def test_parent_sees_the_clinic_see_and_close_the_urgent_episode(browser, live_server, demo):
    from clinic.models import ReviewCase
    from episodes.models import Episode

    parent_context, parent = _context(browser, timezone_id=ZONE)
    staff_context, reviewer = _context(browser, timezone_id=ZONE)
    try:
        _report_lasting(parent, live_server.url, minutes="2", seconds="0")
        _rest(parent, part="left_leg", state="awake", pattern="rhythmic", held="yes")
        assert parent.locator("[data-testid=triage-answer]").get_attribute("data-level") == "urgent"
        episode_url = parent.url
        response = parent.locator("[data-testid=clinic-response]")
        assert response.get_attribute("data-status") == "waiting"
        assert response.inner_text().strip() == "Waiting for the clinic to look"

        login(reviewer, live_server.url, "reviewer")
        assert reviewer.url.rstrip("/").endswith("/review")  # the reviewer lands on the queue
        row = reviewer.locator("[data-testid=queue-row]")
        assert row.count() == 1 and row.get_attribute("data-level") == "urgent"
        row.locator("[data-testid=case-link]").click()
        reviewer.wait_for_load_state("networkidle")
        family = reviewer.locator("[data-testid=family-contacts]")
        assert "Mother" in family.inner_text()
        screenshot(reviewer, "review-case-family")
        assert axe_serious(reviewer, "review-case-family") == []
        reviewer.click("[data-testid=acknowledge]")
        reviewer.wait_for_load_state("networkidle")

        case = ReviewCase.objects.get()
        seen_at = case.acknowledged_at.astimezone(ZoneInfo(ZONE))
        parent.goto(episode_url)
        response = parent.locator("[data-testid=clinic-response]")
        assert response.get_attribute("data-status") == "seen"
        assert response.inner_text().strip() == (
            f"Seen by Rae Lindqvist at {seen_at:%H:%M} on {seen_at.day} {seen_at:%b %Y}")
        assert "reviewer" not in parent.locator("main").inner_text()  # never the username
        screenshot(parent, "family-episode-seen")

        reviewer.select_option("[data-testid=resolve-form] select[name=outcome]", "reassured")
        reviewer.fill("[data-testid=resolve-form] textarea[name=family_message]", FAMILY_LINE)
        reviewer.fill("[data-testid=resolve-form] textarea[name=note]", "Benign sleep myoclonus.")
        reviewer.click("[data-testid=resolve-form] button[type=submit]")
        reviewer.wait_for_load_state("networkidle")
        assert reviewer.locator("[data-testid=case-family-message]").inner_text() == FAMILY_LINE

        parent.goto(episode_url)
        response = parent.locator("[data-testid=clinic-response]")
        assert response.get_attribute("data-status") == "closed"
        assert response.inner_text().startswith(f"Closed: {FAMILY_LINE}")
        assert "Benign sleep myoclonus" not in parent.locator("main").inner_text()
        screenshot(parent, "family-episode-closed")
        patient = Episode.objects.get().patient
        parent.goto(f"{live_server.url}/patients/{patient.uuid}/episodes/")
        assert f"Closed: {FAMILY_LINE}" in parent.locator("[data-testid=episode-list]").inner_text()
    finally:
        parent_context.close()
        staff_context.close()
