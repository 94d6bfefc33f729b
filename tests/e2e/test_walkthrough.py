"""Each role walks its main pages with the console open: no CSP violation, no JS error, no
broken same-origin request. Parents at phone size, staff at desktop size; screenshots go to
test-artifacts/walkthrough-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import axe_serious, login, screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
CSP_WORDS = ("Content Security Policy", "Refused to apply inline style",
             "Refused to execute inline script", "Refused to load")


@pytest.fixture
def full_demo(demo: Any) -> Any:
    from episodes import demo as episodes_demo
    from evaluations import demo as evaluations_demo
    from review import demo as review_demo

    episodes_demo.seed(demo)
    evaluations_demo.seed(demo)
    review_demo.seed(demo)
    return demo


class Watch:
    """Collects what a user would never see but a broken page shows in the console."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.origin = urlsplit(base_url).netloc
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"JS error: {error}"))
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        text = message.text
        if any(word in text for word in CSP_WORDS) or (
            message.type == "error" and "Failed to load resource" not in text
        ):
            self.problems.append(f"console {message.type}: {text[:300]}")

    def _response(self, response: Any) -> None:
        if urlsplit(response.url).netloc == self.origin and response.status >= 400:
            self.problems.append(f"HTTP {response.status} {response.url}")

    def visit(self, page: Any, url: str, name: str) -> None:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() >= 1, f"{name}: no page heading"
        screenshot(page, f"walkthrough-{name}")
        assert not self.problems, f"{name}: {self.problems}"
        serious = axe_serious(page, name)
        assert not serious, f"{name}: axe-core {serious}"


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_parent_pages_on_a_phone(page, live_server, full_demo):
    base = live_server.url
    watch = Watch(page, base)
    login(page, base, "parent2")
    child = full_demo.patients["preterm"].uuid
    episode = full_demo.patients["preterm"].episodes.first()
    for name, path in [
        ("parent-children", "/"),
        ("parent-child", f"/patients/{child}/"),
        ("parent-diary", f"/patients/{child}/episodes/?level=soon"),
        ("parent-summary", f"/patients/{child}/episodes/summary/"),
        ("parent-orders", f"/patients/{child}/orders/"),
        ("parent-episode", episode.get_absolute_url()),
        ("parent-guide", "/guide/twitches/"),
        ("parent-report", f"/patients/{child}/episodes/new/"),
    ]:
        watch.visit(page, base + path, name)
    # The report form: danger questions, steps, body picture, then "Get advice" saves it.
    for name in ("breathing_difficulty", "color_change", "unresponsive"):
        page.click(f"label[for=id_sign_{name}_1]")
    page.click("[data-action=next]")
    page.fill("input[name=duration_secs]", "20")
    page.click("[data-action=next]")
    page.click("[data-part=left_leg]")
    assert page.locator("input[name=body_parts][value=left_leg]").is_checked()
    page.click("[data-action=next]")
    page.locator("input[name=state]").first.check()
    page.click("[data-action=next]")
    page.locator("input[name=pattern]").first.check()
    page.locator("input[name=stops_when_held_or_woken]").first.check()
    for _ in range(2):
        page.click("[data-action=next]")
    page.click("[data-testid=get-advice]")
    page.wait_for_selector("[data-testid=triage-answer]")
    assert page.locator("[data-testid=triage-answer] [data-testid=level-badge]").first.inner_text()
    assert not watch.problems, watch.problems
    assert not axe_serious(page, "parent-saved-episode")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_clinician_pages(desktop_page, live_server, full_demo):
    page, base = desktop_page, live_server.url
    watch = Watch(page, base)
    login(page, base, "doctor")
    child = full_demo.patients["preterm"].uuid
    for name, path in [
        ("doctor-patients", "/patients/?q=Alvarez"),
        ("doctor-patient", f"/patients/{child}/"),
        ("doctor-chart", f"/patients/{child}/chart/?kind=episode&kind=evaluation"),
        ("doctor-orders", f"/patients/{child}/orders/"),
        ("doctor-new-evaluation", f"/patients/{child}/evaluations/new/"),
    ]:
        watch.visit(page, base + path, name)
    # Live findings come through htmx: the swap must not trip the CSP either.
    page.locator("[data-testid=milestone] label:has-text('not yet')").first.click()
    page.wait_for_selector("[data-testid=live-findings]")
    assert not watch.problems, watch.problems
    watch.visit(page, base + "/api/v1/docs/", "api-docs")


def test_reviewer_pages(desktop_page, live_server, full_demo):
    page, base = desktop_page, live_server.url
    watch = Watch(page, base)
    login(page, base, "reviewer")
    watch.visit(page, base + "/review/", "reviewer-queue")
    case_url = page.locator("[data-testid=case-link]").first.get_attribute("href")
    watch.visit(page, base + case_url, "reviewer-case")
    watch.visit(page, base + "/review/dashboard/", "reviewer-dashboard")
    for kind in ("episodes", "findings", "suggestions"):
        watch.visit(page, f"{base}/review/rows/{kind}/", f"reviewer-rows-{kind}")


def test_clinic_admin_pages(desktop_page, live_server, full_demo):
    page, base = desktop_page, live_server.url
    watch = Watch(page, base)
    login(page, base, "clinicadmin")
    watch.visit(page, base + "/admin/", "admin-index")
    assert page.locator("[data-testid=admin-review-summary]").count() == 1
    watch.visit(page, base + "/admin/clinic/auditevent/", "admin-audit")
    watch.visit(page, base + "/admin/clinic/reviewcase/", "admin-review-cases")


def test_pages_nobody_signed_in_sees(page, live_server, demo):
    base = live_server.url
    watch = Watch(page, base)
    for name, path in [
        ("login", "/accounts/login/"),
        ("password-reset", "/accounts/password_reset/"),
        ("guide", "/guide/twitches/"),
    ]:
        watch.visit(page, base + path, name)


def test_parent_pages_in_dark_mode_and_the_staff_edit_pages(browser, live_server, full_demo):
    """Dark mode follows the device (data-bs-theme from prefers-color-scheme)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = context.new_page()
    try:
        base = live_server.url
        watch = Watch(page, base)
        login(page, base, "parent2")
        assert page.evaluate("document.documentElement.dataset.bsTheme") == "dark"
        child = full_demo.patients["preterm"]
        episode = child.episodes.first()
        for name, path in [
            ("dark-parent-children", "/"),
            ("dark-parent-report", f"/patients/{child.uuid}/episodes/new/"),
            ("dark-parent-episode", episode.get_absolute_url()),
            ("dark-parent-diary", f"/patients/{child.uuid}/episodes/"),
            ("parent-mark-in-error", f"/episodes/{episode.uuid}/mistake/"),
        ]:
            watch.visit(page, base + path, name)
    finally:
        context.close()


def test_staff_forms_and_a_desktop_report(desktop_page, live_server, full_demo):
    page, base = desktop_page, live_server.url
    watch = Watch(page, base)
    login(page, base, "doctor")
    child = full_demo.patients["preterm"]
    for name, path in [
        ("doctor-patient-new", "/patients/new/"),
        ("doctor-patient-edit", f"/patients/{child.uuid}/edit/"),
        ("doctor-report-desktop", f"/patients/{child.uuid}/episodes/new/"),
        ("doctor-episode-desktop", child.episodes.first().get_absolute_url()),
        ("doctor-diary", f"/patients/{child.uuid}/episodes/"),
        ("doctor-summary", f"/patients/{child.uuid}/episodes/summary/"),
    ]:
        watch.visit(page, base + path, name)
