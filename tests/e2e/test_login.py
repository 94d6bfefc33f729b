"""A parent and a doctor log in and see what each may see."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_parent_sees_only_their_child(page, live_server, demo):
    login(page, live_server.url, "parent")
    cards = page.locator("[data-testid=child-card]")
    assert cards.count() == 1
    assert "Noah Chen" in cards.first.inner_text()
    assert "Lucia" not in page.content() and "Ava" not in page.content()
    cards.first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=patient-name]").inner_text() == "Noah Chen"
    assert page.locator("[data-testid=age-uses]").inner_text() == "chronological age"
    assert screenshot(page, "login-parent").stat().st_size > 0


def test_doctor_sees_clinic_patients_and_corrected_age(page, live_server, demo):
    login(page, live_server.url, "doctor")
    table = page.locator("[data-testid=patient-table]").inner_text()
    assert "Chen, Noah" in table and "Alvarez, Lucia" in table
    assert "Stone" not in table  # another clinic's patient
    page.fill("input[name=q]", "Alvarez")
    page.click("button:has-text('Search')")
    page.click("text=Alvarez, Lucia")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=age-uses]").inner_text() == "corrected age"
    assert screenshot(page, "login-doctor").stat().st_size > 0


def test_wrong_password_is_refused(page, live_server, demo):
    login(page, live_server.url, "parent", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator("[data-testid=child-card]").count() == 0
