"""FHIR Bulk Data ``$export`` of a whole clinic: NDJSON files, one per resource type.

Kick-off (``GET /api/v1/clinics/{id}/$export``, ``Prefer: respond-async``) records the
job and enqueues ``interop.tasks.bulk_export``; the status URL answers 202 while it runs
and 200 with the manifest when done; each file is fetched from its own URL. Status and
files are for the user who asked, while they may still export that clinic
(``clinic.access.may_fetch_bulk_export``).

A job is its folder in the private media storage (never served from a public URL):
``job.json`` at kick-off, the ``<Type>.ndjson`` files, and ``manifest.json`` written last,
so its presence means done (``error.json`` if the task failed). No table, so no migration,
and it works on S3-compatible storage as on the file system. The resources are the same
``interop.fhir.SECTIONS`` as the patient export, streamed row batch by row batch into
temporary files: memory stays flat whatever the clinic's size.
"""

from __future__ import annotations

import json
import re
import tempfile
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from clinic.access import Action, patients_visible_to
from clinic.db_routers import replica_reads
from interop import fhir

PREFIX = "private/bulk-exports"
OUTPUT_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z]{1,63}$")


@dataclass(frozen=True)
class Job:
    id: str
    clinic_id: int
    requested_by_id: int
    request_url: str
    transaction_time: str
    base_url: str  # scheme and host of the kick-off, for absolute file and attachment links
    types: list[str] | None = None

    def path(self, name: str) -> str:
        return f"{PREFIX}/{self.id}/{name}"


def _read_json(path: str) -> dict[str, Any] | None:
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return json.load(handle)


def start(*, clinic_id: int, user_id: int, request_url: str, base_url: str,
          types: list[str] | None) -> Job:
    from interop.tasks import bulk_export

    job = Job(id=str(uuid.uuid4()), clinic_id=clinic_id, requested_by_id=user_id,
              request_url=request_url, transaction_time=timezone.now().isoformat(),
              base_url=base_url.rstrip("/"), types=types)
    default_storage.save(job.path("job.json"), ContentFile(json.dumps(asdict(job)).encode()))
    bulk_export.enqueue(job.id)
    return job


def load(job_id: str) -> Job | None:
    try:
        key = str(uuid.UUID(str(job_id)))
    except ValueError:
        return None
    data = _read_json(f"{PREFIX}/{key}/job.json")
    return Job(**data) if data else None


def manifest(job: Job) -> dict[str, Any] | None:
    return _read_json(job.path("manifest.json"))


def failure(job: Job) -> dict[str, Any] | None:
    return _read_json(job.path("error.json"))


def file_name(resource_type: str) -> str:
    return f"{resource_type}.ndjson"


def open_output(job: Job, resource_type: str) -> IO[bytes] | None:
    """An output file of a finished job (None if the job has no such file)."""
    done = manifest(job)
    if not done or not TYPE_NAME.match(resource_type):
        return None
    if resource_type not in {item["type"] for item in done["output"]}:
        return None
    return default_storage.open(job.path(file_name(resource_type)), "rb")


def run(job_id: str) -> dict[str, int]:
    """Write the job's NDJSON files and then its manifest; returns lines per type."""
    job = load(job_id)
    if job is None:
        raise ValueError(f"no bulk export {job_id}")
    try:
        with replica_reads():  # a whole clinic's rows: the replica's work when there is one
            return _run(job)
    except Exception as exc:
        default_storage.save(job.path("error.json"), ContentFile(json.dumps(
            {"resourceType": "OperationOutcome", "issue": [
                {"severity": "error", "code": "exception", "diagnostics": type(exc).__name__}]}).encode()))
        raise


def _run(job: Job) -> dict[str, int]:
    user = get_user_model().objects.get(pk=job.requested_by_id)
    # Access again at run time: the rows come through clinic.access, so someone who lost
    # EXPORT between kick-off and run gets an empty export, never another clinic's rows.
    patients = patients_visible_to(user, Action.EXPORT).filter(clinic_id=job.clinic_id)
    ctx = fhir.Context(download_url=lambda attachment: f"{job.base_url}{attachment.get_absolute_url()}",
                       user=user)
    wanted = set(job.types) if job.types else None
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        outputs: dict[str, IO[bytes]] = {}
        try:
            for resource in fhir.all_resources(patients, ctx):
                kind = resource["resourceType"]
                if wanted is not None and kind not in wanted:
                    continue
                if kind not in outputs:
                    outputs[kind] = open(Path(folder) / file_name(kind), "wb")  # noqa: SIM115 - closed below
                    counts[kind] = 0
                outputs[kind].write(json.dumps(resource, separators=(",", ":"), ensure_ascii=False).encode())
                outputs[kind].write(b"\n")
                counts[kind] += 1
        finally:
            for handle in outputs.values():
                handle.close()
        for kind in counts:
            with open(Path(folder) / file_name(kind), "rb") as handle:
                default_storage.save(job.path(file_name(kind)), File(handle))
    output = [{"type": kind, "count": counts[kind],
               "url": job.base_url + reverse("api:bulk-export-file",
                                             kwargs={"job": job.id, "resource_type": kind})}
              for kind in sorted(counts)]
    done = {"transactionTime": job.transaction_time, "request": job.request_url,
            "requiresAccessToken": True, "output": output, "error": []}
    default_storage.save(job.path("manifest.json"), ContentFile(json.dumps(done).encode()))
    return counts
