"""Each role walks its main pages with the console open: no CSP violation, no JS error, no
broken same-origin request. Parents at phone size, staff at desktop size; screenshots go to
test-artifacts/walkthrough-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.e2e.conftest import axe_serious, login, screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
# Every page axe-core looked at in this module, by route name (see the last test).
CHECKED: set[str] = set()

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

    def visit(self, page: Any, url: str | None, name: str, status: int | None = None) -> None:
        """Open ``url`` (None: the page already shown) and check it; ``status`` if not 200."""
        if url is not None:
            response = page.goto(url)
            if status is not None:
                assert response.status == status, f"{name}: HTTP {response.status}"
                self.problems = [p for p in self.problems if not p.startswith(f"HTTP {status} ")]
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").count() >= 1, f"{name}: no page heading"
        screenshot(page, f"walkthrough-{name}")
        assert not self.problems, f"{name}: {self.problems}"
        seen = len(self.problems)
        check(page, name)
        # axe-core's own stylesheet reading adds inline styles the CSP refuses (and fetches
        # relative @imports): that is the tool's noise, not the page's.
        del self.problems[seen:]


def check(page: Any, name: str) -> None:
    """axe-core on the page shown: no serious or critical violation. Records its route."""
    serious = axe_serious(page, name)
    assert not serious, f"{name}: axe-core {serious}"
    try:
        CHECKED.add(resolve(urlsplit(page.url).path).view_name)
    except Resolver404:
        CHECKED.add(f"unrouted:{name}")


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
    check(page, "parent-saved-episode")
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


# The rest of the app's pages, so that axe-core sees every page a person can open.


def _fresh(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any]:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_parent_messages_sign_in_security_and_error_pages(page, live_server, full_demo):
    from messaging import demo as messaging_demo
    from messaging.models import Message

    messaging_demo.seed(full_demo)
    base = live_server.url
    watch = Watch(page, base)
    login(page, base, "parent")
    noah = full_demo.patients["term"]
    mine = Message.objects.filter(author=full_demo.users["parent"]).latest("created_at")
    for name, path in [
        ("parent-thread", f"/patients/{noah.uuid}/messages/"),
        ("parent-contact", "/account/contact/"),
        ("parent-message-sent-in-error", f"/messages/{mine.uuid}/sent-in-error/"),
        ("parent-mfa-manage", "/accounts/mfa/"),
        ("parent-mfa-setup", "/accounts/mfa/setup/"),
        ("parent-password-change", "/accounts/password_change/"),
    ]:
        watch.visit(page, base + path, name)
    watch.visit(page, base + "/patients/00000000-0000-4000-8000-000000000000/", "not-found", 404)
    watch.visit(page, base + "/patients/new/", "forbidden", 403)
    page.goto(base + "/accounts/password_change/")
    page.fill("input[name=old_password]", "demo-pass-2026")
    page.fill("input[name=new_password1]", "a-new-long-pass-2026")
    page.fill("input[name=new_password2]", "a-new-long-pass-2026")
    page.click("form [type=submit]:not(nav *)")
    page.wait_for_url("**/password_change/done/")
    watch.visit(page, None, "parent-password-change-done")
    page.goto(base + "/")
    page.click(".navbar-toggler")  # the phone menu
    # Bootstrap adds .show once the menu has finished opening: a click on the button while
    # it still slides in was once lost on a loaded CI machine (no navigation in 10 s).
    page.wait_for_selector("#nav.show")
    with page.expect_navigation(url="**/accounts/login/"):  # LOGOUT_REDIRECT_URL
        page.get_by_role("button", name="Log out").click()
    watch.visit(page, None, "logged-out")


def test_pages_on_the_way_in(browser, live_server, full_demo):
    """Password reset to the end, an invitation (good and spent) and the second-factor step."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from clinic import services

    base = live_server.url
    context, page = _fresh(browser, {"width": 390, "height": 844})
    try:
        watch = Watch(page, base)
        page.goto(base + "/accounts/password_reset/")
        page.fill("input[name=email]", "parent@example.org")
        page.click("main [type=submit]")
        page.wait_for_url("**/password_reset/done/")
        watch.visit(page, None, "password-reset-done")
        parent = full_demo.users["parent"]
        uid = urlsafe_base64_encode(force_bytes(parent.pk))
        page.goto(f"{base}/accounts/reset/{uid}/{default_token_generator.make_token(parent)}/")
        page.wait_for_url("**/set-password/")
        watch.visit(page, None, "password-reset-confirm")
        page.fill("input[name=new_password1]", "a-new-long-pass-2026")
        page.fill("input[name=new_password2]", "a-new-long-pass-2026")
        page.click("main [type=submit]")
        page.wait_for_url("**/accounts/reset/done/")
        watch.visit(page, None, "password-reset-complete")
        _invitation, token = services.invitation_create(
            patient=full_demo.patients["term"], email="dad@example.org", relationship="father",
            created_by=full_demo.users["clinicadmin"],
        )
        watch.visit(page, f"{base}/invitations/{token}/", "invitation-accept")
        watch.visit(page, f"{base}/invitations/not-a-token/", "invitation-invalid", 404)
        # The second step of a staff sign-in, before the code is typed.
        page.goto(base + "/accounts/login/")
        page.fill("input[name=username]", "doctor")
        page.fill("input[name=password]", "demo-pass-2026")
        page.click("main [type=submit]")
        page.wait_for_url("**/accounts/mfa/verify/**")
        watch.visit(page, None, "mfa-verify")
    finally:
        context.close()


def test_staff_messages_plans_evaluations_and_security(desktop_page, live_server, full_demo):
    from evaluations import services as evaluation_services
    from messaging import demo as messaging_demo

    messaging_demo.seed(full_demo)
    page, base = desktop_page, live_server.url
    watch = Watch(page, base)
    login(page, base, "doctor")
    noah = full_demo.patients["term"]
    signed = noah.evaluations.first()
    draft = evaluation_services.evaluation_create(
        patient=noah, clinician=full_demo.users["doctor"], data={"history": "Draft for the page."},
    )
    for name, path in [
        ("doctor-inbox", "/messages/"),
        ("doctor-thread", f"/patients/{noah.uuid}/messages/"),
        ("doctor-seizure-plan", f"/patients/{noah.uuid}/seizure-plan/"),
        ("doctor-evaluation", signed.get_absolute_url()),
        ("doctor-evaluation-edit", f"/evaluations/{draft.uuid}/edit/"),
        ("doctor-mfa-manage", "/accounts/mfa/"),
    ]:
        watch.visit(page, base + path, name)
    page.get_by_role("button", name="New recovery codes").click()
    page.wait_for_url("**/accounts/mfa/recovery-codes/")
    watch.visit(page, None, "doctor-mfa-recovery-codes")


def test_every_admin_page_a_clinic_admin_opens(desktop_page, live_server, full_demo):
    """Each model's list, its first row's page and its add page, and a history page."""
    page, base = desktop_page, live_server.url
    watch = Watch(page, base)
    login(page, base, "clinicadmin")
    watch.visit(page, base + "/admin/", "admin-index-all")
    lists = page.eval_on_selector_all(
        "#content-main th[scope=row] a", "els => els.map(e => e.getAttribute('href'))")
    adds = page.eval_on_selector_all(
        "#content-main a.addlink", "els => els.map(e => e.getAttribute('href'))")
    apps = page.eval_on_selector_all(
        "#content-main caption a", "els => els.map(e => e.getAttribute('href'))")
    assert len(lists) >= 10, lists
    for path in apps:
        watch.visit(page, base + path, f"admin-app-{path.strip('/').split('/')[-1]}")
    for path in lists:
        model = "-".join(path.strip("/").split("/")[-2:])
        watch.visit(page, base + path, f"admin-list-{model}")
        rows = page.locator("#result_list tbody th a")
        if rows.count():
            watch.visit(page, base + rows.first.get_attribute("href"), f"admin-row-{model}")
    for path in adds:
        model = "-".join(path.strip("/").split("/")[-3:-1])
        watch.visit(page, base + path, f"admin-add-{model}")
    patient = full_demo.patients["term"]
    # django-simple-history's pages: the list (the project's copy of its template, without the
    # style attribute the CSP refused) and a past version, with no exception for either.
    watch.visit(page, f"{base}/admin/clinic/patient/{patient.pk}/history/", "admin-history-patient")
    version = patient.history.earliest("history_date").history_id
    watch.visit(page, f"{base}/admin/clinic/patient/{patient.pk}/history/{version}/",
                "admin-history-patient-version")


# Routes that are no page: posts that redirect, files, fragments, machine answers.
NOT_PAGES = {
    "health-live", "health-ready", "set_language", "invitation-create", "mfa-disable",
    "review:assign", "review:acknowledge", "review:note", "review:resolve", "review:call",
    "review:csv", "episode-quick-log", "episode-add", "episode-confirm-sign", "attachment-download",
    "messaging:attachment", "evaluation-preview", "evaluation-amend", "suggestion-accept",
    "suggestion-dismiss", "order-create", "order-update", "admin-view-on-site",
    "logout",  # a post that lands on the sign-in page
}


def _routes() -> set[str]:
    from django.urls import URLResolver, get_resolver

    names: set[str] = set()

    def walk(resolver: Any, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace not in ("admin", "api"):
                    walk(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver(), "")
    return names - NOT_PAGES | {"api:api-docs", "admin:index", "admin:app_list"}


def test_every_page_of_the_app_was_checked(request):
    """Last in this module: every route that is a page had axe-core run on it above."""
    ran = {item.name for item in request.session.items if item.module is request.module}
    if len(ran) < len([n for n in globals() if n.startswith("test_")]):
        pytest.skip("only part of this module ran")
    assert _routes() - CHECKED == set()
