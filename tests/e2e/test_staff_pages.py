"""Staff pages in a real browser: the live panel at 900 px, accept in place, the audit list at 1440 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, login, screenshot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 900}


def _in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                     return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""",
        selector)


def test_live_summary_stays_in_view_and_the_panel_scrolls_on_its_own(browser, live_server, demo):
    from evaluations import norms

    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, live_server.url, "doctor")
    noah = demo.patients["term"]
    page.goto(f"{live_server.url}/patients/{noah.uuid}/evaluations/new/")
    # A worrying exam: every HINE item low and asymmetric, a weak Moro, stiff tone.
    for code in norms.HINE_ITEMS:
        page.click(f"label[for=id_hine_{code}_2]")  # score 1
        page.check(f"#id_hine_{code}_asym")
    page.select_option("#id_rx_moro_left", "present")
    page.select_option("#id_rx_moro_right", "absent")
    page.click("label[for=id_tone_3]")
    page.locator("[data-testid=hine-total]", has_text="26").wait_for()
    page.locator("[data-testid=live-suggestions] [data-code=brain_mri]").wait_for()

    panel = page.locator("[data-testid=live-panel]").bounding_box()
    assert panel["height"] <= LAPTOP["height"], panel
    scroll = page.evaluate("() => { const e = document.getElementById('live');"
                           " return [e.scrollHeight, e.clientHeight]; }")
    assert scroll[0] > scroll[1], "the findings outgrow the panel, so it scrolls"

    # Down the long form: the panel and its summary line stay in view.
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 1000
    assert _in_view(page, "[data-testid=live-summary]")
    # Through the panel's own list: the summary line stays on top of it.
    page.evaluate("() => { const e = document.getElementById('live'); e.scrollTop = e.scrollHeight; }")
    assert _in_view(page, "[data-testid=live-summary]")
    summary = page.locator("[data-testid=live-summary]").bounding_box()
    box = page.locator("#live").bounding_box()
    assert abs(summary["y"] - box["y"]) < 2, (summary, box)
    assert "HINE 26/78" in page.locator("[data-testid=live-summary]").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "staff-live-panel-900.png"))  # the window, as seen

    # Sign, then accept a suggestion far down the record: it changes in place, no reload.
    page.click("[data-testid=sign]")
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=accept-brain_mri]").scroll_into_view_if_needed()
    before = page.evaluate("() => { window.__sameDocument = true; return window.scrollY; }")
    assert before > 0
    page.click("[data-testid=accept-brain_mri]")
    page.locator("[data-testid=suggestion][data-code=brain_mri] [data-testid=suggestion-notice]").wait_for()
    assert page.evaluate("() => window.__sameDocument === true")  # the page was not reloaded
    assert abs(page.evaluate("() => window.scrollY") - before) < 50
    assert page.locator("[data-testid=accept-brain_mri]").count() == 0
    screenshot(page, "staff-accept-in-place")

    # Printed: the clinic's letterhead on top, no navigation or buttons.
    assert not page.locator("[data-testid=letterhead]").is_visible()
    page.emulate_media(media="print")
    assert page.locator("[data-testid=letterhead]").is_visible()
    letterhead = page.locator("[data-testid=letterhead]").inner_text()
    assert demo.clinic.name in letterhead and "12 River Road" in letterhead
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("[data-testid=amend]").is_visible()
    page.emulate_media(media="screen")
    context.close()


def test_audit_list_fits_1440_px(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    login(page, live_server.url, "clinicadmin")
    for patient in (demo.patients["term"], demo.patients["preterm"]):  # reads to list
        page.goto(f"{live_server.url}{patient.get_absolute_url()}")
    page.goto(f"{live_server.url}/admin/clinic/auditevent/")
    assert "Twitch clinic administration" in page.content()
    assert page.locator("#result_list .field-patient_short").count() > 0
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth,"
                           " document.getElementById('result_list').getBoundingClientRect().right]")
    assert widths[0] <= widths[1], widths
    assert widths[2] <= widths[1], widths
    screenshot(page, "staff-audit-list-1440")
    context.close()
