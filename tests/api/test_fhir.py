"""FHIR export: the Bundle validates with fhir.resources (R4B), references resolve inside it,
access follows Action.EXPORT, and the export is audited."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from clinic.models import AuditEvent, CaseStatus
from episodes.models import Episode, EpisodeAttachment
from episodes.services import episode_create
from evaluations import norms
from evaluations import services as evaluation_services
from tests.conftest import client_for
from tests.review.review_factories import make_case

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]
# Export is Action.EXPORT: clinicians and clinic admins. Someone who may see the child
# but not export it (its parent, a reviewer) gets 403; anyone else 404 (DESIGN: no leak).
EXPECTED = {"anonymous": 401, "parent": 403, "other_parent": 404, "clinician": 200,
            "other_clinician": 404, "reviewer": 403, "clinic_admin": 200}


def url(patient: Any) -> str:
    return reverse("api:patient-fhir", kwargs={"id": patient.uuid})


def body(response: Any) -> dict[str, Any]:
    """The streamed Bundle, read whole."""
    assert response.streaming, "the export streams"
    return json.loads(b"".join(response.streaming_content))


def worrying_exam() -> dict[str, Any]:
    return {
        "history": "Right arm moves less.",
        "reflexes": [{"reflex": "moro", "left": "present", "right": "weak", "obligatory": False}],
        "hine": {code: {"score": 1, "asymmetric": i < 7} for i, code in enumerate(norms.HINE_ITEMS)},
        "tone": "increased",
    }


def report(world: Any, minutes_ago: int, **fields: Any) -> Any:
    data = {"duration_seconds": 40, "body_parts": ["left_foot"], "state": "asleep",
            "pattern": "isolated", "stops_when_held_or_woken": "yes"} | fields
    episode, _ = episode_create(patient=world.patient, reporter=world.parent,
                                started_at=timezone.now() - timedelta(minutes=minutes_ago), **data)
    return episode


@pytest.fixture
def record(world):
    """Episodes (one with a video, one in error), a signed evaluation with findings and
    suggestions, an accepted suggestion (order), a hand-made order and an open case."""
    calm = report(world, 300)
    worrying = report(world, 20, pattern="rhythmic", stops_when_held_or_woken="no",
                      body_parts=["left_arm", "left_leg"], state="awake", duration_seconds=90,
                      signs=["unresponsive"], temperature_c="38.4", notes="Lips went blue?")
    mistaken = report(world, 200, notes="wrong baby")
    mistaken.status = "entered_in_error"
    mistaken.save()
    video = EpisodeAttachment(episode=worrying, kind="video", content_type="video/mp4", size=11,
                              uploaded_by=world.parent)
    video.file.save("clip.mp4", ContentFile(b"\x00" * 11), save=True)
    evaluation = evaluation_services.evaluation_create(
        patient=world.patient, clinician=world.clinician, data=worrying_exam()
    )
    evaluation = evaluation_services.evaluation_sign(evaluation=evaluation, by=world.clinician,
                                                     version=evaluation.version)
    suggestions = list(world.patient.suggestions.all())
    assert suggestions, "the worrying exam should suggest follow-up tests"
    accepted = evaluation_services.suggestion_accept(suggestion=suggestions[0], by=world.clinician)
    by_hand = evaluation_services.order_create(patient=world.patient, by=world.clinician,
                                               code="hearing_evaluation")
    make_case(world.foreign_patient, "urgent")  # another patient's case: not exported
    return {"episodes": [calm, worrying, mistaken], "video": video, "evaluation": evaluation,
            "suggestions": suggestions, "orders": [accepted, by_hand]}


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in references(item)]
    return []


def test_bundle_validates_and_references_resolve(client, world, record):
    client.force_login(world.clinician)
    response = client.get(url(world.patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = body(response)

    bundle = Bundle.model_validate(data)
    assert bundle.type == "searchset"
    assert [link["relation"] for link in data["link"]] == ["self"]  # one page holds it all
    full_urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(full_urls) == len(set(full_urls))
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    refs = references([entry["resource"] for entry in data["entry"]])
    assert refs and set(refs) <= set(full_urls)

    kinds = Counter(entry["resource"]["resourceType"] for entry in data["entry"])
    evaluation = record["evaluation"]
    episodes = record["episodes"]
    findings = evaluation.findings.count()
    assert kinds["Patient"] == 1 and kinds["RelatedPerson"] == 1
    assert kinds["Encounter"] == 1
    assert kinds["Observation"] == findings + (evaluation.hine_total is not None) + len(episodes)
    assert kinds["QuestionnaireResponse"] == len(episodes)
    assert kinds["DocumentReference"] == 1
    open_cases = world.patient.review_cases.exclude(status=CaseStatus.RESOLVED).count()
    assert kinds["Flag"] == open_cases == 1

    resources = [entry["resource"] for entry in data["entry"]]
    by_id = {r["id"]: r for r in resources}
    requests = [r for r in resources if r["resourceType"] == "ServiceRequest"]
    assert Counter(r["intent"] for r in requests) == {"proposal": len(record["suggestions"]),
                                                       "order": 2}
    accepted = by_id[str(record["orders"][0].uuid)]
    assert accepted["basedOn"] == [{"reference": f"urn:uuid:{record['suggestions'][0].uuid}"}]
    assert by_id[str(record["suggestions"][0].uuid)]["status"] == "completed"

    # Each parent report is authored by the guardian's RelatedPerson.
    guardian = next(r for r in resources if r["resourceType"] == "RelatedPerson")
    reports = [r for r in resources if r["resourceType"] == "QuestionnaireResponse"]
    assert {r["author"]["reference"] for r in reports} == {f"urn:uuid:{guardian['id']}"}
    assert by_id[str(episodes[2].uuid)]["status"] == "entered-in-error"
    worrying = by_id[str(episodes[1].uuid)]
    answers = {item["linkId"]: item["answer"] for item in worrying["item"]}
    assert answers["temperature_c"] == [{"valueDecimal": 38.4}]
    assert [a["valueCoding"]["code"] for a in answers["signs"]] == ["unresponsive"]

    # The attachment is linked, never embedded, through the access-checked download view.
    document = next(r for r in resources if r["resourceType"] == "DocumentReference")
    link = document["content"][0]["attachment"]["url"]
    assert link == f"http://testserver{record['video'].get_absolute_url()}"
    assert "data" not in document["content"][0]["attachment"]
    assert document["context"]["related"] == [{"reference": f"urn:uuid:{episodes[1].uuid}"}]

    hine = next(r for r in resources if r.get("code", {}).get("coding", [{}])[0].get("code") == "hine-total")
    assert hine["valueInteger"] == evaluation.hine_total
    assert hine["encounter"] == {"reference": f"urn:uuid:{evaluation.uuid}"}


def test_export_writes_one_audit_event(client, world, record):
    client.force_login(world.clinic_admin)
    before = AuditEvent.objects.count()
    client.get(url(world.patient))
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.object_type, event.patient_id, event.actor_id) == (
        "export", "fhir_bundle", world.patient.pk, world.clinic_admin.pk)


@pytest.mark.parametrize("role", ROLES)
def test_access(api, world, record, role):
    client = client_for(api, world.user(role))
    before = AuditEvent.objects.filter(action="export").count()
    response = client.get(url(world.patient))
    assert response.status_code == EXPECTED[role]
    exported = AuditEvent.objects.filter(action="export").count() - before
    assert exported == (1 if response.status_code == 200 else 0)
    if response.status_code != 200:
        assert "resourceType" not in response.content.decode()
    else:
        assert body(response)["entry"][0]["resource"]["id"] == str(world.patient.uuid)


def test_unknown_and_malformed_ids_are_missing(api, world):
    api.force_authenticate(world.clinician)
    assert api.get("/api/v1/patients/not-a-uuid/fhir/").status_code == 404
    assert api.get(url(world.foreign_patient)).status_code == 404


def test_export_queries_do_not_grow(client, world, record, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.clinician)
    body(client.get(url(world.patient)))
    with CaptureQueriesContext(connection) as small:
        body(client.get(url(world.patient)))
    for minutes in range(30, 90, 10):
        report(world, minutes)
    with django_assert_num_queries(len(small.captured_queries)):
        body(client.get(url(world.patient)))


def test_exporting_twice_gives_the_same_resource_ids(client, world, record):
    client.force_login(world.clinician)
    first = body(client.get(url(world.patient)))
    second = body(client.get(url(world.patient)))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


# --- paging and streaming


def add_episodes(world: Any, count: int, *, with_video_every: int = 0) -> list[Any]:
    """``count`` stored episodes written in bulk (the export reads rows, not the report path)."""
    now = timezone.now()
    episodes = Episode.objects.bulk_create(
        Episode(patient=world.patient, reporter=world.parent, started_at=now - timedelta(hours=i + 1),
                duration_seconds=10, body_parts=["left_foot"], state="asleep", pattern="isolated",
                stops_when_held_or_woken="yes", level="routine", rule_set_version="bulk",
                content_hash=f"bulk-{i}",
                triage={"level": "routine", "headline": "Typical sleep twitches",
                        "reasons": [{"rule": "EP-TYPICAL", "explanation": "asleep, isolated"}]})
        for i in range(count)
    )
    if with_video_every:
        EpisodeAttachment.objects.bulk_create(
            EpisodeAttachment(episode=e, kind="video", file="private/episodes/x.mp4",
                              content_type="video/mp4", size=1, uploaded_by=world.parent)
            for e in episodes[::with_video_every]
        )
    return episodes


def pages(client: Any, first: str) -> list[dict[str, Any]]:
    found, link = [], first
    while link:
        response = client.get(link)
        assert response.status_code == 200, response.content
        page = body(response)
        found.append(page)
        link = next((x["url"] for x in page["link"] if x["relation"] == "next"), None)
        assert len(found) < 100
    return found


def test_pages_follow_next_links_and_together_hold_the_whole_record(client, world, record):
    add_episodes(world, 30, with_video_every=4)
    client.force_login(world.clinician)
    whole = body(client.get(url(world.patient)))
    walked = pages(client, f"{url(world.patient)}?_count=7")

    assert len(walked) > 5
    for page in walked:
        Bundle.model_validate(page)
        kinds = Counter(e["resource"]["resourceType"] for e in page["entry"])
        # At most _count, unless one row alone gives more (an evaluation and its 12
        # findings): a row's resources are never split, so it gets a page of its own.
        assert 1 <= len(page["entry"]) <= 7 or set(kinds) == {"Encounter", "Observation"} \
            and kinds["Encounter"] == 1
        assert page["link"][0]["relation"] == "self"
    ids = [e["fullUrl"] for page in walked for e in page["entry"]]
    assert ids == [e["fullUrl"] for e in whole["entry"]]  # same order, nothing twice or lost
    # A page ends between rows: an episode's report, facts and video (and an evaluation's
    # encounter and findings) travel together, so what they point at, apart from the
    # patient and the guardian, is on the same page.
    shared = {e["fullUrl"] for e in whole["entry"]
              if e["resource"]["resourceType"] in ("Patient", "RelatedPerson")}
    for page in walked:
        here = {e["fullUrl"] for e in page["entry"]}
        parts = [e["resource"] for e in page["entry"]
                 if e["resource"]["resourceType"] in ("Observation", "DocumentReference")]
        assert set(references(parts)) <= here | shared
    assert [p["entry"][0]["search"]["mode"] for p in walked[:2]] == ["match", "include"]


def test_each_page_is_audited_and_needs_export_again(client, world, record):
    add_episodes(world, 10)
    client.force_login(world.clinician)
    first = body(client.get(f"{url(world.patient)}?_count=5"))
    next_link = next(x["url"] for x in first["link"] if x["relation"] == "next")
    before = AuditEvent.objects.filter(action="export").count()
    assert client.get(next_link).status_code == 200
    assert AuditEvent.objects.filter(action="export").count() == before + 1

    client.force_login(world.reviewer)  # sees the child, may not export it
    assert client.get(next_link).status_code == 403
    client.force_login(world.other_clinician)
    assert client.get(next_link).status_code == 404


@pytest.mark.parametrize("query", ["_count=0", "_count=lots", f"_count={10**6}", "_cursor=forged",
                                   "_cursor=" + "x" * 300])
def test_bad_paging_answers_400_with_the_field(api, world, query):
    api.force_authenticate(world.clinician)
    response = api.get(f"{url(world.patient)}?{query}")
    assert response.status_code == 400
    assert set(response.json()) == {query.split("=")[0]}


def test_a_cursor_of_another_child_is_refused(client, world, record):
    from interop.api import cursor_token
    from interop.fhir import Cursor

    client.force_login(world.clinician)
    token = cursor_token(str(world.other_patient.uuid), Cursor("episodes", 1))
    response = client.get(f"{url(world.patient)}?_cursor={token}")
    assert response.status_code == 400
    assert "_cursor" in response.json()


def _peak_bytes(client: Any, link: str) -> tuple[int, int]:
    """Peak traced memory while the export streams (chunks are read and dropped) and its size."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(link)
        size = sum(len(chunk) for chunk in response.streaming_content)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_whatever_the_record_size(client, world, monkeypatch):
    from interop import fhir

    monkeypatch.setattr(fhir, "BATCH", 25)  # both records span several batches
    client.force_login(world.clinician)
    link = f"{url(world.patient)}?_count={fhir.MAX_COUNT}"
    add_episodes(world, 100, with_video_every=10)
    body(client.get(link))  # warm caches (content types, translations, the session)
    small, small_size = _peak_bytes(client, link)
    add_episodes(world, 900, with_video_every=10)
    large, large_size = _peak_bytes(client, link)
    assert large_size > 8 * small_size
    # Ten times the record, well under twice the memory (what remains is garbage the
    # cyclic collector has not reached yet, not rows kept: one batch is held at a time).
    assert large < 2 * small, (small, large)
