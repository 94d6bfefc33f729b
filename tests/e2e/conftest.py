"""Browser tests: Playwright's sync API driving Debian's chromium against live_server.

Chromium missing fails the run when REQUIRE_BROWSER is set (CI); locally it skips.
No tool downloads a browser: Playwright is pointed at the system executable.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if not path or not Path(path).exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM beside it is safe
    # here because tests are sequential. Only the browser tests set this.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def demo(transactional_db: Any) -> Any:
    from clinic.demo import seed_core

    return seed_core()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    """A failed browser test leaves a picture of its page in test-artifacts/failed-*.png."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        try:
            path = screenshot(page, f"failed-{item.name}")
            report.sections.append(("browser", f"{page.url}\nscreenshot: {path}"))
        except Exception as error:  # a closed page must not hide the test's own failure
            report.sections.append(("browser", f"no screenshot: {error}"))


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Any, base_url: str, username: str, password: str = "demo-pass-2026") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/mfa/verify/" in page.url:
        # Demo staff have an authenticator with the documented demo key: type what it shows.
        page.fill("input[name=code]", demo_totp_code())
        page.click("[data-testid=mfa-continue]")
        page.wait_for_load_state("networkidle")


def demo_totp_code() -> str:
    from base64 import b32decode

    from django_otp.oath import totp

    from clinic.demo import DEMO_TOTP_SECRET

    return f"{totp(b32decode(DEMO_TOTP_SECRET)):06d}"


AXE_COUNTS = ARTIFACTS / "axe-counts.json"


# Swagger UI (the API docs, a third-party widget) nests its own buttons in its operation
# rows; we cannot change that markup. Only that rule, only on that page, is left out.
AXE_KNOWN_THIRD_PARTY = {"api-docs": {"nested-interactive"}}


def axe_serious(page: Any, name: str) -> list[str]:
    """Serious and critical axe-core violations on the page (axe ships in the Python package).

    Each page's violated rules by impact (all four, the minor ones too) are added to
    test-artifacts/axe-counts.json for the report.
    """
    import json

    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [v for v in results.response["violations"]
                  if v["id"] not in AXE_KNOWN_THIRD_PARTY.get(name, set())]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations if v.get("impact") in ("serious", "critical")
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    counts = json.loads(AXE_COUNTS.read_text()) if AXE_COUNTS.exists() else {}
    counts[name] = {impact: sum(v.get("impact") == impact for v in violations)
                    for impact in ("critical", "serious", "moderate", "minor")}
    AXE_COUNTS.write_text(json.dumps(counts, indent=1, sort_keys=True))
    return bad
