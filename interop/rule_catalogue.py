"""Render docs/clinical-rules.md from the rule modules' own data.

Pure Python, no ORM: reads the catalogues, thresholds and norms of
``episodes.triage``, ``evaluations.norms``, ``evaluations.findings`` and
``evaluations.suggestions`` and writes them as tables a clinician can review
without reading Python. Nothing clinical is written here: every id, level,
value, source and confidence comes from the modules, so a rule added there
appears in the document on the next ``make rules-doc``. The output holds no
date, so it changes only when a rule does.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

from clinic import ages
from clinic.levels import Confidence, Level
from clinic.sources import SOURCES, cited_keys

DOCUMENT_PATH = "docs/clinical-rules.md"
GENERATED_BY = "python manage.py rule_catalogue"


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def cell(value: object) -> str:
    """One table cell: one line, pipes escaped."""
    text = value if isinstance(value, str) else show(value)
    return " ".join(text.split()).replace("|", "\\|")


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def show(value: object) -> str:
    """A value in plain words: 38.0, 7 days, 6-60, none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return _duration(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list) and len(value) == 2 and all(
        isinstance(v, int | float | Decimal) for v in value
    ):
        return f"{show(value[0])}–{show(value[1])}"
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return ", ".join(show(v) for v in items)
    return str(value)


def _duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def months(value: float | None) -> str:
    return "—" if value is None else f"{show(float(value))} months"


def module_path(module: ModuleType) -> str:
    return module.__name__.replace(".", "/") + ".py"


# --------------------------------------------------------------------------
# Which thresholds a rule reads: found in its code, so no list is kept by hand
# --------------------------------------------------------------------------


class _Reads:
    """Names and strings each function or method of a module mentions, and what it calls."""

    def __init__(self, module: ModuleType) -> None:
        tree = ast.parse(inspect.getsource(module))
        self._mentions: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found = self._mentions.setdefault(node.name, set())
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Name):
                        found.add(inner.id)
                    elif isinstance(inner, ast.Attribute):
                        found.add(inner.attr)
                    elif isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                        found.add(inner.value)

    def closure(self, function: str) -> set[str]:
        """Everything ``function`` mentions, following the functions it names."""
        seen: set[str] = set()
        todo = [function]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += [m for m in self._mentions.get(name, ()) if m in self._mentions]
        return set().union(*(self._mentions.get(name, set()) for name in seen))

    def thresholds(self, function: Callable[..., Any] | None, names: Iterable[str]) -> list[str]:
        if function is None:
            return []
        mentioned = self.closure(function.__name__)
        return [name for name in names if name in mentioned]


def _threshold_words(name: str, thresholds: Mapping[str, Any]) -> str:
    t = thresholds[name]
    return f"{name} = {show(t.value)} {t.unit}".strip()


def _thresholds_table(
    thresholds: Mapping[str, Any], read_by: Mapping[str, list[str]] | None = None
) -> list[str]:
    """One row per threshold; ``read_by`` (rule ids per name) adds a "read by" column."""
    header = ["name", "value", "unit / meaning", "confidence", "source"]
    rows: list[list[object]] = [
        [f"`{name}`", show(t.value), t.unit, str(t.confidence), t.source]
        for name, t in thresholds.items()
    ]
    if read_by is not None:
        header.append("read by")
        for row, name in zip(rows, thresholds, strict=True):
            row.append(", ".join(read_by.get(name, [])) or "—")
    return table(header, rows)


def _read_by(uses: Mapping[str, list[str]]) -> dict[str, list[str]]:
    inverse: dict[str, list[str]] = {}
    for user, names in uses.items():
        for name in names:
            inverse.setdefault(name, []).append(user)
    return inverse


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


class _Citations:
    """Who cites each source key, collected while the sections are written."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[str]] = {}

    def add(self, who: str, source: str) -> str:
        for key in cited_keys(source):
            users = self.by_key.setdefault(key, [])
            if who not in users:
                users.append(who)
        return source


def _triage(cite: _Citations) -> list[str]:
    from episodes import triage

    reads = _Reads(triage)
    thresholds = triage.THRESHOLDS
    uses = {rule.id: reads.thresholds(rule.applies, thresholds) for rule in triage.RULES}
    out = [
        f"## 1. Parent episode triage (`{module_path(triage)}`)",
        "",
        f"Rule set version **{triage.RULE_SET_VERSION}**, stamped on every stored answer.",
        "Every rule below is tried on each report; the answer takes the highest level of",
        "the rules that fire and lists them all, most pressing first. The last rule answers",
        "only when no other fires.",
        "",
        "### Levels",
        "",
        *table(
            ("level", "what it means for the parent"),
            ((f"`{level}`", triage.level_meaning(level)) for level in reversed(list(Level))),
        ),
        "",
        "### Rules",
        "",
        "\"When it fires\" is the rule's own explanation, as the parent and clinician see it.",
        "",
    ]
    rows = []
    for number, rule in enumerate(triage.RULES, start=1):
        used = uses[rule.id]
        rows.append(
            (
                number,
                f"`{rule.id}`",
                f"`{rule.level}`",
                rule.explanation,
                "; ".join(_threshold_words(name, thresholds) for name in used) or "—",
                cite.add(rule.id, rule.source),
            )
        )
    out += table(("#", "id", "level", "when it fires", "thresholds", "source"), rows)
    for name, t in thresholds.items():
        cite.add(f"threshold {name}", t.source)
    out += ["", "### Thresholds", "", *_thresholds_table(thresholds, _read_by(uses)), ""]
    return out + _notes_words()


def _notes_words() -> list[str]:
    """The word lists of EP-NOTES-DANGER (``episodes/notes.py``): its threshold data."""
    from episodes import notes, triage

    emergency = ", ".join(f"`{sign}`" for sign in sorted(triage._NOTE_EMERGENCY_SIGNS))
    out = [
        f"### Danger words in the notes (`EP-NOTES-DANGER`, `{module_path(notes)}`)",
        "",
        "Plain words and phrases, not a model, read in every language listed whatever the",
        "page language (a parent may write in either). A phrase under \"always\" raises",
        "whatever stands before it; one under \"unless negated\" stays quiet when a negation",
        "word stands just before it in the same clause, with only small words between",
        "(\"no fever\", \"sin fiebre\"); doubt (\"not sure if\") raises. A sign already",
        "ticked is not raised again; a duration raises only when it is longer than the one",
        f"entered. Design choice, the safer side: {emergency} named in the notes also fire",
        "their own emergency rule. Patterns are regular expressions over the lower-cased",
        "text, Spanish read without accents.",
        "",
    ]
    rows = [
        (code, f"`{key}`",
         ", ".join(f"`{p}`" for p in words.always.get(key, ())) or "—",
         ", ".join(f"`{p}`" for p in words.dangers.get(key, ())) or "—")
        for code, words in notes.LANGUAGES.items() for key in notes.NOTE_KEYS
    ]
    out += table(("language", "sign", "always raises", "raises unless negated"), rows)
    out += ["", *table(
        ("language", "negation words", "clause breaks", "reach (words)", "doubt words"),
        ((code, show(words.negations | set(words.negation_suffixes)), show(words.clause_breaks),
          words.window, show(words.uncertain)) for code, words in notes.LANGUAGES.items()),
    ), ""]
    return out


def _reflex_notes(norm: Any) -> str:
    notes = []
    if norm.weak_or_absent_window is not None:
        notes.append(f"absent or weak at {show(norm.weak_or_absent_window)} months is flagged")
    if norm.obligatory_abnormal:
        notes.append("an obligatory response is abnormal at any age")
    notes += [text for text in (norm.absent_means, norm.asymmetric_means, norm.persists_means) if text]
    return " ".join((n[0].upper() + n[1:]).rstrip(".") + "." for n in notes)


def _norms(cite: _Citations) -> list[str]:
    from evaluations import norms

    out = [
        f"## 2. Evaluation norms (`{module_path(norms)}`)",
        "",
        "Ages are corrected months for a baby born preterm (until the correction limit),",
        "chronological otherwise. Between listed ages the nearest lower listed age applies.",
        "",
        "### Primitive reflexes",
        "",
    ]
    rows = []
    for code, n in norms.REFLEXES.items():
        rows.append(
            (
                f"{n.label} (`{code}`)",
                n.elicited_by,
                n.normal_response,
                months(n.expected_from_months),
                months(n.absent_judged_until_months) if n.absent_judged_until_months is not None
                else "not judged",
                months(n.flag_after_months) if n.flag_after_months is not None else "never",
                _reflex_notes(n),
                str(n.confidence),
                cite.add(f"reflex {code}", n.source),
            )
        )
    out += table(
        (
            "reflex", "elicited by", "normal response", "expected from", "absence judged until",
            "flagged when still present after", "what a finding means", "confidence", "source",
        ),
        rows,
    )
    r = norms.HINE_AGE_RANGE
    cite.add("HINE age range", r.source)
    out += [
        "",
        "### HINE (Hammersmith Infant Neurological Examination)",
        "",
        f"Judged from {months(r.from_months)} to {months(r.to_months)} corrected age"
        f" ({r.confidence}; {r.source}). Each item scores 0–{norms.HINE_ITEM_MAX},"
        f" total 0–{norms.HINE_TOTAL_MAX}.",
        "",
        *table(
            ("section", "items", "maximum"),
            (
                (
                    section.label,
                    ", ".join(i.label for i in norms.HINE_ITEMS.values() if i.section == code),
                    norms.hine_section_max(code),
                )
                for code, section in norms.HINE_SECTIONS.items()
            ),
        ),
        "",
        "Cut-offs: a total **below** the value fires, from the listed age until the next one.",
        "",
    ]
    cutoffs: list[tuple[object, ...]] = []
    for label, rows_ in (("high risk of cerebral palsy", norms.HINE_CP_RISK),
                         ("sub-optimal", norms.HINE_OPTIMAL)):
        for c in rows_:
            cutoffs.append((label, months(c.at_months), show(c.below), str(c.confidence),
                            cite.add(f"HINE {label}", c.source)))
    for c in norms.HINE_CENTILE_10:
        cutoffs.append(("below the 10th centile of healthy term infants", f"{c.weeks} weeks",
                        show(c.value), str(c.confidence), cite.add("HINE 10th centile", c.source)))
    h = norms.HINE_HEMIPLEGIC
    cutoffs.append((f"hemiplegic pattern (with more than {h.asymmetries_above} asymmetries)", "any",
                    show(h.total_below), str(h.confidence), cite.add("HINE hemiplegic", h.source)))
    out += table(("finding", "from age", "total below", "confidence", "source"), cutoffs)
    out += ["", "### Milestone checklists", ""]
    domains = {domain: label for domain, (_short, label, _rule) in norms.DOMAINS.items()}
    for checklist in norms.CHECKLISTS:
        cite.add(f"checklist {checklist.age_months} months", checklist.source)
        out += [
            f"**{checklist.age_months} months** ({len(checklist.items)} items; "
            f"{checklist.confidence}; {checklist.source})",
            "",
            *table(
                ("domain", "code", "what most children do by this age"),
                ((domains[m.domain], f"`{m.code}`", m.text) for m in checklist.items),
            ),
            "",
        ]
    out += ["Milestones whose miss raises a hearing question: "
            + ", ".join(f"`{code}`" for code in sorted(norms.HEARING_MILESTONES)) + ".", ""]
    out += ["### Screening schedule", ""]
    out += table(
        ("screening", "at", "reason id", "confidence", "source"),
        (
            (s.kind, months(s.at_months), f"`{s.rule}`", str(s.confidence),
             cite.add(f"screening {s.rule}", s.source))
            for s in norms.SCREENING_SCHEDULE
        ),
    )
    for name, t in norms.THRESHOLDS.items():
        cite.add(f"threshold {name}", t.source)
    out += ["", "### Other fixed values", "", *_thresholds_table(norms.THRESHOLDS), ""]
    return out


def _findings(cite: _Citations) -> list[str]:
    from evaluations import findings

    out = [
        f"## 3. Evaluation findings (`{module_path(findings)}`)",
        "",
        "Each rule judges one part of a structured evaluation against the norms above.",
        "The level is the rule's base level; where it can rise, the description says when.",
        "",
    ]
    rows = [
        (f"`{info.rule}`", info.kind, f"`{info.level}`", info.summary, cite.add(info.rule, info.source))
        for info in findings.CATALOGUE.values()
    ]
    return [*out, *table(("id", "kind", "base level", "fires when", "source"), rows), ""]


def _suggestions(cite: _Citations) -> list[str]:
    from evaluations import suggestions

    reads = _Reads(suggestions)
    thresholds = getattr(suggestions, "THRESHOLDS", {})
    uses = {
        code: reads.thresholds(suggestions.TRIGGERS.get(code), thresholds)
        for code in suggestions.SUGGESTION_CATALOGUE
    }
    out = [
        f"## 4. Follow-up suggestions (`{module_path(suggestions)}`)",
        "",
        "Suggested tests and referrals from an evaluation's findings and the child's episodes.",
        "The clinician decides; a suggestion already accepted or dismissed is not raised again",
        "for the same reasons.",
        "",
    ]
    rows = [
        (
            f"`{code}`",
            info.label,
            info.priority_rule,
            "; ".join(_threshold_words(name, thresholds) for name in uses[code]) or "—",
            cite.add(f"suggestion {code}", info.source),
        )
        for code, info in suggestions.SUGGESTION_CATALOGUE.items()
    ]
    out += table(("code", "test or referral", "priority", "thresholds", "source"), rows)
    seizure_like = getattr(suggestions, "SEIZURE_LIKE_RULES", ())
    if seizure_like:
        out += ["", "A seizure-like episode is one whose triage fired any of: "
                + ", ".join(f"`{rule}`" for rule in seizure_like) + "."]
    if thresholds:
        for name, t in thresholds.items():
            cite.add(f"threshold {name}", t.source)
        out += ["", "### Thresholds", "", *_thresholds_table(thresholds, _read_by(uses))]
    return [*out, ""]


def _preamble() -> list[str]:
    return [
        "<!-- Generated from the rule modules: do not edit by hand. -->",
        f"<!-- Regenerate with `make rules-doc` ({GENERATED_BY}); a test fails when it is stale. -->",
        "",
        "# Clinical rules",
        "",
        "Every rule, threshold and norm the app applies, with its level, values, confidence",
        "and sources, written out from the code that applies them. To change one, change the",
        "rule module named in its section, then regenerate this file. The app supports",
        "clinicians; it never diagnoses.",
        "",
        "## How to read this",
        "",
        "Levels, from the most pressing: "
        + " > ".join(f"`{level}`" for level in reversed(list(Level))) + ".",
        "",
        *table(("confidence", "meaning"), ((f"`{c}`", c.meaning) for c in Confidence)),
        "",
        f"Ages: a baby born before {ages.PRETERM_BEFORE_WEEKS} completed weeks is judged on",
        "corrected age (chronological age minus the weeks born early, counted from 40 weeks)",
        f"until {ages.DEFAULT_CORRECT_UNTIL_MONTHS} months of chronological age (the"
        " `CORRECT_AGE_UNTIL_MONTHS` setting); a month is",
        f"{show(round(ages.DAYS_PER_MONTH, 2))} days unless a threshold says otherwise.",
        "Sources are named by short keys, listed at the end with the rules that cite them.",
        "",
    ]


def _sources(cite: _Citations) -> list[str]:
    rows = [
        (f"`{key}`", reference, ", ".join(cite.by_key.get(key, [])) or "—")
        for key, reference in SOURCES.items()
    ]
    unknown = [key for key in cite.by_key if key not in SOURCES]
    rows += [(f"`{key}`", "**not in the source list**", ", ".join(cite.by_key[key])) for key in unknown]
    return ["## Sources", "", *table(("key", "reference", "cited by"), rows)]


def render() -> str:
    """The whole document, from the modules as they are now."""
    cite = _Citations()
    lines = [*_preamble(), *_triage(cite), *_norms(cite), *_findings(cite), *_suggestions(cite)]
    lines += _sources(cite)
    return "\n".join(lines) + "\n"


def unknown_source_keys() -> dict[str, list[str]]:
    """Source keys cited somewhere in the document but missing from ``clinic.sources``."""
    cite = _Citations()
    _triage(cite), _norms(cite), _findings(cite), _suggestions(cite)
    return {key: who for key, who in cite.by_key.items() if key not in SOURCES}
