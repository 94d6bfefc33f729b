"""Geometry of the 30-day frequency chart, drawn as SVG by the template (no JS, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import ngettext

from episodes.selectors import DayCount

WIDTH, HEIGHT, BAR_GAP, TOP = 300, 90, 2, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    total: int
    level: str
    label: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    total: int
    days_with_episodes: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def summary(self) -> str:
        """The text alternative: what the picture shows, in one sentence."""
        days = len(self.bars)
        if not self.total:
            return ngettext("No episodes in the last %(days)d day.", "No episodes in the last %(days)d days.",
                            days) % {"days": days}
        episodes = ngettext("%(total)d episode", "%(total)d episodes", self.total) % {"total": self.total}
        return ngettext(
            "%(episodes)s on %(with)d of the last %(days)d day; at most %(peak)d on one day.",
            "%(episodes)s on %(with)d of the last %(days)d days; at most %(peak)d on one day.",
            days,
        ) % {"episodes": episodes, "with": self.days_with_episodes, "days": days, "peak": self.peak}


def frequency_chart(counts: list[DayCount]) -> Chart:
    peak = max((c.total for c in counts), default=0)
    slot = WIDTH / max(len(counts), 1)
    bars = []
    for index, count in enumerate(counts):
        height = 0.0 if not peak else (HEIGHT - TOP) * count.total / peak
        bars.append(Bar(
            x=round(index * slot + BAR_GAP / 2, 2), y=round(HEIGHT - height, 2),
            width=round(slot - BAR_GAP, 2), height=round(height, 2), total=count.total,
            level=str(count.worst) if count.worst else "none",
            # The day in the reader's language ("Mon 01 Dec", "lun 01 dic").
            label=f"{date_format(count.day, 'D d M')}: {count.total}",
        ))
    return Chart(bars=bars, peak=peak, total=sum(c.total for c in counts),
                 days_with_episodes=sum(1 for c in counts if c.total))
