"""FHIR export of one patient's record as a Bundle of type ``collection``.

FHIR R4 is asked for; ``fhir.resources`` 8 ships R5 as its default package plus
``R4B`` (4.3), which is wire-compatible with R4 for every resource used here, so
the resources are validated with ``fhir.resources.R4B``.

Every entry has ``fullUrl`` ``urn:uuid:<uuid>`` and every reference between
entries uses that form, so the Bundle stands on its own. Rows without a public
UUID (guardianships, findings, derived observations) get a stable name-based UUID
(uuid5 under their parent's UUID), so exporting twice gives the same ids.

Local codes (rule ids, suggestion codes, HINE total) sit under ``CODE_BASE``: a
namespace of this application, not a published terminology.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhir.resources.R4B.relatedperson import RelatedPerson
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.servicerequest import ServiceRequest

from clinic.models import CaseStatus, Guardianship, Patient, ReviewCase
from episodes.models import Episode, EpisodeStatus
from evaluations.models import Evaluation, EvaluationStatus, FollowUpOrder, Suggestion
from interop import fhir_messages

CODE_BASE = "https://twitch-clinic.example/fhir/CodeSystem"
RULES = f"{CODE_BASE}/rule"
TESTS = f"{CODE_BASE}/follow-up-test"
OBSERVATIONS = f"{CODE_BASE}/observation"
FLAGS = f"{CODE_BASE}/review-case"
ROLE_CODES = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"

RELATIONSHIP_CODES = {"mother": ("MTH", "mother"), "father": ("FTH", "father"),
                      "parent": ("PRN", "parent"), "guardian": ("GUARD", "guardian")}
# Our three priorities onto FHIR's request-priority: "soon" (within days) is more than
# routine, and our "urgent" (today) is FHIR's "asap".
PRIORITY = {"routine": "routine", "soon": "urgent", "urgent": "asap"}
SUGGESTION_STATUS = {"suggested": "draft", "accepted": "completed", "dismissed": "revoked"}
ORDER_STATUS = {"ordered": "active", "scheduled": "active", "resulted": "completed",
                "cancelled": "revoked"}


@dataclass
class Record:
    """Everything exported for one patient, loaded with a fixed number of queries."""

    patient: Patient
    guardianships: list[Guardianship]
    evaluations: list[Evaluation]
    episodes: list[Episode]
    suggestions: list[Suggestion]
    orders: list[FollowUpOrder]
    open_cases: list[ReviewCase]


def load_record(patient: Patient) -> Record:
    """The patient's record, already access-checked by the caller."""
    return Record(
        patient=patient,
        guardianships=list(patient.guardianships.select_related("user").order_by("id")),
        evaluations=list(
            Evaluation.objects.filter(patient=patient).select_related("clinician")
            .prefetch_related("findings").order_by("performed_at", "id")
        ),
        episodes=list(
            Episode.objects.filter(patient=patient).select_related("reporter")
            .prefetch_related(Prefetch("attachments")).order_by("started_at", "id")
        ),
        suggestions=list(Suggestion.objects.filter(patient=patient).order_by("created_at", "id")),
        orders=list(
            FollowUpOrder.objects.filter(patient=patient).select_related("ordered_by", "suggestion")
            .order_by("ordered_at", "id")
        ),
        open_cases=list(
            ReviewCase.objects.filter(patient=patient).exclude(status=CaseStatus.RESOLVED)
            .order_by("opened_at")
        ),
    )


def _ref(key: uuid.UUID, display: str = "") -> dict[str, str]:
    ref = {"reference": f"urn:uuid:{key}"}
    if display:
        ref["display"] = display
    return ref


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person_name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _concept(system: str, code: str, display: str = "") -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding], "text": display or code}


class _Builder:
    """Collects validated resources and their entries in a stable order."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def add(self, model: type[Resource], key: uuid.UUID, data: dict[str, Any]) -> None:
        data = {k: v for k, v in data.items() if v not in (None, [], "")}
        resource = model.model_validate({"resourceType": model.get_resource_type(), "id": str(key),
                                         **data})
        self.entries.append({"fullUrl": f"urn:uuid:{key}", "resource": resource})


def _patient(record: Record, out: _Builder) -> uuid.UUID:
    patient = record.patient
    key = patient.uuid
    out.add(FhirPatient, key, {
        "identifier": [{"system": f"urn:uuid:{patient.clinic.uuid}", "value": patient.mrn,
                        "type": {"text": "Medical record number"}}] if patient.mrn else None,
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex,
        "birthDate": patient.date_of_birth.isoformat(),
        "managingOrganization": {"display": patient.clinic.name},
    })
    return key


def _guardians(record: Record, out: _Builder, patient_key: uuid.UUID) -> dict[int, uuid.UUID]:
    """RelatedPerson per guardian; returns user id -> RelatedPerson key (report authors)."""
    keys: dict[int, uuid.UUID] = {}
    for guardianship in record.guardianships:
        key = uuid.uuid5(record.patient.uuid, f"guardianship/{guardianship.pk}")
        user = guardianship.user
        code = RELATIONSHIP_CODES.get(guardianship.relationship)
        out.add(RelatedPerson, key, {
            "active": user.is_active,
            "patient": _ref(patient_key),
            "relationship": [
                _concept(ROLE_CODES, code[0], code[1]) if code
                else {"text": guardianship.get_relationship_display()}
            ],
            "name": [{"text": _person_name(user), "family": user.last_name or None,
                      "given": [user.first_name] if user.first_name else None}],
            "telecom": [{"system": "email", "value": user.email}] if user.email else None,
        })
        keys[user.pk] = key
    return keys


def _evaluations(record: Record, out: _Builder, patient_key: uuid.UUID) -> None:
    for evaluation in record.evaluations:
        signed = evaluation.status == EvaluationStatus.SIGNED
        key = evaluation.uuid
        out.add(Encounter, key, {
            "status": "finished" if signed else "in-progress",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB",
                      "display": "ambulatory"},
            "type": [{"text": "Neurological and developmental evaluation"}],
            "subject": _ref(patient_key),
            "participant": [{"individual": {"display": _person_name(evaluation.clinician)}}],
            "period": {"start": _when(evaluation.performed_at)},
        })
        status = "final" if signed else "preliminary"
        common = {"status": status, "subject": _ref(patient_key), "encounter": _ref(key),
                  "effectiveDateTime": _when(evaluation.performed_at),
                  "category": [_concept(OBS_CATEGORY, "exam", "Exam")]}
        if evaluation.hine_total is not None:
            out.add(Observation, uuid.uuid5(key, "hine-total"), {
                **common,
                "code": _concept(OBSERVATIONS, "hine-total", "HINE global score"),
                "valueInteger": evaluation.hine_total,
                "note": [{"text": f"{evaluation.hine_asymmetries} asymmetric item(s); "
                                  f"age used: {evaluation.age_uses}"}],
            })
        for finding in evaluation.findings.all():
            out.add(Observation, uuid.uuid5(key, f"finding/{finding.pk}"), {
                **common,
                "code": _concept(RULES, finding.rule, finding.rule),
                "valueString": finding.explanation,
                "interpretation": [{"text": f"level {finding.level}"}],
                "note": [{"text": f"Source: {finding.source}"}] if finding.source else None,
            })


def _answer(link: str, text: str, answers: list[dict[str, Any]]) -> dict[str, Any] | None:
    return {"linkId": link, "text": text, "answer": answers} if answers else None


def _episodes(record: Record, out: _Builder, patient_key: uuid.UUID,
              guardians: dict[int, uuid.UUID], download_url: Callable[[Any], str]) -> None:
    for episode in record.episodes:
        in_error = episode.status == EpisodeStatus.ENTERED_IN_ERROR
        report_key = episode.uuid
        author_key = guardians.get(episode.reporter_id)
        items = [
            _answer("started_at", "When did it start?", [{"valueDateTime": _when(episode.started_at)}]),
            _answer("duration_seconds", "How long did it last (seconds)?",
                    [{"valueInteger": episode.duration_seconds}]),
            _answer("body_parts", "Which body parts?",
                    [{"valueCoding": {"code": c, "display": label}}
                     for c, label in zip(episode.body_parts, episode.body_part_labels(), strict=True)]),
            _answer("state", "What was the baby doing?",
                    [{"valueCoding": {"code": episode.state, "display": episode.get_state_display()}}]),
            _answer("pattern", "What did it look like?",
                    [{"valueCoding": {"code": episode.pattern,
                                      "display": episode.get_pattern_display()}}]),
            _answer("stops_when_held_or_woken", "Did it stop when held or woken?",
                    [{"valueCoding": {"code": episode.stops_when_held_or_woken,
                                      "display": episode.get_stops_when_held_or_woken_display()}}]),
            _answer("signs", "Other signs",
                    [{"valueCoding": {"code": c, "display": label}}
                     for c, label in zip(episode.signs, episode.sign_labels(), strict=True)]),
            _answer("temperature_c", "Temperature (°C)",
                    [{"valueDecimal": float(episode.temperature_c)}]
                    if episode.temperature_c is not None else []),
            _answer("notes", "Notes", [{"valueString": episode.notes}] if episode.notes else []),
        ]
        out.add(QuestionnaireResponse, report_key, {
            "status": "entered-in-error" if in_error else "completed",
            "subject": _ref(patient_key),
            "authored": _when(episode.created_at),
            "author": _ref(author_key) if author_key else {"display": _person_name(episode.reporter)},
            "source": _ref(author_key) if author_key else None,
            "item": [item for item in items if item],
        })
        triage = episode.triage or {}
        components = [
            {"code": {"text": "duration"},
             "valueQuantity": {"value": episode.duration_seconds, "unit": "s", "system": UCUM, "code": "s"}},
            {"code": {"text": "pattern"}, "valueString": episode.get_pattern_display()},
            {"code": {"text": "state"}, "valueString": episode.get_state_display()},
            {"code": {"text": "body parts"}, "valueString": ", ".join(episode.body_part_labels())},
        ]
        if episode.signs:
            components.append({"code": {"text": "signs"}, "valueString": ", ".join(episode.sign_labels())})
        if episode.temperature_c is not None:
            components.append({"code": {"text": "temperature"}, "valueQuantity": {
                "value": float(episode.temperature_c), "unit": "Cel", "system": UCUM, "code": "Cel"}})
        out.add(Observation, uuid.uuid5(report_key, "facts"), {
            "status": "entered-in-error" if in_error else "final",
            "category": [{"text": "Parent-reported episode"}],
            "code": _concept(OBSERVATIONS, "twitch-episode", "Twitching episode"),
            "subject": _ref(patient_key),
            "effectiveDateTime": _when(episode.started_at),
            "valueString": triage.get("headline") or f"triage level {episode.level}",
            "interpretation": [_concept(OBSERVATIONS, f"triage-{episode.level}", f"Triage: {episode.level}")],
            "note": [{"text": f"{r.get('rule')}: {r.get('explanation')}"} for r in triage.get("reasons", [])]
            or None,
            "component": components,
            "derivedFrom": [_ref(report_key)],
        })
        for attachment in episode.attachments.all():
            out.add(DocumentReference, attachment.uuid, {
                "status": "entered-in-error" if in_error else "current",
                "type": {"text": attachment.get_kind_display()},
                "subject": _ref(patient_key),
                "date": _when(attachment.uploaded_at),
                "author": [_ref(author_key)]
                if author_key and attachment.uploaded_by_id == episode.reporter_id else None,
                "content": [{"attachment": {
                    "contentType": attachment.content_type, "url": download_url(attachment),
                    "size": attachment.size, "title": f"{attachment.get_kind_display()} of an episode",
                    "creation": _when(attachment.uploaded_at),
                }}],
                "context": {"related": [_ref(report_key)]},
            })


def _requests(record: Record, out: _Builder, patient_key: uuid.UUID) -> None:
    proposals: dict[int, uuid.UUID] = {}
    for suggestion in record.suggestions:
        proposals[suggestion.pk] = suggestion.uuid
        out.add(ServiceRequest, suggestion.uuid, {
            "status": SUGGESTION_STATUS.get(suggestion.status, "unknown"),
            "intent": "proposal",
            "priority": PRIORITY.get(suggestion.priority),
            "code": _concept(TESTS, suggestion.code, suggestion.get_code_display()),
            "subject": _ref(patient_key),
            "authoredOn": _when(suggestion.created_at),
            "reasonCode": [{"text": f"{r.get('rule')}: {r.get('explanation')}"} for r in suggestion.reasons]
            or None,
            "note": [{"text": f"Dismissed: {suggestion.dismiss_reason}"}]
            if suggestion.dismiss_reason else None,
        })
    for order in record.orders:
        based_on = proposals.get(order.suggestion_id) if order.suggestion_id else None
        out.add(ServiceRequest, order.uuid, {
            "status": ORDER_STATUS.get(order.status, "unknown"),
            "intent": "order",
            "priority": PRIORITY.get(order.priority),
            "code": _concept(TESTS, order.code, order.test),
            "subject": _ref(patient_key),
            "authoredOn": _when(order.ordered_at),
            "requester": {"display": _person_name(order.ordered_by)},
            "basedOn": [_ref(based_on)] if based_on else None,
            "note": [{"text": order.result_notes}] if order.result_notes else None,
        })


def _flags(record: Record, out: _Builder, patient_key: uuid.UUID) -> None:
    for case in record.open_cases:
        out.add(Flag, case.uuid, {
            "status": "active",
            "category": [{"text": "Clinical review"}],
            "code": _concept(FLAGS, f"review-{case.level}",
                             f"Open {case.get_level_display().lower()} review case "
                             f"({case.get_status_display().lower()})"),
            "subject": _ref(patient_key),
            "period": {"start": _when(case.opened_at)},
        })


def patient_bundle(record: Record, *, download_url: Callable[[Any], str]) -> Bundle:
    """The validated Bundle; ``download_url`` turns an attachment into its checked link."""
    out = _Builder()
    patient_key = _patient(record, out)
    guardians = _guardians(record, out, patient_key)
    _evaluations(record, out, patient_key)
    _episodes(record, out, patient_key, guardians, download_url)
    _requests(record, out, patient_key)
    _flags(record, out, patient_key)
    for message in fhir_messages.communications(fhir_messages.load_messages(record.patient),
                                                patient_key=patient_key, guardians=guardians,
                                                download_url=download_url):
        out.add(Communication, uuid.UUID(message["id"]), message)
    return Bundle.model_validate({
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _when(timezone.now()),
        "entry": out.entries,
    })
