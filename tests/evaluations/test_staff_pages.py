"""The evaluation pages as staff work them: the live panel's summary and reasons said once,
accept / dismiss in place (htmx) or by a plain post, labels on the signed record, print."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from evaluations.models import FollowUpOrder, Suggestion
from evaluations.reasons import reason_lines
from tests.conftest import client_for
from tests.evaluations.helpers import signed, worrying_data

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
WORRYING_FORM = {"rx_moro_left": "present", "rx_moro_right": "weak", "tone": "increased",
                 "rx_atnr_left": "present", "rx_atnr_right": "present", "rx_atnr_obligatory": "on",
                 "hine_head": "1", "hine_head_asym": "on", "hine_trunk": "1"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _preview(client, world, data):
    client_for(client, world.clinician)
    return client.post(reverse("evaluation-preview", args=[world.patient.uuid]), data,
                       HTTP_HX_REQUEST="true")


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_live_summary_line_gives_the_hine_total_and_findings_by_level(client, world):
    response = _preview(client, world, WORRYING_FORM)
    summary = re.search(r'data-testid="live-summary">(.*?)</p>', response.text, re.S).group(1)
    counts = re.findall(r'data-testid="summary-count">([^<]+)<', summary)
    assert counts == ["3 soon", "2 routine"]  # most pressing first, notes left out
    assert "HINE" in summary and "not complete" in summary
    full = {f"hine_{code}": "3" for code in __import__("evaluations.norms").norms.HINE_ITEMS}
    total = _preview(client, world, full).text
    assert re.search(r'data-testid="live-summary">.*?data-testid="hine-total">78</span>/78', total, re.S)


def test_live_panel_says_each_reason_once(client, world):
    response = _preview(client, world, WORRYING_FORM)
    text = _visible_text(response.text)
    moro = "Moro reflex is present on the left and weak on the right."
    assert text.count(moro) == 1  # in its finding; the suggestions name the rule
    assert text.count("Reflex finding") == 1  # two reasons of the same words, said together
    assert 'href="#live-finding-RX-MORO-ASYMMETRIC"' in response.text
    assert 'id="live-finding-RX-MORO-ASYMMETRIC"' in response.text
    # No sentence of the panel is said twice.
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s", text) if len(s.strip()) > 25]
    assert len(sentences) == len(set(sentences)), sentences


def test_reasons_not_from_a_listed_finding_are_written_once_then_named():
    said: set[str] = set()
    reasons = [{"rule": "EP-X", "explanation": "Two seizures this week."},
               {"rule": "RX-A", "explanation": "Asymmetric. Moro is weak."}]
    first = reason_lines(reasons, {"RX-A": "Moro is weak."}, said)
    second = reason_lines(reasons[:1], {}, said)
    assert [(line.text, line.rules) for line in first] == [("Two seizures this week.", ["EP-X"]),
                                                           ("Asymmetric", ["RX-A"])]
    assert first[1].points_at_findings and not first[0].points_at_findings
    assert (second[0].text, second[0].said_above) == ("", True)


def test_the_panel_scrolls_on_its_own_below_a_sticky_summary(client, world):
    page = client_for(client, world.clinician).get(
        reverse("evaluation-create", args=[world.patient.uuid]))
    assert 'class="card live-panel"' in page.text and 'class="card-body live-scroll"' in page.text
    assert "css/evaluation.css" in page.text
    css = (Path(settings.BASE_DIR) / "clinic/static/css/evaluation.css").read_text()
    panel = re.search(r"\.live-panel \{([^}]*)\}", css).group(1)
    assert "position: sticky" in panel and "max-height: calc(100vh" in panel
    assert "overflow-y: auto" in re.search(r"\.live-scroll \{([^}]*)\}", css).group(1)
    assert "position: sticky" in re.search(r"\.live-summary \{([^}]*)\}", css).group(1)


@pytest.fixture
def evaluation(world):
    return signed(world.patient, world.clinician, worrying_data())


def test_accept_in_place_returns_the_block_orders_and_audits(client, world, evaluation):
    mri = evaluation.suggestions.get(code="brain_mri")
    c = client_for(client, world.clinician)
    response = c.post(reverse("suggestion-accept", args=[mri.uuid]),
                      {"next": evaluation.get_absolute_url()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text  # the suggestion's block, swapped in place
    assert response.text.lstrip().startswith(f'<div class="border rounded p-2 mb-2 suggestion-decided" '
                                             f'data-testid="suggestion" data-code="brain_mri" '
                                             f'id="suggestion-{mri.uuid}"')
    assert 'data-testid="suggestion-notice"' in response.text and "Brain MRI" in response.text
    assert 'data-testid="accept-brain_mri"' not in response.text  # decided: no buttons
    mri.refresh_from_db()
    order = FollowUpOrder.objects.get()
    assert (mri.status, order.code) == ("accepted", "brain_mri")
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="followuporder",
                                     object_id=str(order.uuid), actor=world.clinician).exists()
    # On the evaluation's page the reasons still point at its findings.
    assert 'href="#finding-' in response.text


def test_dismiss_in_place_and_a_missing_reason_is_a_400_in_the_block(client, world, evaluation):
    physio = evaluation.suggestions.get(code="physical_therapy")
    c = client_for(client, world.clinician)
    url = reverse("suggestion-dismiss", args=[physio.uuid])
    refused = c.post(url, {"reason": " ", "next": evaluation.get_absolute_url()},
                     HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert 'data-testid="suggestion-error"' in refused.text and "<html" not in refused.text
    # The block's forms still come back to the evaluation's page, not to this endpoint.
    assert refused.text.count(f'name="next" value="{evaluation.get_absolute_url()}"') == 2
    physio.refresh_from_db()
    assert physio.status == "suggested"
    done = c.post(url, {"reason": "In therapy already"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and "In therapy already" in done.text
    physio.refresh_from_db()
    assert (physio.status, physio.dismiss_reason) == ("dismissed", "In therapy already")
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="suggestion",
                                     object_id=str(physio.uuid)).count() == 1


def test_without_javascript_accept_and_dismiss_come_back_to_the_suggestion(client, world, evaluation):
    c = client_for(client, world.clinician)
    mri = evaluation.suggestions.get(code="brain_mri")
    back = c.post(reverse("suggestion-accept", args=[mri.uuid]), {"next": evaluation.get_absolute_url()})
    assert back.status_code == 302
    assert back.url == f"{evaluation.get_absolute_url()}#suggestion-{mri.uuid}"
    assert FollowUpOrder.objects.filter(code="brain_mri").exists()
    physio = evaluation.suggestions.get(code="physical_therapy")
    back = c.post(reverse("suggestion-dismiss", args=[physio.uuid]), {"reason": "Later"})
    chart = reverse("chart", args=[world.patient.uuid])
    assert back.url == f"{chart}#suggestion-{physio.uuid}"  # no next: the chart
    page = c.get(back.url.split("#")[0])
    assert "Dismissed: Physical therapy." in [str(m) for m in page.context["messages"]]
    # A foreign site as next is never followed.
    eeg = Suggestion.objects.filter(evaluation=evaluation, status="suggested").first()
    off = c.post(reverse("suggestion-dismiss", args=[eeg.uuid]),
                 {"reason": "x", "next": "//evil.example/"})
    assert off.url.startswith(chart)


@pytest.mark.parametrize("role", ["reviewer", "other_clinician", "parent"])
def test_who_may_not_decide_gets_no_block_and_changes_nothing(client, world, evaluation, role):
    mri = evaluation.suggestions.get(code="brain_mri")
    response = client_for(client, world.user(role)).post(
        reverse("suggestion-accept", args=[mri.uuid]), HTTP_HX_REQUEST="true")
    assert response.status_code == {"reviewer": 403}.get(role, 404)
    assert 'data-testid="suggestion"' not in response.text
    mri.refresh_from_db()
    assert mri.status == "suggested" and not FollowUpOrder.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED_WRITE, actor=world.user(role)).exists()


def test_signed_evaluation_shows_the_forms_labels_not_codes(client, world):
    data = worrying_data()
    data["reflexes"] = [
        {"reflex": "plantar_grasp", "left": "present", "right": "not_tested", "obligatory": False},
        {"reflex": "atnr", "left": "present", "right": "present", "obligatory": True},
    ]
    data["milestones"] = {}
    evaluation = signed(world.patient, world.clinician, data)
    text = client_for(client, world.clinician).get(evaluation.get_absolute_url()).text
    table = re.search(r'data-testid="reflexes">(.*?)</table>', text, re.S).group(1)
    assert "Plantar grasp" in table and "Asymmetric tonic neck reflex" in table
    assert "obligatory (cannot break out of it)" in table and "not tested" in table
    visible = _visible_text(table)
    assert "plantar_grasp" not in visible and "atnr" not in visible and "not_tested" not in visible


def test_print_has_the_clinics_letterhead_and_page_numbers(client, world, evaluation):
    world.clinic.address = "12 River Road\nSpringfield"
    world.clinic.phone = "+1 555 0100"
    world.clinic.save()
    text = client_for(client, world.reviewer).get(evaluation.get_absolute_url()).text
    head = re.search(r'data-testid="letterhead">(.*?)</header>', text, re.S).group(1)
    assert "Riverside" in head and "12 River Road<br>Springfield" in head and "+1 555 0100" in head
    css = (Path(settings.BASE_DIR) / "clinic/static/css/evaluation.css").read_text()
    assert re.search(r"@page \{[^@]*@bottom-right \{ content: counter\(page\) \" / \" counter\(pages\)", css)
    assert re.search(r"\.letterhead \{ display: none; \}", css)  # on screen the page has its header
    assert re.search(r"@media print \{\s*\.letterhead \{ display: block;", css)
