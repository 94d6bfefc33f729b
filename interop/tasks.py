"""Background work of the interop layer: the clinic-wide FHIR bulk export."""

from __future__ import annotations

from django_tasks import task

from interop import bulk


@task()
def bulk_export(job_id: str) -> dict[str, int]:
    """Write the job's NDJSON files and manifest (interop/bulk.py); lines per resource type."""
    return bulk.run(job_id)
