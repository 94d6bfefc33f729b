"""The clinician pages: exam form, live preview, conflicts, signing, print, timeline, admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.services import review_case_raise
from evaluations import norms, services
from evaluations.models import Evaluation, FollowUpOrder
from tests.conftest import client_for
from tests.evaluations.helpers import draft, make_patient_age, signed, worrying_data

pytestmark = pytest.mark.django_db


def preterm(world, days=213, weeks=32):
    world.patient.gestational_age_weeks = weeks
    return make_patient_age(world.patient, days)


def test_form_shows_sections_corrected_age_and_the_checklist_for_it(client, world):
    preterm(world)
    response = client_for(client, world.clinician).get(
        reverse("evaluation-create", args=[world.patient.uuid]))
    text = response.text
    assert response.status_code == 200
    assert re.search(r'data-testid="norm-age-basis">corrected age<', text)
    for heading in ("History", "HINE items", "Primitive reflexes", "Tone", "Milestones",
                    "Observations, assessment and plan"):
        assert f">{heading}" in text
    form = response.context["form"]
    assert form.checklist.age_months == 4  # 7 months old, 5 months corrected
    assert all(f"ms_{m.code}" in form.fields for m in form.checklist.items)
    assert norms.HINE_ITEMS["head"].hint in text
    assert 'hx-post="' + reverse("evaluation-preview", args=[world.patient.uuid]) in text
    # CSP forbids inline scripts: every script tag loads a file.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", text))


def test_before_term_the_page_says_norms_do_not_apply(client, world):
    preterm(world, days=30, weeks=28)
    response = client_for(client, world.clinician).get(
        reverse("evaluation-create", args=[world.patient.uuid]))
    assert 'data-testid="norms-note"' in response.text
    assert "do not apply" in response.text
    preview = client.post(reverse("evaluation-preview", args=[world.patient.uuid]),
                          {"hine_head": "1", "tone": "normal"})
    assert "NORMS-BEFORE-TERM" in preview.text


def test_live_preview_shows_findings_and_suggestions_without_storing(client, world):
    c = client_for(client, world.clinician)
    data = {"rx_moro_left": "present", "rx_moro_right": "absent", "tone": "increased"}
    response = c.post(reverse("evaluation-preview", args=[world.patient.uuid]), data,
                      HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "RX-MORO-ASYMMETRIC" in response.text and "TONE-INCREASED" in response.text
    assert 'data-code="brain_mri"' in response.text
    assert "<html" not in response.text  # a fragment for htmx
    assert Evaluation.objects.count() == 0


def test_create_save_and_sign_through_the_page(client, world):
    c = client_for(client, world.clinician)
    response = c.post(reverse("evaluation-create", args=[world.patient.uuid]),
                      {"history": "Jerks in sleep", "hine_head": "2", "hine_head_asym": "on",
                       "rx_moro_left": "present", "rx_moro_right": "weak", "tone": "normal"})
    evaluation = Evaluation.objects.get()
    assert response.url == reverse("evaluation-edit", args=[evaluation.uuid])
    assert evaluation.hine == {"head": {"score": 2, "asymmetric": True}}
    assert evaluation.reflexes == [{"reflex": "moro", "left": "present", "right": "weak",
                                    "obligatory": False}]
    page = c.get(response.url)
    assert page.context["form"].initial["hine_head"] == "2"
    signed_response = c.post(response.url, {"version": 1, "history": "Jerks in sleep",
                                            "hine_head": "2", "rx_moro_left": "present",
                                            "rx_moro_right": "weak", "sign": "1"})
    evaluation.refresh_from_db()
    assert evaluation.status == "signed" and evaluation.version == 3
    assert signed_response.url == evaluation.get_absolute_url()


def test_conflict_page_keeps_the_second_clinicians_input(client, world):
    evaluation = draft(world.patient, world.clinician, worrying_data())
    services.evaluation_save_draft(evaluation=evaluation, by=world.clinician, version=1,
                                   data={"plan": "First plan"})
    c = client_for(client, world.clinician)
    response = c.post(reverse("evaluation-edit", args=[evaluation.uuid]),
                      {"version": 1, "plan": "Second plan, carefully typed", "tone": "mixed"})
    assert response.status_code == 409
    assert 'data-testid="conflict"' in response.text
    assert "Second plan, carefully typed" in response.text
    assert response.context["form"]["version"].value() == "2"
    assert "plan" in response.context["conflict"]["fields"]
    assert Evaluation.objects.get(pk=evaluation.pk).plan == "First plan"


def test_signed_evaluation_is_immutable_through_the_page(client, world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    c = client_for(client, world.clinician)
    url = reverse("evaluation-edit", args=[evaluation.uuid])
    response = c.post(url, {"version": evaluation.version, "plan": "changed after signing"})
    assert response.url == evaluation.get_absolute_url()
    assert Evaluation.objects.get(pk=evaluation.pk).plan == ""
    assert c.get(url).url == evaluation.get_absolute_url()
    page = c.get(evaluation.get_absolute_url())
    assert "Edit draft" not in page.text and 'data-testid="amend"' in page.text


def test_printable_signed_evaluation(client, world):
    preterm(world)
    evaluation = signed(world.patient, world.clinician, worrying_data())
    response = client_for(client, world.reviewer).get(evaluation.get_absolute_url())
    text = response.text
    assert "Signed" in text and "corrected" in text
    assert "RX-MORO-ASYMMETRIC" in text and "Brain MRI" in text
    assert "Accept and order" not in text  # reviewers read, clinicians decide
    assert "d-print-none" in text


def test_accept_and_dismiss_from_the_chart(client, world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    c = client_for(client, world.clinician)
    chart_url = reverse("chart", args=[world.patient.uuid])
    page = c.get(chart_url)
    assert 'data-testid="accept-brain_mri"' in page.text
    mri = evaluation.suggestions.get(code="brain_mri")
    c.post(reverse("suggestion-accept", args=[mri.uuid]), {"next": chart_url})
    assert FollowUpOrder.objects.get().code == "brain_mri"
    physio = evaluation.suggestions.get(code="physical_therapy")
    c.post(reverse("suggestion-dismiss", args=[physio.uuid]), {"reason": ""})
    physio.refresh_from_db()
    assert physio.status == "suggested"
    c.post(reverse("suggestion-dismiss", args=[physio.uuid]), {"reason": "In therapy already"})
    physio.refresh_from_db()
    assert physio.status == "dismissed"
    after = c.get(chart_url)
    assert 'data-testid="accept-brain_mri"' not in after.text
    assert "Ordered: Brain MRI" in after.text


def test_timeline_has_every_kind_newest_first_and_filters(client, world):
    old = draft(world.patient, world.clinician)
    Evaluation.objects.filter(pk=old.pk).update(performed_at=timezone.now() - timedelta(days=40))
    signed(world.patient, world.clinician, worrying_data())
    services.order_create(patient=world.patient, by=world.clinician, code="eeg")
    review_case_raise(patient=world.patient, level="soon",
                      reasons=[{"rule": "TEST", "explanation": "x", "source": "y"}])
    c = client_for(client, world.clinician)
    url = reverse("chart", args=[world.patient.uuid])
    items = c.get(url).context["items"]
    assert {i.kind for i in items} == {"evaluation", "order", "case"}
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)
    only_orders = c.get(url, {"kind": "order"}).context["items"]
    assert [i.kind for i in only_orders] == ["order"]
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = c.get(url, {"kind": "evaluation", "since": since}).context["items"]
    assert len(recent) == 1 and recent[0].obj.pk != old.pk
    case_item = next(i for i in items if i.kind == "case")
    assert f'href="{case_item.obj.get_absolute_url()}"' in c.get(url).text


def test_admin_shows_signed_evaluations_read_only(client, admin_user, world):
    evaluation = signed(world.patient, world.clinician, worrying_data())
    c = client_for(client, admin_user)
    url = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert 'name="plan"' not in page.text  # no editable inputs
    c.post(url, {"plan": "edited in admin", "history": "x", "tone": "", "reflexes": "[]",
                 "hine": "{}", "milestones": "{}"})
    assert Evaluation.objects.get(pk=evaluation.pk).plan == ""
    assert c.post(reverse("admin:evaluations_evaluation_delete", args=[evaluation.pk]),
                  {"post": "yes"}).status_code == 403
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()


def test_admin_edits_a_draft_through_the_service(client, admin_user, world):
    evaluation = draft(world.patient, world.clinician)
    c = client_for(client, admin_user)
    url = reverse("admin:evaluations_evaluation_change", args=[evaluation.pk])
    page = c.get(url)
    assert 'name="plan"' in page.text
    c.post(url, {"history": "h", "birth_history": "", "family_history": "", "reflexes": "[]",
                 "hine": "{}", "tone": "decreased", "milestones": "{}", "observed_movements": "",
                 "assessment": "", "plan": "via admin"})
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.plan == "via admin" and stored.version == 2
    assert "TONE-DECREASED" in {f.rule for f in stored.findings.all()}


def test_order_admin_refuses_a_backward_transition(client, admin_user, world):
    order = services.order_create(patient=world.patient, by=world.clinician, code="eeg")
    services.order_update(order=order, by=world.clinician, status="resulted", result_notes="Normal")
    c = client_for(client, admin_user)
    url = reverse("admin:evaluations_followuporder_change", args=[order.pk])
    response = c.post(url, {"priority": "routine", "status": "ordered", "result_notes": "Normal"})
    assert response.status_code == 200 and "cannot become “Ordered”" in response.text
    assert FollowUpOrder.objects.get(pk=order.pk).status == "resulted"


def test_reading_the_chart_and_an_evaluation_is_audited(client, world):
    from clinic.models import AuditEvent

    evaluation = signed(world.patient, world.clinician, worrying_data())
    c = client_for(client, world.reviewer)
    c.get(reverse("chart", args=[world.patient.uuid]))
    c.get(evaluation.get_absolute_url())
    events = AuditEvent.objects.filter(actor=world.reviewer, patient=world.patient, action="read")
    assert set(events.values_list("object_type", flat=True)) >= {"chart", "evaluation"}
    assert events.get(object_type="evaluation").object_id == str(evaluation.uuid)


def test_page_save_keeps_milestone_answers_outside_the_checklist(client, world):
    evaluation = draft(world.patient, world.clinician,
                       {"milestones": {"m2-lang-reacts-loud-sounds": "not_yet",
                                       "m4-lang-coos": "yes"}})
    c = client_for(client, world.clinician)
    c.post(reverse("evaluation-edit", args=[evaluation.uuid]),
           {"version": 1, "ms_m2-lang-reacts-loud-sounds": "yes"})
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.milestones == {"m2-lang-reacts-loud-sounds": "yes", "m4-lang-coos": "yes"}


def test_timeline_pages_by_time_without_losing_or_repeating_entries(client, world, monkeypatch):
    from evaluations import selectors

    monkeypatch.setattr(selectors, "TIMELINE_PAGE", 2)
    now = timezone.now()
    for hours in range(5):
        order = services.order_create(patient=world.patient, by=world.clinician, code="eeg")
        FollowUpOrder.objects.filter(pk=order.pk).update(ordered_at=now - timedelta(hours=hours))
    c = client_for(client, world.clinician)
    url, seen, pages = reverse("chart", args=[world.patient.uuid]), [], 0
    params: dict[str, str] = {"kind": "order"}
    while True:
        response = c.get(url, params)
        pages += 1
        seen += [item.obj.pk for item in response.context["items"]]
        older = response.context["older_than"]
        if older is None:
            assert 'data-testid="older"' not in response.text
            break
        assert 'data-testid="older"' in response.text
        params = {"kind": "order", "before": older.isoformat()}
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5

