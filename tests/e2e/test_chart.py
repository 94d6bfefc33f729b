"""A doctor charts the preterm demo baby and orders a test; the father then sees it in the portal."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


def logout(page) -> None:
    # The phone layout folds the navbar away; a fresh session is the same as logging out.
    page.context.clear_cookies()


def test_doctor_charts_preterm_baby_and_parent_sees_the_order(page, live_server, demo):
    from evaluations.models import Evaluation, FollowUpOrder

    lucia = demo.patients["preterm"]
    login(page, live_server.url, "doctor")
    page.goto(f"{live_server.url}{lucia.get_absolute_url()}")
    page.click("[data-testid=new-evaluation]")
    page.wait_for_load_state("networkidle")

    # Born at 32 weeks, about 7 months old: the norms use the corrected age (about 5 months).
    assert page.locator("[data-testid=norm-age-basis]").inner_text() == "corrected age"
    assert "5 months corrected" in page.locator("[data-testid=norm-age]").inner_text()
    assert page.locator("[data-testid=milestone]").count() > 0  # the 4-month checklist

    page.fill("#id_history", "Right arm seems weaker; jerks when falling asleep.")
    page.select_option("#id_rx_moro_left", "present")
    page.select_option("#id_rx_moro_right", "absent")
    page.click("label[for=id_tone_3]")  # increased
    # htmx posts the form on change and swaps in the findings (no inline script under the CSP).
    live = page.locator("[data-testid=live-findings]")
    live.filter(has_text="TONE-INCREASED").wait_for()
    assert "RX-MORO-ASYMMETRIC" in live.inner_text()
    page.locator("[data-testid=live-suggestions] [data-code=brain_mri]").wait_for()
    screenshot(page, "chart-evaluation-form")

    page.click("[data-testid=sign]")
    page.wait_for_load_state("networkidle")
    assert "Signed" in page.locator("[data-testid=evaluation-status]").inner_text()
    assert "corrected age" in page.locator("[data-testid=evaluation-age]").inner_text()
    page.click("[data-testid=accept-brain_mri]")
    # Accepting changes the suggestion in place (htmx): wait for its block, not a page load.
    notice = page.locator("[data-code=brain_mri] [data-testid=suggestion-notice]")
    notice.wait_for()
    assert "Ordered: Brain MRI" in notice.inner_text()
    screenshot(page, "chart-evaluation-signed")
    evaluation = Evaluation.objects.get(patient=lucia)
    assert evaluation.status == "signed" and evaluation.age_uses == "corrected"
    assert FollowUpOrder.objects.get(patient=lucia).code == "brain_mri"

    page.goto(f"{live_server.url}/patients/{lucia.uuid}/chart/")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "Evaluation" in timeline and "Ordered: Brain MRI" in timeline
    screenshot(page, "chart-timeline")
    logout(page)

    login(page, live_server.url, "parent2")
    page.click("text=Lucia")
    page.wait_for_load_state("networkidle")
    orders = page.locator("[data-testid=orders-card]")
    assert "Brain MRI" in orders.inner_text()
    assert "magnet" in orders.locator("[data-testid=order-explanation]").first.inner_text()
    content = page.content()
    assert "RX-MORO" not in content and "Evaluation" not in content
    screenshot(page, "chart-parent-sees-order")
