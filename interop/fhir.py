"""FHIR export: one patient's record (a paged ``searchset`` Bundle) or a clinic's (NDJSON).

FHIR R4 is what we export; the tests validate it with ``fhir.resources.R4B`` (4.3, wire-
compatible with R4 for every resource used here). Requests never build or validate
pydantic models: resources are plain dicts, written out as JSON while the rows are read,
so memory stays flat whatever the record's size.

**Shape.** The patient's export follows ``Patient/$everything``: a ``searchset`` Bundle,
the patient entry ``search.mode = match`` and everything else ``include``. It is paged:
``_count`` entries at most per page (``DEFAULT_COUNT``, at most ``MAX_COUNT``), and a
``link`` with relation ``next`` while more remain. A ``collection`` has no paging
semantics, so a record too large for one answer is a searchset (the choice $everything
makes too). A page ends between rows, never inside an episode's entries; a single row
with more resources than ``_count`` (an evaluation and its findings) gets a page alone.

**Extending.** The record is a list of ``Section``s (``SECTIONS``), each a queryset of
rows ordered by primary key and a function turning one row into resources. The cursor of
the ``next`` link names a section and the last primary key written, so paging is keyset,
as fast at page 100 as at page 1. Another kind of resource (e.g. messaging's
``Communication``) is one more ``Section`` appended to ``SECTIONS``; the bulk export
(``interop/bulk.py``) reads the same sections.

Rows are read in keyset batches (``BATCH`` rows, ``pk > last``), not through one
``.iterator()`` server-side cursor: in autocommit Django declares cursors ``WITH HOLD``,
which PostgreSQL materialises whole on the server before the first row arrives, and a
held cursor cannot pass a transaction-pooling proxy. A batch is one short query plus its
prefetches; memory holds one batch.

Every entry has ``fullUrl`` ``urn:uuid:<uuid>`` and every reference between entries uses
that form, so each page stands on its own. Rows without a public UUID (guardianships,
findings, derived observations) get a stable name-based UUID (uuid5 under their parent's
UUID), so exporting twice gives the same ids.

Local codes (rule ids, suggestion codes, HINE total) sit under ``CODE_BASE``: a
namespace of this application, not a published terminology.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from clinic.access import Action, restrict
from clinic.models import CaseStatus, Guardianship, Patient, ReviewCase
from episodes.models import Episode, EpisodeStatus
from evaluations.models import Evaluation, EvaluationStatus, FollowUpOrder, Suggestion
from interop import fhir_messages
from messaging.models import Message, MessageAttachment

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

# Entries per page: the default keeps one answer well inside gunicorn's timeout; the
# maximum bounds how long one request may stream.
DEFAULT_COUNT = 1000
MAX_COUNT = 10000
BATCH = 500  # rows per keyset query

Resource = dict[str, Any]

# Every resource type the sections produce (the bulk export's ``_type`` is checked against
# it): a new Section adds its types here.
RESOURCE_TYPES: set[str] = {"Patient", "RelatedPerson", "Encounter", "Observation",
                            "QuestionnaireResponse", "DocumentReference", "ServiceRequest", "Flag",
                            "Communication"}


@dataclass(frozen=True)
class Context:
    """What turning a row into resources needs beyond the row itself."""

    download_url: Callable[[Any], str]
    user: Any = None  # who exports: sections with an ``action`` narrow by it (clinic.access)


@dataclass(frozen=True)
class Section:
    """One kind of row of a patient's record and the resources each row becomes.

    ``rows(patients)`` returns such rows of the given patients (a queryset the caller got
    from ``clinic.access``, already narrowed to what may be exported), with what
    ``resources`` reads selected or annotated. Each row gives at least one resource.
    """

    name: str
    rows: Callable[[QuerySet[Patient]], QuerySet]
    resources: Callable[[Any, Context], Iterable[Resource]]
    # Rows only of the patients the exporting user may also do this for (messages: a
    # clinic admin exports the record but does not read the family's messages).
    action: Action | None = None

    def batches(self, patients: QuerySet[Patient], ctx: Context, after: int = 0) -> Iterator[Any]:
        """The rows in primary-key order, ``BATCH`` at a time (keyset)."""
        if self.action is not None:
            patients = restrict(patients, ctx.user, self.action, patient_field="")
        queryset = self.rows(patients).order_by("pk")
        while True:
            batch = list(queryset.filter(pk__gt=after)[:BATCH])
            yield from batch
            # A prefetched child points back at its row (a reference cycle), which only
            # the cyclic collector frees, late: unlink them so each batch is freed now.
            for row in batch:
                getattr(row, "_prefetched_objects_cache", {}).clear()
            if len(batch) < BATCH:
                return
            after = batch[-1].pk


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clean(node: Any) -> Any:
    """Drop empty values (None, "", [], {}) at every level: FHIR forbids empty elements.

    Recurses only into containers (a call per scalar was a third of the export's time).
    """
    if isinstance(node, dict):
        cleaned = {}
        for key, value in node.items():
            if isinstance(value, dict | list):
                value = _clean(value)
            if not _is_empty(value):
                cleaned[key] = value
        return cleaned
    if isinstance(node, list):
        items = (_clean(value) if isinstance(value, dict | list) else value for value in node)
        return [item for item in items if not _is_empty(item)]
    return node


def _resource(resource_type: str, key: uuid.UUID, data: dict[str, Any]) -> Resource:
    return _clean({"resourceType": resource_type, "id": str(key), **data})


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


def guardian_key(patient_uuid: uuid.UUID, guardianship_pk: int) -> uuid.UUID:
    return uuid.uuid5(patient_uuid, f"guardianship/{guardianship_pk}")


# --- rows -> resources ---------------------------------------------------------------------

def _patient(patient: Patient, ctx: Context) -> Iterator[Resource]:
    yield _resource("Patient", patient.uuid, {
        "identifier": [{"system": f"urn:uuid:{patient.clinic.uuid}", "value": patient.mrn,
                        "type": {"text": "Medical record number"}}] if patient.mrn else None,
        "name": [{"family": patient.family_name, "given": [patient.given_name]}],
        "gender": patient.sex,
        "birthDate": patient.date_of_birth.isoformat(),
        "managingOrganization": {"display": patient.clinic.name},
    })


def _guardian(guardianship: Guardianship, ctx: Context) -> Iterator[Resource]:
    user = guardianship.user
    code = RELATIONSHIP_CODES.get(guardianship.relationship)
    yield _resource("RelatedPerson", guardian_key(guardianship.patient_uuid, guardianship.pk), {
        "active": user.is_active,
        "patient": _ref(guardianship.patient_uuid),
        "relationship": [
            _concept(ROLE_CODES, code[0], code[1]) if code
            else {"text": guardianship.get_relationship_display()}
        ],
        "name": [{"text": _person_name(user), "family": user.last_name or None,
                  "given": [user.first_name] if user.first_name else None}],
        "telecom": [{"system": "email", "value": user.email}] if user.email else None,
    })


def _evaluation(evaluation: Evaluation, ctx: Context) -> Iterator[Resource]:
    signed = evaluation.status == EvaluationStatus.SIGNED
    key, patient_key = evaluation.uuid, evaluation.patient_uuid
    yield _resource("Encounter", key, {
        "status": "finished" if signed else "in-progress",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB",
                  "display": "ambulatory"},
        "type": [{"text": "Neurological and developmental evaluation"}],
        "subject": _ref(patient_key),
        "participant": [{"individual": {"display": _person_name(evaluation.clinician)}}],
        "period": {"start": _when(evaluation.performed_at)},
    })
    common = {"status": "final" if signed else "preliminary", "subject": _ref(patient_key),
              "encounter": _ref(key), "effectiveDateTime": _when(evaluation.performed_at),
              "category": [_concept(OBS_CATEGORY, "exam", "Exam")]}
    if evaluation.hine_total is not None:
        yield _resource("Observation", uuid.uuid5(key, "hine-total"), {
            **common,
            "code": _concept(OBSERVATIONS, "hine-total", "HINE global score"),
            "valueInteger": evaluation.hine_total,
            "note": [{"text": f"{evaluation.hine_asymmetries} asymmetric item(s); "
                              f"age used: {evaluation.age_uses}"}],
        })
    for finding in evaluation.findings.all():
        yield _resource("Observation", uuid.uuid5(key, f"finding/{finding.pk}"), {
            **common,
            "code": _concept(RULES, finding.rule, finding.rule),
            "valueString": finding.explanation,
            "interpretation": [{"text": f"level {finding.level}"}],
            "note": [{"text": f"Source: {finding.source}"}] if finding.source else None,
        })


def _answer(link: str, text: str, answers: list[dict[str, Any]]) -> dict[str, Any] | None:
    return {"linkId": link, "text": text, "answer": answers} if answers else None


def _episode(episode: Episode, ctx: Context) -> Iterator[Resource]:
    in_error = episode.status == EpisodeStatus.ENTERED_IN_ERROR
    report_key, patient_key = episode.uuid, episode.patient_uuid
    author_key = (guardian_key(patient_key, episode.author_guardianship)
                  if episode.author_guardianship else None)
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
                [{"valueCoding": {"code": episode.pattern, "display": episode.get_pattern_display()}}]),
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
    yield _resource("QuestionnaireResponse", report_key, {
        "status": "entered-in-error" if in_error else "completed",
        "subject": _ref(patient_key),
        "authored": _when(episode.created_at),
        "author": _ref(author_key) if author_key else {"display": _person_name(episode.reporter)},
        "source": _ref(author_key) if author_key else None,
        "item": items,
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
    yield _resource("Observation", uuid.uuid5(report_key, "facts"), {
        "status": "entered-in-error" if in_error else "final",
        "category": [{"text": "Parent-reported episode"}],
        "code": _concept(OBSERVATIONS, "twitch-episode", "Twitching episode"),
        "subject": _ref(patient_key),
        "effectiveDateTime": _when(episode.started_at),
        "valueString": triage.get("headline") or f"triage level {episode.level}",
        "interpretation": [_concept(OBSERVATIONS, f"triage-{episode.level}", f"Triage: {episode.level}")],
        "note": [{"text": f"{r.get('rule')}: {r.get('explanation')}"} for r in triage.get("reasons", [])],
        "component": components,
        "derivedFrom": [_ref(report_key)],
    })
    for attachment in episode.attachments.all():
        yield _resource("DocumentReference", attachment.uuid, {
            "status": "entered-in-error" if in_error else "current",
            "type": {"text": attachment.get_kind_display()},
            "subject": _ref(patient_key),
            "date": _when(attachment.uploaded_at),
            "author": [_ref(author_key)]
            if author_key and attachment.uploaded_by_id == episode.reporter_id else None,
            "content": [{"attachment": {
                "contentType": attachment.content_type, "url": ctx.download_url(attachment),
                "size": attachment.size, "title": f"{attachment.get_kind_display()} of an episode",
                "creation": _when(attachment.uploaded_at),
            }}],
            "context": {"related": [_ref(report_key)]},
        })


def _suggestion(suggestion: Suggestion, ctx: Context) -> Iterator[Resource]:
    yield _resource("ServiceRequest", suggestion.uuid, {
        "status": SUGGESTION_STATUS.get(suggestion.status, "unknown"),
        "intent": "proposal",
        "priority": PRIORITY.get(suggestion.priority),
        "code": _concept(TESTS, suggestion.code, suggestion.get_code_display()),
        "subject": _ref(suggestion.patient_uuid),
        "authoredOn": _when(suggestion.created_at),
        "reasonCode": [{"text": f"{r.get('rule')}: {r.get('explanation')}"} for r in suggestion.reasons],
        "note": [{"text": f"Dismissed: {suggestion.dismiss_reason}"}] if suggestion.dismiss_reason else None,
    })


def _order(order: FollowUpOrder, ctx: Context) -> Iterator[Resource]:
    yield _resource("ServiceRequest", order.uuid, {
        "status": ORDER_STATUS.get(order.status, "unknown"),
        "intent": "order",
        "priority": PRIORITY.get(order.priority),
        "code": _concept(TESTS, order.code, order.test),
        "subject": _ref(order.patient_uuid),
        "authoredOn": _when(order.ordered_at),
        "requester": {"display": _person_name(order.ordered_by)},
        "basedOn": [_ref(order.suggestion_uuid)] if order.suggestion_uuid else None,
        "note": [{"text": order.result_notes}] if order.result_notes else None,
    })


def _flag(case: ReviewCase, ctx: Context) -> Iterator[Resource]:
    yield _resource("Flag", case.uuid, {
        "status": "active",
        "category": [{"text": "Clinical review"}],
        "code": _concept(FLAGS, f"review-{case.level}",
                         f"Open {case.get_level_display().lower()} review case "
                         f"({case.get_status_display().lower()})"),
        "subject": _ref(case.patient_uuid),
        "period": {"start": _when(case.opened_at)},
    })


def _communication(message: Message, ctx: Context) -> Iterator[Resource]:
    """A secure message (interop/fhir_messages.py); the child's guardians come prefetched."""
    patient = message.thread.patient
    guardians = {g.user_id: guardian_key(patient.uuid, g.pk) for g in patient.guardianships.all()}
    yield from fhir_messages.communications([message], patient_key=patient.uuid, guardians=guardians,
                                            download_url=ctx.download_url)


def _messages(patients: QuerySet[Patient]) -> QuerySet:
    return (Message.objects.filter(thread__patient__in=patients)
            .select_related("author", "sent_in_error_by", "episode", "thread__patient__clinic")
            .prefetch_related("thread__patient__guardianships", Prefetch(
                "attachments", queryset=MessageAttachment.objects.order_by("uploaded_at", "id"))))


def _of(queryset: QuerySet, patients: QuerySet[Patient]) -> QuerySet:
    return queryset.filter(patient__in=patients).annotate(patient_uuid=F("patient__uuid"))


SECTIONS: list[Section] = [
    Section("patient", lambda patients: patients.select_related("clinic"), _patient),
    Section("guardians", lambda patients: _of(Guardianship.objects.select_related("user"), patients),
            _guardian),
    Section("evaluations", lambda patients: _of(
        Evaluation.objects.select_related("clinician").prefetch_related("findings"), patients),
        _evaluation),
    Section("episodes", lambda patients: _of(
        Episode.objects.select_related("reporter").prefetch_related("attachments").annotate(
            # The reporter's guardianship of this child names the report's author.
            author_guardianship=Subquery(Guardianship.objects.filter(
                patient=OuterRef("patient"), user=OuterRef("reporter")).values("pk")[:1])),
        patients), _episode),
    Section("suggestions", lambda patients: _of(Suggestion.objects.all(), patients), _suggestion),
    Section("orders", lambda patients: _of(
        FollowUpOrder.objects.select_related("ordered_by").annotate(suggestion_uuid=F("suggestion__uuid")),
        patients), _order),
    Section("flags", lambda patients: _of(ReviewCase.objects.exclude(status=CaseStatus.RESOLVED), patients),
            _flag),
    Section("messages", _messages, _communication, action=Action.MESSAGE),
]


def section_named(name: str) -> Section | None:
    return next((section for section in SECTIONS if section.name == name), None)


# --- one patient's record: a paged searchset, streamed ------------------------------------

@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after row ``pk`` of section ``section``."""

    section: str
    pk: int


def _entries(patients: QuerySet[Patient], ctx: Context, count: int,
             after: Cursor | None) -> Iterator[Resource | Cursor]:
    """The page's resources, then (if more remain) the cursor of the next page."""
    names = [section.name for section in SECTIONS]
    start = names.index(after.section) if after else 0
    written, last = 0, None
    for section in SECTIONS[start:]:
        since = after.pk if after and section.name == after.section else 0
        for row in section.batches(patients, ctx, since):
            resources = list(section.resources(row, ctx))
            if written and written + len(resources) > count:
                yield last  # set: something was written
                return
            yield from resources
            written += len(resources)
            last = Cursor(section.name, row.pk)


CHUNK = 64 * 1024  # bytes per write to the server: one entry per write would be a syscall each


def _chunked(pieces: Iterator[bytes]) -> Iterator[bytes]:
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)


def stream_patient_bundle(patient: QuerySet[Patient], ctx: Context, *, count: int = DEFAULT_COUNT,
                          after: Cursor | None = None, self_url: str,
                          next_url: Callable[[Cursor], str]) -> Iterator[bytes]:
    """The page as JSON, written as rows are read (one batch of rows in memory at once).

    ``patient`` is a queryset of the one patient, from ``clinic.access``.
    """
    return _chunked(_bundle_pieces(patient, ctx, count=count, after=after, self_url=self_url,
                                   next_url=next_url))


def _bundle_pieces(patient: QuerySet[Patient], ctx: Context, *, count: int, after: Cursor | None,
                   self_url: str, next_url: Callable[[Cursor], str]) -> Iterator[bytes]:
    head = {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "searchset",
            "timestamp": _when(timezone.now())}
    yield json.dumps(head, separators=(",", ":"))[:-1].encode() + b',"entry":['
    links = [{"relation": "self", "url": self_url}]
    separator = b""
    for item in _entries(patient, ctx, count, after):
        if isinstance(item, Cursor):
            links.append({"relation": "next", "url": next_url(item)})
            break
        mode = "match" if item["resourceType"] == "Patient" else "include"
        entry = {"fullUrl": f"urn:uuid:{item['id']}", "resource": item, "search": {"mode": mode}}
        yield separator + json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode()
        separator = b","
    yield b'],"link":' + json.dumps(links, separators=(",", ":")).encode() + b"}"


# --- a clinic's records: one NDJSON stream per resource type ------------------------------

def all_resources(patients: QuerySet[Patient], ctx: Context) -> Iterator[Resource]:
    """Every resource of the given patients (e.g. a clinic's), section by section."""
    for section in SECTIONS:
        for row in section.batches(patients, ctx):
            yield from section.resources(row, ctx)
