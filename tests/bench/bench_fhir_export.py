"""Time and peak memory of the FHIR export of a child with many episodes (printed figures).

    pytest tests/bench/bench_fhir_export.py -s -m bench

Before streaming, a child with 2,000 episodes took 4.4 s and 200 MiB (built and validated
twice in memory). Now: the first page (DEFAULT_COUNT entries) and the whole record in one
page (MAX_COUNT), wall time without tracing, then peak Python memory with tracemalloc.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from django.urls import reverse

from interop import fhir
from tests.api.test_fhir import add_episodes

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def _consume(client, link: str) -> int:
    return sum(len(chunk) for chunk in client.get(link).streaming_content)


def test_fhir_export_time_and_memory(client, world):
    client.force_login(world.clinician)
    base = reverse("api:patient-fhir", kwargs={"id": world.patient.uuid})
    print()
    print(f"{'episodes':>8} | {'page':>12} | {'entries/page':>12} | {'ms':>7} | {'KiB out':>8} | peak MiB")
    total = 0
    for size in (200, 2000, 5000):
        add_episodes(world, size - total, with_video_every=10)
        total = size
        for label, count in (("first page", fhir.DEFAULT_COUNT), ("whole", fhir.MAX_COUNT)):
            link = f"{base}?_count={count}"
            _consume(client, link)  # warm
            start = time.perf_counter()
            out = _consume(client, link)
            elapsed = time.perf_counter() - start
            tracemalloc.start()
            _consume(client, link)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{size:>8} | {label:>12} | {count:>12} | {elapsed * 1000:>7.0f} | {out / 1024:>8.0f} | "
                  f"{peak / 2**20:.1f}")
