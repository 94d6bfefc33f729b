"""Server-rendered SVG charts: no script, no CDN, readable without colour.

Each series gets both a colour and a fill pattern (solid, hatch, dots, cross), the
legend names them, every bar carries a <title> with its numbers, and pages print a
data table beside the chart. Pure Python: takes plain values, returns markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# (colour, pattern) per series key; patterns tell the series apart in greyscale.
STYLES: dict[str, tuple[str, str]] = {
    "emergency": ("#8f1d2b", "solid"),
    "urgent": ("#c25700", "hatch"),
    "soon": ("#b38600", "dots"),
    "routine": ("#2e7d4f", "cross"),
}
FALLBACK = ("#555555", "solid")


@dataclass(frozen=True)
class Series:
    key: str
    label: str


def _pattern_defs(chart_id: str, series: Sequence[Series]) -> str:
    parts = []
    for item in series:
        colour, pattern = STYLES.get(item.key, FALLBACK)
        pid = f"{chart_id}-{escape(item.key)}"
        if pattern == "solid":
            body = f'<rect width="6" height="6" fill="{colour}"/>'
        elif pattern == "hatch":
            body = (f'<rect width="6" height="6" fill="#fff"/>'
                    f'<path d="M0,6 L6,0" stroke="{colour}" stroke-width="2.2"/>')
        elif pattern == "dots":
            body = f'<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.7" fill="{colour}"/>'
        else:
            body = (f'<rect width="6" height="6" fill="#fff"/>'
                    f'<path d="M0,3 H6 M3,0 V6" stroke="{colour}" stroke-width="1.4"/>')
        parts.append(
            f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse">{body}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    values: Mapping[tuple[str, str], int],
    links: Mapping[str, str] | None = None,
    width: int = 720,
    height: int = 240,
) -> SafeString:
    """A stacked bar per category (for example a day) with one segment per series.

    ``values`` maps (category, series key) to a count; ``links`` maps a category to the
    URL of the rows behind its bar.
    """
    left, bottom, top, legend_h = 36, 28, 10, 22
    plot_w, plot_h = width - left - 8, height - bottom - top - legend_h
    totals = [sum(values.get((cat, s.key), 0) for s in series) for cat in categories]
    peak = max(totals, default=0) or 1
    step = plot_w / max(len(categories), 1)
    bar_w = max(step * 0.7, 1.5)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="{{ROLE}}" '
        f'aria-labelledby="{chart_id}-title" class="chart" data-testid="{escape(chart_id)}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        _pattern_defs(chart_id, series),
    ]
    base_y = top + legend_h + plot_h
    # Axis and a top grid line labelled with the peak value.
    out.append(f'<line x1="{left}" y1="{base_y}" x2="{width - 8}" y2="{base_y}" stroke="#333"/>')
    out.append(f'<line x1="{left}" y1="{top + legend_h}" x2="{width - 8}" y2="{top + legend_h}" '
               f'stroke="#bbb" stroke-dasharray="3,3"/>')
    out.append(f'<text x="{left - 4}" y="{top + legend_h + 4}" text-anchor="end" '
               f'font-size="10">{peak}</text>')
    out.append(f'<text x="{left - 4}" y="{base_y}" text-anchor="end" font-size="10">0</text>')
    label_every = max(1, len(categories) // 8)
    for index, (category, total) in enumerate(zip(categories, totals, strict=True)):
        x = left + index * step + (step - bar_w) / 2
        y = base_y
        bar = []
        for item in series:
            count = values.get((category, item.key), 0)
            if not count:
                continue
            h = count / peak * plot_h
            y -= h
            bar.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="url(#{chart_id}-{escape(item.key)})" stroke="#222" stroke-width="0.5">'
                f"<title>{escape(category)}: {count} {escape(item.label.lower())}</title></rect>"
            )
        group = "".join(bar)
        if links and category in links and total:
            label = f"{category}: {total}"
            group = f'<a href="{escape(links[category])}" aria-label="{escape(label)}">{group}</a>'
        out.append(group)
        if index % label_every == 0:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{base_y + 14}" text-anchor="middle" '
                       f'font-size="10">{escape(category[5:] if len(category) == 10 else category)}</text>')
    x = left
    for item in series:
        out.append(f'<rect x="{x}" y="{top}" width="14" height="14" '
                   f'fill="url(#{chart_id}-{escape(item.key)})" stroke="#222" stroke-width="0.5"/>')
        out.append(f'<text x="{x + 18}" y="{top + 11}" font-size="11">{escape(item.label)}</text>')
        x += 30 + 7 * len(item.label)
    out.append("</svg>")
    return mark_safe(_with_role("".join(out)))  # noqa: S308 - every interpolated text is escaped above


def _with_role(svg: str) -> str:
    # A chart with links is a group of links (axe: no interactive content inside role="img").
    return svg.replace("{ROLE}", "group" if "<a " in svg else "img", 1)


def horizontal_bars(
    *, chart_id: str, title: str, rows: Sequence[tuple[str, int, str]], width: int = 720
) -> SafeString:
    """One labelled bar per row of (label, count, link); the count is printed beside it."""
    row_h, label_w = 22, 230
    height = max(len(rows), 1) * row_h + 8
    peak = max((count for _, count, _ in rows), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="{{ROLE}}" '
        f'aria-labelledby="{chart_id}-title" class="chart" data-testid="{escape(chart_id)}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, count, link) in enumerate(rows):
        y = 4 + index * row_h
        w = count / peak * (width - label_w - 50)
        bar = (f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="11">{escape(label)}</text>'
               f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" fill="#3d5a80" '
               f'stroke="#222" stroke-width="0.5"><title>{escape(label)}: {count}</title></rect>'
               f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11">{count}</text>')
        out.append(f'<a href="{escape(link)}" aria-label="{escape(label)}: {count}">{bar}</a>'
                   if link else bar)
    out.append("</svg>")
    return mark_safe(_with_role("".join(out)))  # noqa: S308 - every interpolated text is escaped above
