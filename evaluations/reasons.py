"""Each reason said once: how a page words the reasons of its follow-up suggestions.

A suggestion raised by an exam finding carries the finding's explanation after its own
words ("Asymmetric finding. Moro reflex is present on the left and weak on the right...").
Where the page already lists that finding, the suggestion says only its own words and
points at the finding by rule; reasons of the same words are said together; a reason not
from a finding (an episode, say) is written out the first time on the page and named by
its rule afterwards. Pure: works on the rules' dataclasses and on stored dicts alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clinic.levels import Level


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name)


@dataclass
class ReasonLine:
    text: str  # words to show ("" when already said above)
    rules: list[str] = field(default_factory=list)  # rules the line names
    points_at_findings: bool = False  # the rules are findings listed on the page
    said_above: bool = False


def finding_texts(findings: Iterable[Any]) -> dict[str, str]:
    """Rule -> explanation of the findings a page lists."""
    return {_get(f, "rule"): _get(f, "explanation") for f in findings}


def reason_lines(reasons: Iterable[Any], findings: Mapping[str, str],
                 said: set[str]) -> list[ReasonLine]:
    """The lines one suggestion shows. ``said`` collects full texts already on the page."""
    lines: list[ReasonLine] = []
    by_words: dict[str, ReasonLine] = {}
    for reason in reasons:
        rule, text = _get(reason, "rule"), _get(reason, "explanation").strip()
        finding = findings.get(rule, "").strip()
        if finding and text.endswith(finding):
            words = text[: len(text) - len(finding)].strip().rstrip(".:;, ")
            line = by_words.get(words)
            if line is None:
                line = by_words[words] = ReasonLine(words, points_at_findings=True)
                lines.append(line)
            line.rules.append(rule)
        elif text in said:
            lines.append(ReasonLine("", [rule], said_above=True))
        else:
            said.add(text)
            lines.append(ReasonLine(text, [rule]))
    return lines


def counts_by_level(findings: Iterable[Any]) -> list[tuple[str, int]]:
    """(level, number of findings) from the most pressing level down, notes left out."""
    counts: dict[str, int] = {}
    for finding in findings:
        if _get(finding, "kind") == "note":
            continue
        level = str(_get(finding, "level"))
        counts[level] = counts.get(level, 0) + 1
    return [(level.value, counts[level.value]) for level in sorted(Level, reverse=True)
            if level.value in counts]
