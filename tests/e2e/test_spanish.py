"""A Spanish-speaking parent on a phone (browser language es-ES): login, report, answer and
diary show no English text from the catalogue (issue 13)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE, screenshot
from tests.i18n.scope import english_patterns

pytestmark = pytest.mark.browser

# What the page shows that is not ours to translate: the user name, the languages' own names.
VISIBLE_TEXT = """() => {
  const main = document.body.cloneNode(true);
  main.querySelectorAll('[data-testid=who], [data-testid=language-switch], script, style, [hidden], .d-none')
      .forEach(e => e.remove());
  return main.innerText;
}"""


def _english_on(page, patterns) -> list[str]:
    text = page.evaluate(VISIBLE_TEXT)
    return [english for english, pattern in patterns.items() if pattern.search(text)]


def _next(page) -> None:
    page.click("[data-step-nav] [data-action=next]")


def test_a_spanish_parent_sees_no_english_from_login_to_diary(browser, live_server, demo):
    from episodes.models import Episode

    english = english_patterns()
    assert len(english) > 300
    # The check sees English where there is some: the same page for an English browser.
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert "Log in" in _english_on(page, english)
    context.close()
    context = browser.new_context(viewport=PHONE, has_touch=True, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == "es"
        assert _english_on(page, english) == [], "login"
        page.fill("input[name=username]", "parent")
        page.fill("input[name=password]", "demo-pass-2026")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Mis hijos" in page.locator("h1").inner_text()
        assert _english_on(page, english) == [], "home"

        page.click("[data-testid=report-episode]")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-step-counter]").inner_text() == "Paso 1 de 7"
        assert _english_on(page, english) == [], "report, step 1"
        for name in ("breathing_difficulty", "color_change", "unresponsive"):
            page.click(f"label[for=id_sign_{name}_1]")  # no
        _next(page)
        page.fill("input[name=duration_minutes]", "0")
        page.fill("input[name=duration_secs]", "40")
        _next(page)
        page.click("svg [data-part=left_leg]")
        _next(page)
        page.check("input[name=state][value=awake]")
        _next(page)
        page.check("input[name=pattern][value=rhythmic]")
        page.check("input[name=stops_when_held_or_woken][value=yes]")
        assert _english_on(page, english) == [], "report, pattern step"
        _next(page)
        _next(page)
        page.fill("textarea[name=notes]", "sin fiebre, no se puso morado")
        assert _english_on(page, english) == [], "report, last step"
        page.click("[data-testid=get-advice]")
        page.wait_for_selector("[data-testid=triage-answer]")

        answer = page.locator("[data-testid=triage-answer]")
        assert answer.get_attribute("data-level") == "urgent"  # EP-RHYTHMIC-30S; the notes stay quiet
        assert page.locator("[data-testid=triage-headline]").inner_text() == (
            "Hable hoy con su pediatra o con un servicio de atención urgente.")
        assert page.locator("[data-testid=notes-matched]").count() == 0
        assert _english_on(page, english) == [], "answer"
        screenshot(page, "portal-es-answer")
        assert Episode.objects.get().level == "urgent"

        page.goto(f"{live_server.url}/patients/{Episode.objects.get().patient.uuid}/episodes/")
        page.wait_for_load_state("networkidle")
        assert "Diario de" in page.locator("h1").inner_text()
        assert _english_on(page, english) == [], "diary"
        screenshot(page, "portal-es-diary")
    finally:
        context.close()
