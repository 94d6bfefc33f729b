"""One way to measure a request for every bench: queries and wall time after a warm-up."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Measure:
    queries: int
    seconds: float
    response: Any

    def __str__(self) -> str:
        return f"{self.queries} queries {self.seconds * 1000:.1f} ms"


def measure(client: Any, url: str) -> Measure:
    """GET ``url`` twice (the first warms sessions, content types and templates); time the second."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return Measure(len(ctx.captured_queries), elapsed, response)
