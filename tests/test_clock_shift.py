"""The `--clock-shift-days` option moves the clock by exactly that much, and only when given.

The kernel stamps a new file with the real time, which time-machine does not
touch: comparing the two shows how far the session's clock has been moved.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

DAY = 24 * 3600


def real_now(directory: Path) -> float:
    stamp = directory / "now"
    stamp.touch()
    return stamp.stat().st_mtime


def test_clock_is_moved_by_the_option_and_real_without_it(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    days = request.config.getoption("clock_shift_days")
    shift = time.time() - real_now(tmp_path)
    assert abs(shift - days * DAY) < 60, f"clock is {shift / DAY:+.3f} days off, asked {days:+d}"


def test_shifted_clock_still_ticks(tmp_path: Path) -> None:
    # Timeouts and "took N ms" measures need a running clock under the shift too.
    before = datetime.now(UTC)
    time.sleep(0.02)
    assert datetime.now(UTC) - before >= timedelta(milliseconds=20)


def test_django_sees_the_same_clock(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from django.utils import timezone

    days = request.config.getoption("clock_shift_days")
    shift = timezone.now().timestamp() - real_now(tmp_path)
    assert abs(shift - days * DAY) < 60
