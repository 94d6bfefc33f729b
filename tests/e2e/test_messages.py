"""Secure messages in a real browser on a phone: the parent asks, the doctor answers from
the inbox, the parent reads the answer and the receipt. No page scrolls sideways."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import login, screenshot


def _fits(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_message_round_trip_on_a_phone(browser, page, live_server, demo):
    login(page, live_server.url, "parent")
    noah = demo.patients["term"]
    page.goto(f"{live_server.url}/patients/{noah.uuid}/")
    page.click("[data-testid=message-link]")
    page.fill("textarea[name=body]", "His left foot jerks when he falls asleep. Normal?")
    page.click("[data-testid=message-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "His left foot jerks" in page.inner_text("[data-testid=messages]")
    assert page.inner_text("[data-testid=receipt]") == "Not read yet"
    assert _fits(page)
    screenshot(page, "messages-parent-phone")

    doctor = browser.new_context(viewport=page.viewport_size).new_page()
    login(doctor, live_server.url, "doctor")
    doctor.goto(f"{live_server.url}/messages/")
    first = doctor.locator("[data-testid=inbox-row]").first
    assert first.get_attribute("data-unread") == "1" and "Noah" in first.inner_text()
    assert _fits(doctor)
    first.click()
    doctor.fill("textarea[name=body]", "Please send a short video of the next one.")
    doctor.click("[data-testid=message-form] button[type=submit]")
    doctor.wait_for_load_state("networkidle")
    screenshot(doctor, "messages-doctor-phone")

    page.goto(f"{live_server.url}/patients/{noah.uuid}/")
    assert "1 new" in page.inner_text("[data-testid=message-link]")
    page.click("[data-testid=message-link]")
    assert "Please send a short video" in page.inner_text("[data-testid=messages]")
    assert page.inner_text("[data-testid=receipt]").startswith("Read ")
