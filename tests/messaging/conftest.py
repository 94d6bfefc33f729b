"""The messaging tests run on a frozen clock, set before any fixture builds a row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    """Autouse, so it starts before ``world``; tests move it with ``clock.shift``."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
