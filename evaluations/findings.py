"""Findings from a structured evaluation: reflexes, HINE, tone, milestones.

Pure Python, no ORM. ``evaluate(EvaluationInput) -> Assessment``. Each rule has
a stable id, a level, a plain one-line explanation and its source key
(CLINICAL.md sections 1, 4, 5, 6); ``CATALOGUE`` lists them all. Norms come
from ``evaluations.norms`` and are judged on the norm age (corrected for a
preterm baby until the correction limit) [AAP-CA].

Design choices (safer side unless noted):

- Before term-equivalent age only the age-free rules run (reflex asymmetry,
  obligatory ATNR, tone, lost skills); age norms are not judged and the
  ``NORMS-BEFORE-TERM`` note says so.
- HINE total-based rules need all 26 items scored; a partial exam gets the
  ``HINE-PARTIAL`` note, and a cut-off rule still fires when even the best
  possible total (unscored items counted as 3) is below it. Asymmetries and
  low items are judged on what was scored.
- Milestones are judged only when the child has reached the item's age; an
  ``unsure`` answer is a routine note, not a miss.
- A persisting reflex is routine alone ("slightly late is weak evidence"
  [ZAFEIRIOU-2004]); it is raised to soon when it is more than 3 months past
  its bound, or when other motor evidence (another persisting reflex, HINE
  CP-risk or below centile, abnormal tone, missed movement milestones) is
  present in the same evaluation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from clinic.ages import Age, describe_days
from clinic.levels import Level, Reason, highest
from evaluations import norms
from evaluations.norms import (
    DOMAINS,
    HEARING_MILESTONES,
    HINE_HEMIPLEGIC,
    HINE_ITEMS,
    HINE_SECTIONS,
    REFLEXES,
    ReflexNorm,
)

R, S, U = Level.ROUTINE, Level.SOON, Level.URGENT

TONE_VALUES = ("normal", "decreased", "increased", "mixed", "")
KINDS = ("reflex", "hine", "tone", "milestone", "note")


# --------------------------------------------------------------------------
# Input and output
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReflexExam:
    reflex: str
    left: str = "not_tested"
    right: str = "not_tested"
    obligatory: bool = False

    def __post_init__(self) -> None:
        if self.reflex not in REFLEXES:
            raise ValueError(f"unknown reflex {self.reflex!r}")
        for side in (self.left, self.right):
            if side not in norms.SIDE_VALUES:
                raise ValueError(f"unknown side value {side!r}")

    @property
    def sides(self) -> dict[str, str]:
        return {"left": self.left, "right": self.right}


@dataclass(frozen=True)
class HineItem:
    score: int | None = None  # 0-3, 3 optimal; None = not scored
    asymmetric: bool = False

    def __post_init__(self) -> None:
        if self.score is not None and not 0 <= self.score <= norms.HINE_ITEM_MAX:
            raise ValueError(f"HINE score out of range: {self.score!r}")


@dataclass(frozen=True)
class EvaluationInput:
    age: Age
    reflexes: tuple[ReflexExam, ...] = ()
    hine: Mapping[str, HineItem] = field(default_factory=dict)
    tone: str = ""
    milestones: Mapping[str, str] = field(default_factory=dict)
    lost_skills: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.hine) - set(HINE_ITEMS)
        if unknown:
            raise ValueError(f"unknown HINE items: {sorted(unknown)}")
        if self.tone not in TONE_VALUES:
            raise ValueError(f"unknown tone {self.tone!r}")
        bad = {c: a for c, a in self.milestones.items() if a not in norms.MILESTONE_ANSWERS}
        if bad:
            raise ValueError(f"unknown milestone answers: {bad}")
        seen = Counter(exam.reflex for exam in self.reflexes)
        if any(n > 1 for n in seen.values()):
            raise ValueError("each reflex may be examined once per evaluation")


@dataclass(frozen=True)
class Finding:
    """A rule that fired. Serializes to {rule, level, explanation, source}."""

    rule: str
    level: Level
    explanation: str
    source: str
    kind: str  # one of KINDS; "note" = a statement, not a judgement
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def reason(self) -> Reason:
        return Reason(self.rule, self.level, self.explanation, self.source)

    def as_dict(self) -> dict[str, str]:
        return self.reason.as_dict()


@dataclass(frozen=True)
class Assessment:
    findings: tuple[Finding, ...]
    norms_note: str | None
    hine_total: int | None
    hine_asymmetries: int
    checklist_age_months: int | None
    hine_sections: Mapping[str, int | None] = field(default_factory=dict, compare=False)

    @property
    def level(self) -> Level:
        return highest(f.level for f in self.findings)

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.findings)

    def by_rule(self, rule: str) -> Finding | None:
        return next((f for f in self.findings if f.rule == rule), None)


# --------------------------------------------------------------------------
# Rule catalogue: id -> base level, source, what it means
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInfo:
    rule: str
    level: Level  # base level; notes on dynamic levels live in ``summary``
    kind: str
    source: str
    summary: str


# Rooting is state-dependent (absent in a baby who has just fed): absence alone
# is routine (design choice); other judged absences are soon.
_ABSENT_LEVEL = {"rooting": R}


def _reflex_rules() -> Iterator[RuleInfo]:
    for norm in REFLEXES.values():
        rx = f"RX-{norm.short}"
        if norm.absent_judged_until_months is not None and norm.weak_or_absent_window is None:
            level = _ABSENT_LEVEL.get(norm.code, S)
            yield RuleInfo(
                f"{rx}-ABSENT",
                level,
                "reflex",
                norm.source,
                f"{norm.label} absent while still expected",
            )
        yield RuleInfo(
            f"{rx}-ASYMMETRIC",
            S,
            "reflex",
            norm.source,
            f"{norm.label} differs between left and right (any age)",
        )
        if norm.flag_after_months is not None:
            yield RuleInfo(
                f"{rx}-PERSISTS",
                R,
                "reflex",
                norm.source if "ZAFEIRIOU-2004" in norm.source else f"{norm.source}, ZAFEIRIOU-2004",
                f"{norm.label} still present after {norm.flag_after_months:g} months; "
                "soon when >3 months late or with other motor signs",
            )
    yield RuleInfo(
        "RX-PLANTAR-ABSENT-EARLY",
        S,
        "reflex",
        "FUTAGI-1999, ZAFEIRIOU-2000",
        "plantar grasp absent or weak at 3-6 months: strong CP predictor",
    )
    yield RuleInfo(
        "RX-PLANTAR-ABSENT",
        S,
        "reflex",
        "FUTAGI-1999, ZAFEIRIOU-2000",
        "plantar grasp absent before 3 or at 6-9 months",
    )
    yield RuleInfo("RX-ATNR-OBLIGATORY", S, "reflex", "UTAH", "obligatory ATNR at any age")


_STATIC_RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HINE-CP-RISK", S, "hine", "NOVAK", "total <57 at 3 mo, <73 at 6-24 mo"),
    RuleInfo("HINE-HEMIPLEGIC", S, "hine", "HAY", "total <63 with more than 5 asymmetries"),
    RuleInfo("HINE-BELOW-CENTILE", R, "hine", "JPEDS-2022", "below the 10th centile, 12-32 wk"),
    RuleInfo("HINE-SUBOPTIMAL", R, "hine", "HAATAJA, MACKEITH", "below optimal (low confidence)"),
    RuleInfo("HINE-ASYMMETRIES", R, "hine", "HAATAJA, HAY", "any asymmetry; soon when more than 5"),
    *(
        RuleInfo(
            f"HINE-LOW-{sec.short}",
            R,
            "hine",
            "HAATAJA",
            f"an item scored 0-1 in {sec.label.lower()} (design choice)",
        )
        for sec in HINE_SECTIONS.values()
    ),
    RuleInfo("TONE-DECREASED", S, "tone", "NORITZ", "decreased tone"),
    RuleInfo("TONE-INCREASED", S, "tone", "NORITZ", "increased tone"),
    RuleInfo("TONE-MIXED", S, "tone", "NORITZ", "mixed tone"),
    *(
        RuleInfo(
            f"MS-NOT-YET-{rule}",
            R,
            "milestone",
            "CDC-LTSAE, ZUBLER",
            f"{label}: milestone not yet; soon when 2+ items in the domain",
        )
        for _short, label, rule in DOMAINS.values()
    ),
    RuleInfo(
        "MS-GLOBAL-DELAY",
        S,
        "milestone",
        "CDC-LTSAE, NORITZ",
        "milestones not yet in 2 or more domains",
    ),
    RuleInfo(
        "MS-HEARING",
        S,
        "milestone",
        "CDC-LTSAE",
        "no reaction to loud sounds (2 mo) or turning to voice (4 mo)",
    ),
    RuleInfo("MS-UNSURE", R, "milestone", "CDC-LTSAE", "parent unsure (design choice)"),
    RuleInfo("MS-LOST-SKILLS", U, "milestone", "ISAN, CDC-LTSAE", "lost skills (regression)"),
    RuleInfo("NORMS-BEFORE-TERM", R, "note", "AAP-CA", "before term: norms not judged"),
    RuleInfo("HINE-OUT-OF-RANGE", R, "note", "HAATAJA", "HINE outside corrected 2-24 months"),
    RuleInfo("HINE-PARTIAL", R, "note", "HAATAJA", "fewer than 26 items: total not judged"),
    RuleInfo("HINE-NO-CUTOFF", R, "note", "NOVAK, JPEDS-2022", "2-3 months: no published total cut-off"),
)

CATALOGUE: Mapping[str, RuleInfo] = MappingProxyType(
    {info.rule: info for info in (*_reflex_rules(), *_STATIC_RULES)}
)


def _finding(
    rule: str, explanation: str, level: Level | None = None, source: str | None = None, **data: Any
) -> Finding:
    info = CATALOGUE[rule]
    return Finding(
        rule=rule,
        level=level or info.level,
        explanation=explanation,
        source=source or info.source,
        kind=info.kind,
        data=MappingProxyType(dict(data)),
    )


def _age_words(age: Age) -> str:
    basis = "corrected age" if age.uses == "corrected" else "of age"
    return f"{describe_days(age.norm_days)} {basis}"


# --------------------------------------------------------------------------
# HINE arithmetic
# --------------------------------------------------------------------------


def hine_scored(hine: Mapping[str, HineItem]) -> dict[str, int]:
    return {code: item.score for code, item in hine.items() if item.score is not None}


def hine_total(hine: Mapping[str, HineItem]) -> int | None:
    """Sum of the 26 item scores; None unless every item is scored."""
    scored = hine_scored(hine)
    if set(scored) != set(HINE_ITEMS):
        return None
    return sum(scored.values())


def hine_section_scores(hine: Mapping[str, HineItem]) -> dict[str, int | None]:
    """Per section: the sum of its scores, or None when any item of it is not scored."""
    scored = hine_scored(hine)
    result: dict[str, int | None] = {}
    for section in HINE_SECTIONS:
        codes = [c for c, item in HINE_ITEMS.items() if item.section == section]
        result[section] = sum(scored[c] for c in codes) if all(c in scored for c in codes) else None
    return result


def hine_asymmetries(hine: Mapping[str, HineItem]) -> int:
    return sum(1 for item in hine.values() if item.asymmetric)


# --------------------------------------------------------------------------
# Reflex rules (CLINICAL.md section 4)
# --------------------------------------------------------------------------


def _reflex_findings(exam: ReflexExam, age: Age) -> Iterator[Finding]:
    norm = REFLEXES[exam.reflex]
    yield from _asymmetric(exam, norm)
    if norm.obligatory_abnormal and exam.obligatory:
        yield _finding(
            "RX-ATNR-OBLIGATORY",
            "The asymmetric tonic neck reflex is obligatory (the baby cannot move "
            "out of the fencer posture): abnormal at any age.",
        )
    if age.before_term:
        return  # age norms do not apply before term-equivalent age
    yield from _absent(exam, norm, age)
    yield from _persists(exam, norm, age)


def _asymmetric(exam: ReflexExam, norm: ReflexNorm) -> Iterator[Finding]:
    # "weak" vs "present" counts; "not_tested" never does.
    if "not_tested" in (exam.left, exam.right) or exam.left == exam.right:
        return
    yield _finding(
        f"RX-{norm.short}-ASYMMETRIC",
        f"{norm.label} is {exam.left} on the left and {exam.right} on the right. {norm.asymmetric_means}",
        left=exam.left,
        right=exam.right,
    )


def _absent(exam: ReflexExam, norm: ReflexNorm, age: Age) -> Iterator[Finding]:
    months = age.norm_months
    window = norm.weak_or_absent_window
    if window and window[0] <= months <= window[1]:
        sides = [s for s, v in exam.sides.items() if v in ("absent", "weak")]
        if sides:
            yield _finding(
                f"RX-{norm.short}-ABSENT-EARLY",
                f"{norm.label} is absent or weak ({', '.join(sides)}) at "
                f"{_age_words(age)}. Between 3 and 6 months this strongly predicts "
                "spastic cerebral palsy.",
                sides=tuple(sides),
            )
        return
    until = norm.absent_judged_until_months
    if until is None or months < norm.expected_from_months or months >= until:
        return
    sides = [s for s, v in exam.sides.items() if v == "absent"]
    if sides:
        yield _finding(
            f"RX-{norm.short}-ABSENT",
            f"{norm.label} is absent ({', '.join(sides)}) at {_age_words(age)}, "
            f"when it is still expected. {norm.absent_means}",
            sides=tuple(sides),
        )


def _persists(exam: ReflexExam, norm: ReflexNorm, age: Age) -> Iterator[Finding]:
    bound = norm.flag_after_months
    if bound is None or age.norm_months <= bound:
        return
    sides = [s for s, v in exam.sides.items() if v in ("present", "weak")]
    if not sides:
        return
    late = age.norm_months - bound > norms.PERSIST_SLIGHTLY_LATE_MONTHS
    level = S if late else R
    how = "well past" if late else "a little past"
    yield _finding(
        f"RX-{norm.short}-PERSISTS",
        f"{norm.label} is still present at {_age_words(age)}, {how} the "
        f"{bound:g}-month bound. {norm.persists_means}",
        level=level,
        sides=tuple(sides),
        late=late,
    )


# --------------------------------------------------------------------------
# HINE rules (CLINICAL.md section 5)
# --------------------------------------------------------------------------


def _hine_findings(hine: Mapping[str, HineItem], age: Age) -> Iterator[Finding]:
    if not hine or age.before_term:
        return
    if not norms.hine_applies(age):
        yield _finding(
            "HINE-OUT-OF-RANGE",
            f"The HINE norms apply from 2 to 24 months corrected age; at "
            f"{_age_words(age)} the scores are recorded but not judged.",
        )
        return
    yield from _hine_asymmetry_findings(hine)
    yield from _hine_low_items(hine)
    total = hine_total(hine)
    if total is None:
        scored = hine_scored(hine)
        # Design choice (safer): the total is unknown, but it cannot exceed the scored
        # points plus 3 for every unscored item. When even that ceiling is below a
        # cut-off, the total is certainly below it, so the cut-off rules still fire.
        ceiling = sum(scored.values()) + norms.HINE_ITEM_MAX * (len(HINE_ITEMS) - len(scored))
        yield _finding(
            "HINE-PARTIAL",
            f"{len(scored)} of {len(HINE_ITEMS)} HINE items are scored: the total is only "
            f"compared with the cut-offs when even the best possible total ({ceiling}) is "
            "below them; score every item for a full judgement.",
            scored=len(scored),
            ceiling=ceiling,
        )
        yield from _hine_total_findings(ceiling, hine_asymmetries(hine), age, partial=True)
        return
    yield from _hine_total_findings(total, hine_asymmetries(hine), age)


def _hine_asymmetry_findings(hine: Mapping[str, HineItem]) -> Iterator[Finding]:
    count = hine_asymmetries(hine)
    if not count:
        return
    many = count > HINE_HEMIPLEGIC.asymmetries_above
    items = tuple(c for c, item in hine.items() if item.asymmetric)
    yield _finding(
        "HINE-ASYMMETRIES",
        f"{count} HINE item{'s' if count != 1 else ''} asymmetric"
        + (": more than 5 points to a one-sided problem." if many else ": recheck at the next examination."),
        level=S if many else R,
        count=count,
        items=items,
    )


def _hine_low_items(hine: Mapping[str, HineItem]) -> Iterator[Finding]:
    # Design choice: 3 is optimal; an item at 0-1 is clearly non-optimal [HAATAJA].
    for section in HINE_SECTIONS.values():
        low = tuple(
            code
            for code, item in hine.items()
            if item.score is not None and item.score <= 1 and HINE_ITEMS[code].section == section.code
        )
        if low:
            names = ", ".join(HINE_ITEMS[c].label.lower() for c in low)
            yield _finding(
                f"HINE-LOW-{section.short}",
                f"{section.label}: clearly non-optimal score on {names}.",
                items=low,
            )


def _hine_total_findings(
    total: int, asymmetries: int, age: Age, *, partial: bool = False
) -> Iterator[Finding]:
    """Cut-off rules on ``total``; with ``partial`` it is the best possible total of a
    partly scored exam, so only "below" statements that are certain are made."""
    data = {"total": total, "asymmetries": asymmetries, "partial": partial}
    said = f"at most {total} (items left unscored counted as 3)" if partial else f"{total}"
    hemi = HINE_HEMIPLEGIC
    if total < hemi.total_below and asymmetries > hemi.asymmetries_above:
        yield _finding(
            "HINE-HEMIPLEGIC",
            f"HINE total {said} (below {hemi.total_below}) with {asymmetries} "
            "asymmetries: a one-sided (hemiplegic) pattern.",
            **data,
        )
    cp = norms.cp_risk_cutoff(age)
    if cp is None and not partial:
        yield _finding(
            "HINE-NO-CUTOFF",
            f"HINE total {total} at {_age_words(age)}: there is no published "
            "cerebral palsy cut-off before 3 months; repeat it at 3 months.",
            **data,
        )
    cp_fired = cp is not None and total < cp.below
    if cp is not None and cp_fired:
        yield _finding(
            "HINE-CP-RISK",
            f"HINE total {said} at {_age_words(age)} is below {cp.below:g} "
            f"(the {cp.at_months:g}-month cut-off): high risk of cerebral palsy.",
            **data,
        )
    centile = norms.centile_10(age)
    if centile is not None and total < centile.value:
        yield _finding(
            "HINE-BELOW-CENTILE",
            f"HINE total {said} is below the 10th centile of healthy infants at "
            f"{centile.weeks} weeks ({centile.value:g}): monitor and repeat.",
            **data,
        )
    optimal = norms.optimal_cutoff(age)
    # CP risk already says more; sub-optimal is a softer statement of the same total.
    if optimal is not None and not cp_fired and total < optimal.below:
        yield _finding(
            "HINE-SUBOPTIMAL",
            f"HINE total {said} is below the optimal score ({optimal.below:g} at "
            f"{optimal.at_months:g} months). This is common in healthy young "
            "infants: monitor, it is not a diagnosis.",
            **data,
        )


# --------------------------------------------------------------------------
# Tone and milestones (CLINICAL.md sections 5, 6)
# --------------------------------------------------------------------------

_TONE_TEXT = {
    "decreased": ("TONE-DECREASED", "Tone is decreased (floppy)."),
    "increased": ("TONE-INCREASED", "Tone is increased (stiff)."),
    "mixed": ("TONE-MIXED", "Tone is mixed: low in some parts, high in others."),
}


def _tone_findings(tone: str) -> Iterator[Finding]:
    if tone in _TONE_TEXT:
        rule, text = _TONE_TEXT[tone]
        yield _finding(rule, text)


def _milestone_findings(inp: EvaluationInput) -> Iterator[Finding]:
    if inp.lost_skills:
        yield _finding(
            "MS-LOST-SKILLS",
            "The child has lost skills they had: needs a doctor's review the same "
            "day (regression can come with infantile spasms).",
        )
    due = norms.milestones_due(inp.age, inp.milestones)
    not_yet = [m for m in due if inp.milestones[m.code] == "not_yet"]
    unsure = [m for m in due if inp.milestones[m.code] == "unsure"]
    by_domain: dict[str, list[str]] = {}
    for m in not_yet:
        by_domain.setdefault(m.domain, []).append(m.code)
    for domain, (_short, label, rule) in DOMAINS.items():
        codes = by_domain.get(domain)
        if not codes:
            continue
        texts = "; ".join(norms.MILESTONES[c].text.lower() for c in codes)
        yield _finding(
            f"MS-NOT-YET-{rule}",
            f"{label}: not yet ({texts}). Most children do this by this age: screen and watch closely.",
            level=S if len(codes) >= 2 else R,
            codes=tuple(codes),
        )
    if len(by_domain) >= 2:
        yield _finding(
            "MS-GLOBAL-DELAY",
            f"Milestones not yet in {len(by_domain)} domains: possible global delay.",
            domains=tuple(by_domain),
        )
    hearing = tuple(m.code for m in not_yet if m.code in HEARING_MILESTONES)
    if hearing:
        yield _finding(
            "MS-HEARING",
            "Does not yet react to loud sounds or turn to a voice: check hearing.",
            codes=hearing,
        )
    if unsure:
        yield _finding(
            "MS-UNSURE",
            f"Parent unsure about {len(unsure)} milestone"
            f"{'s' if len(unsure) != 1 else ''}: observe or ask again.",
            codes=tuple(m.code for m in unsure),
        )


# --------------------------------------------------------------------------
# Combining evidence, notes, entry point
# --------------------------------------------------------------------------

# Other motor evidence that turns a "slightly late" reflex into a soon finding
# [ZAFEIRIOU-2004: combine with HINE and milestones].
_MOTOR_EVIDENCE = frozenset(
    {
        "HINE-CP-RISK",
        "HINE-HEMIPLEGIC",
        "HINE-BELOW-CENTILE",
        "TONE-DECREASED",
        "TONE-INCREASED",
        "TONE-MIXED",
        "MS-NOT-YET-MOVEMENT",
    }
)


def _combine_motor_evidence(findings: list[Finding]) -> list[Finding]:
    persisting = [f.rule for f in findings if f.rule.endswith("-PERSISTS")]
    other = sorted({f.rule for f in findings} & _MOTOR_EVIDENCE)
    if not persisting or (len(persisting) < 2 and not other):
        return findings
    evidence = other + persisting
    result = []
    for f in findings:
        if f.rule in persisting and f.level < S:
            with_what = ", ".join(r for r in evidence if r != f.rule)
            f = replace(
                f,
                level=S,
                explanation=f"{f.explanation} Together with {with_what}, "
                "this is more than a single late reflex.",
                data=MappingProxyType({**f.data, "combined_with": with_what}),
            )
        result.append(f)
    return result


def _norms_note(age: Age) -> Finding | None:
    if age.before_term:
        return _finding(
            "NORMS-BEFORE-TERM",
            f"The baby is {describe_days(age.norm_days)}: reflex, HINE and "
            "milestone norms do not apply before term-equivalent age, so they "
            "are not judged. Asymmetries, tone and lost skills still count.",
        )
    return None


def evaluate(inp: EvaluationInput) -> Assessment:
    """All findings of one evaluation, each with its rule id, level and source."""
    note = _norms_note(inp.age)
    findings: list[Finding] = [note] if note else []
    for exam in inp.reflexes:
        findings.extend(_reflex_findings(exam, inp.age))
    findings.extend(_hine_findings(inp.hine, inp.age))
    findings.extend(_tone_findings(inp.tone))
    findings.extend(_milestone_findings(inp))
    findings = _combine_motor_evidence(findings)
    norms_note = next(
        (f.explanation for f in findings if f.rule in ("NORMS-BEFORE-TERM", "HINE-OUT-OF-RANGE")),
        None,
    )
    checklist = norms.checklist_for(inp.age)
    return Assessment(
        findings=tuple(findings),
        norms_note=norms_note,
        hine_total=hine_total(inp.hine),
        hine_asymmetries=hine_asymmetries(inp.hine),
        checklist_age_months=checklist.age_months if checklist else None,
        hine_sections=MappingProxyType(hine_section_scores(inp.hine)),
    )
