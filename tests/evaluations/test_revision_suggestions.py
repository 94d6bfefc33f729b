"""Suggestions after CLINICAL.md 7a (revision 2026-12): infection work-up, neurology with
asymmetries, early intervention only for a confirmed delay, urgent first everywhere,
and the API's "no tests needed"."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from clinic.ages import DAYS_PER_MONTH, Age, age_on
from clinic.levels import Level
from evaluations import norms
from evaluations.findings import EvaluationInput, HineItem, evaluate
from evaluations.models import FollowUpOrder, Suggestion
from evaluations.suggestions import CODES, PARENT_EXPLANATIONS, EpisodeSummary, suggest
from tests.evaluations.helpers import draft, signed, typical_data

R, S, U = Level.ROUTINE, Level.SOON, Level.URGENT
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def baby(days: int, weeks: int = 40) -> Age:
    return age_on(date_of_birth=NOW.date() - timedelta(days=days), on=NOW.date(), gestational_weeks=weeks)


def ep(*rules: str, days_ago: float = 1, signs: tuple[str, ...] = (), pattern: str = "isolated"
       ) -> EpisodeSummary:
    return EpisodeSummary(f"e{days_ago}{rules}", NOW - timedelta(days=days_ago), U,
                          frozenset(rules), frozenset(signs), pattern, 5, frozenset({"left_foot"}))


def codes(age: Age, *episodes: EpisodeSummary, **exam: object) -> dict[str, Level]:
    assessment = evaluate(EvaluationInput(age=age, **exam))  # type: ignore[arg-type]
    return {s.code: s.priority for s in suggest(assessment, episodes, now=NOW, age=age).suggestions}


def hine(asymmetric: int) -> dict[str, HineItem]:
    return {c: HineItem(3, n < asymmetric) for n, c in enumerate(norms.HINE_ITEMS)}


# --- infection_workup


def test_infection_workup_is_in_the_catalogue_with_plain_words() -> None:
    assert CODES["infection_workup"] == "Infection work-up"
    assert "infection" in PARENT_EXPLANATIONS["infection_workup"]


@pytest.mark.parametrize(("days", "fires"), [(int(3 * DAYS_PER_MONTH) + 1, True),
                                             (int(3 * DAYS_PER_MONTH) + 2, False)])
def test_infection_fever_under_3_months_boundary(days: int, fires: bool) -> None:
    # The age at the episode (1 day ago) decides: 91 days today was 90 (2.96 months) then.
    got = codes(baby(days), ep("EP-FEVER", signs=("fever",)))
    assert (got.get("infection_workup") == U) is fires


def test_infection_fever_with_seizure_under_6_months() -> None:
    five = baby(150)
    assert codes(five, ep("EP-FEVER", "EP-EYES", signs=("fever", "eyes_rolling_or_fixed"))
                 )["infection_workup"] == U
    assert "infection_workup" not in codes(five, ep("EP-FEVER", signs=("fever",)))
    seven = baby(int(7 * DAYS_PER_MONTH))
    assert "infection_workup" not in codes(seven, ep("EP-FEVER", "EP-EYES", signs=("fever",)))


def test_infection_workup_uses_chronological_age_and_recency() -> None:
    # Born at 30 weeks, 4 months old: corrected 1.7 months, chronological 4: no fever rule.
    assert "infection_workup" not in codes(baby(122, weeks=30), ep("EP-FEVER", signs=("fever",)))
    assert codes(baby(40), ep("EP-FEVER-UNDER-3M", days_ago=10))["infection_workup"] == S


# --- neurology with asymmetries; early intervention


@pytest.mark.parametrize(("count", "neurology"), [(5, False), (6, True)])
def test_more_than_5_asymmetric_hine_items_raise_neurology_as_well_as_mri(count: int, neurology: bool
                                                                          ) -> None:
    got = codes(baby(365), hine=hine(count))
    assert got["brain_mri"] == S
    assert ("neurology_referral" in got) is neurology


def test_one_missed_milestone_is_screen_and_watch() -> None:
    four = baby(math.ceil(4 * DAYS_PER_MONTH))
    answers = {m.code: "yes" for m in norms.milestones_due(four, norms.MILESTONES)}
    one = codes(four, milestones={**answers, "m4-social-chuckles": "not_yet"})
    assert one == {"developmental_screening": R}
    two_domains = codes(four, milestones={**answers, "m4-social-chuckles": "not_yet",
                                          "m4-lang-coos": "not_yet"})
    assert two_domains.get("early_intervention") == S  # global delay: design choice
    lost = codes(four, milestones=answers, lost_skills=True)
    assert lost["early_intervention"] == S


def test_one_missed_movement_milestone_is_screen_and_watch_too() -> None:
    # 7a: "developmental_screening only" for one missed item; therapy needs two or more.
    four = baby(math.ceil(4 * DAYS_PER_MONTH))
    answers = {m.code: "yes" for m in norms.milestones_due(four, norms.MILESTONES)}
    one = codes(four, milestones={**answers, "m4-move-head-steady": "not_yet"})
    assert one == {"developmental_screening": R}
    two = codes(four, milestones={**answers, "m4-move-head-steady": "not_yet",
                                  "m4-move-holds-toy": "not_yet"})
    assert two["physical_therapy"] == S and two["early_intervention"] == S


# --- Stored, paged and exported: urgent first, the new code everywhere.

@pytest.mark.django_db
def test_stored_suggestions_are_listed_urgent_first_in_model_page_and_api(world, client, api):
    from tests.episodes.helpers import SEIZURE, make_episode
    from tests.evaluations.helpers import worrying_data

    make_episode(world.patient, world.parent, SEIZURE)
    evaluation = signed(world.patient, world.clinician, worrying_data())
    stored = list(evaluation.suggestions.all())
    ranks = [Level(s.priority).rank for s in stored]
    assert len(set(ranks)) >= 2 and ranks == sorted(ranks, reverse=True)
    assert list(Suggestion.objects.filter(patient=world.patient)) == stored
    api.force_authenticate(world.clinician)
    body = api.get(f"/api/v1/evaluations/{evaluation.uuid}/").json()
    assert [s["priority"] for s in body["suggestions"]] == [s.priority for s in stored]
    listed = api.get("/api/v1/suggestions/", {"patient": str(world.patient.uuid)}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [Level(r["priority"]).rank for r in rows] == sorted(
        (Level(r["priority"]).rank for r in rows), reverse=True)
    client.force_login(world.clinician)
    page = client.get(reverse("evaluation-detail", args=[evaluation.uuid])).text
    positions = [page.index(f'data-code="{s.code}"') for s in stored if f'data-code="{s.code}"' in page]
    assert positions == sorted(positions) and len(positions) == len(stored)


@pytest.mark.django_db
def test_api_says_no_tests_needed_like_the_page(world, api, client):
    evaluation = signed(world.patient, world.clinician, typical_data())
    api.force_authenticate(world.clinician)
    body = api.get(f"/api/v1/evaluations/{evaluation.uuid}/").json()
    assert body["no_tests_needed"] is True
    assert body["no_tests_note"].startswith("No tests are needed now")
    client.force_login(world.clinician)
    page = client.get(reverse("evaluation-detail", args=[evaluation.uuid])).text
    assert "No tests are needed now" in page
    preview = draft(world.patient, world.clinician, typical_data())
    assert api.get(f"/api/v1/evaluations/{preview.uuid}/").json()["no_tests_needed"] is True


@pytest.mark.django_db
def test_api_no_tests_needed_is_false_with_suggestions(world, api):
    from tests.evaluations.helpers import worrying_data

    evaluation = signed(world.patient, world.clinician, worrying_data())
    api.force_authenticate(world.clinician)
    body = api.get(f"/api/v1/evaluations/{evaluation.uuid}/").json()
    assert body["no_tests_needed"] is False and body["no_tests_note"] == ""


@pytest.mark.django_db
def test_infection_workup_in_api_orders_parent_words_and_fhir(world, api):
    api.force_authenticate(world.clinician)
    response = api.post("/api/v1/orders/", {"patient": str(world.patient.uuid),
                                            "code": "infection_workup", "test": "Infection work-up",
                                            "priority": "urgent"}, format="json")
    assert response.status_code == 201, response.json()
    assert "infection" in response.json()["parent_explanation"]
    order = FollowUpOrder.objects.get(patient=world.patient)
    assert order.get_code_display() == "Infection work-up"
    response = api.get(f"/api/v1/patients/{world.patient.uuid}/fhir/")
    bundle = json.loads(b"".join(response.streaming_content))
    codes_in_fhir = [c["code"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
                     for c in e["resource"]["code"]["coding"]]
    assert "infection_workup" in codes_in_fhir
