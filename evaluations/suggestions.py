"""Follow-up test suggestions from an evaluation's findings and recent episodes.

Pure Python, no ORM (CLINICAL.md section 7). ``suggest(...)`` returns one
``Suggestion`` per code, merging every reason that raised it; its priority is
the highest of its reasons (routine, soon or urgent: never emergency, which is
the parent triage's business). Each reason names the finding rule or episode
rule that raised it, and its source key. The clinician decides: a suggestion
already accepted or dismissed is not raised again until a new reason appears.

Design choices (each marked in the code too):

- Seizure-like episode: one whose triage fired a seizure-like rule
  (EP-CONVULSIVE-5MIN, EP-NEWBORN-SEIZURE, EP-RHYTHMIC-30S, EP-NOT-SUPPRESSIBLE,
  EP-EYES, EP-STIFFENING), or whose signs include eyes rolling/fixed or
  stiffening. The last two rules are not in the section 7 list but imply it.
- Simple febrile seizure (no EEG, no neurology) [AAP-FS]: fever, age 6-60
  months (corrected when it applies, the younger age), known duration under
  15 minutes, generalized (whole body or both sides), no weakness after, no
  other seizure-like episode within 24 hours, and an evaluation with no
  finding above routine. Anything unknown counts as "not simple": suggest.
- "Frequent events whose nature stays unclear": 3 or more episodes where
  rhythmic jerking could not be told from jitteriness (EP-RHYTHMIC-UNTESTED).
- "Repeated feeding difficulty": 2 or more episodes that interfered with
  feeding.
- Early intervention needs a confirmed delay (CLINICAL.md 7a, revision 2026-12):
  two or more missed items in one domain, lost skills, or HINE in the CP-risk
  range (or its hemiplegic pattern). One missed milestone is "screen and watch":
  developmental screening only. Missed items in two or more domains (the
  global-delay finding) also count: design choice, the safer side.
- Infection work-up within 7 days of the fever is urgent, older fevers soon:
  7a gives recency as the rule for episodes (design choice for this code).
- A simple febrile seizure still raises a neurology referral (section 7 lists
  every seizure-like episode; only the EEG row excepts it), at ``soon``: AAP-FS
  finds no urgent work-up needed for it.
- Jitteriness with poor feeding or lethargy raises blood work at any age
  (sections 2 and 7), not only under 1 month where EP-JITTERY-UNWELL fires:
  a rhythmic (trembling) episode with feeding difficulty or lethargy.
- One missed movement milestone raises neither physical therapy nor early
  intervention (7a: screen and watch); two or more in the domain raise both. With an
  abnormal tone finding, one missed movement item still counts as the "motor delay"
  of the MRI and CK rows (design choice, the safer side: the tone finding is there).
- Any asymmetric HINE item raises a brain MRI (section 7: "asymmetric
  findings"), even when the finding itself is a routine recheck. More than 5
  raise a neurology referral too (7a: an image needs a neurologist).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from types import MappingProxyType

from clinic.ages import DAYS_PER_MONTH, Age
from clinic.levels import Confidence, Level, Reason, Threshold, highest
from evaluations.findings import Assessment, Finding
from evaluations.norms import screenings_due

R, S, U = Level.ROUTINE, Level.SOON, Level.URGENT

PRIORITIES: tuple[Level, ...] = (R, S, U)
STATUSES = ("suggested", "accepted", "dismissed")
def gettext_noop(message: str) -> str:
    """Marks a text for translation without Django (this module stays pure); the orders
    page translates where it shows it."""
    return message


DECIDED = frozenset({"accepted", "dismissed"})


@dataclass(frozen=True)
class CodeInfo:
    code: str
    label: str
    parent_text: str  # what the test is, for parents, in plain words
    priority_rule: str  # the priority as CLINICAL.md section 7 writes it
    source: str


_CODE_ROWS: tuple[CodeInfo, ...] = (
    CodeInfo(
        "eeg",
        gettext_noop("EEG"),
        gettext_noop(
            "An EEG records the brain's electrical signals through small sensors stuck on the "
            "scalp. It does not hurt, and it helps tell seizures from harmless movements."
        ),
        "urgent if a seizure-like episode within 7 days, else soon",
        "ALFONSO, AAP-FS",
    ),
    CodeInfo(
        "infection_workup",
        gettext_noop("Infection work-up"),
        gettext_noop(
            "Tests to look for an infection behind a fever in a young baby: usually blood and "
            "urine tests, and sometimes a sample of the fluid around the spine."
        ),
        "urgent",
        "NICE-FEVER, AAP-FS",
    ),
    CodeInfo(
        "video_eeg",
        gettext_noop("Video EEG"),
        gettext_noop(
            "A video EEG records brain signals and a video at the same time, often for some "
            "hours, so the doctor can see what the brain does during an episode."
        ),
        "urgent for suspected spasms or regression, soon for unclear frequent events",
        "ISAN, ICNA",
    ),
    CodeInfo(
        "metabolic_blood_work",
        gettext_noop("Blood tests: glucose, calcium, magnesium, electrolytes"),
        gettext_noop(
            "A small blood sample checks sugar, calcium, magnesium and salts. When these are "
            "low they can cause trembling or seizures, and they are easy to treat."
        ),
        "urgent",
        "ALFONSO, VURALLI, GOMELLA",
    ),
    CodeInfo(
        "brain_mri",
        gettext_noop("Brain MRI"),
        gettext_noop(
            "An MRI takes detailed pictures of the brain with a magnet, without X-rays. Babies "
            "sleep or are given medicine to keep still."
        ),
        "soon",
        "NORITZ, NOVAK, ALFONSO",
    ),
    CodeInfo(
        "neurology_referral",
        gettext_noop("Child neurology referral"),
        gettext_noop(
            "A visit to a child neurologist, a doctor for the brain, nerves and muscles."
        ),
        "by finding: urgent for regression or suspected spasms",
        "NORITZ",
    ),
    CodeInfo(
        "creatine_kinase",
        gettext_noop("Creatine kinase (CK) blood test"),
        gettext_noop(
            "A blood test for a muscle enzyme. A high level can point to a muscle problem behind "
            "floppiness or weakness."
        ),
        "soon",
        "NORITZ",
    ),
    CodeInfo(
        "physical_therapy",
        gettext_noop("Physical therapy"),
        gettext_noop(
            "A physiotherapist shows you play and exercises that help your baby's movement, "
            "muscle tone and posture."
        ),
        "soon",
        "NORITZ, NOVAK",
    ),
    CodeInfo(
        "early_intervention",
        gettext_noop("Early intervention"),
        gettext_noop(
            "Early intervention services support a baby's development at home or nearby. You "
            "do not need a diagnosis to start."
        ),
        "soon",
        "NORITZ, NOVAK",
    ),
    CodeInfo(
        "developmental_screening",
        gettext_noop("Developmental screening"),
        gettext_noop(
            "A short questionnaire and check of how your child plays, talks, learns and moves, "
            "to spot anything that needs a closer look."
        ),
        "routine",
        "CDC-LTSAE",
    ),
    CodeInfo(
        "genetics_referral",
        gettext_noop("Genetics referral"),
        gettext_noop(
            "A visit to a genetics team, who may suggest tests to look for a cause of low "
            "muscle tone or slow development."
        ),
        "routine",
        "NHS-GEN, ACMG",
    ),
    CodeInfo(
        "hearing_evaluation",
        gettext_noop("Hearing evaluation"),
        gettext_noop(
            "A painless hearing test. Babies who do not hear well need help early for speech and language."
        ),
        "soon",
        "CDC-LTSAE",
    ),
    CodeInfo(
        "nutrition_review",
        gettext_noop("Nutrition review"),
        gettext_noop(
            "A look at feeding and diet, sometimes with a dietitian. Give vitamins or minerals "
            "only when a doctor advises them."
        ),
        "routine",
        "brief",
    ),
)
SUGGESTION_CATALOGUE: Mapping[str, CodeInfo] = MappingProxyType({c.code: c for c in _CODE_ROWS})
CODES: Mapping[str, str] = MappingProxyType({c.code: c.label for c in _CODE_ROWS})
PARENT_EXPLANATIONS: Mapping[str, str] = MappingProxyType({c.code: c.parent_text for c in _CODE_ROWS})
_CODE_ORDER = {code: i for i, code in enumerate(CODES)}


# --------------------------------------------------------------------------
# Input and output
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeSummary:
    """One recent episode as triage saw it. The last two fields are optional
    extras used only to recognise a simple febrile seizure; unknown = not simple."""

    id: str
    started_at: datetime
    level: Level
    rules: frozenset[str]
    signs: frozenset[str] = frozenset()
    pattern: str = ""
    duration_seconds: int | None = None
    body_parts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ExistingSuggestion:
    """A suggestion already on the record, with the reasons it was raised for.

    Store ``Suggestion.reason_rules`` and ``Suggestion.episode_ids`` when saving a
    suggestion and pass them back here: a decided suggestion is raised again only
    when a rule or an episode not among them appears.
    """

    code: str
    status: str  # suggested | accepted | dismissed
    reason_rules: frozenset[str]
    episode_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown suggestion status {self.status!r}")


@dataclass(frozen=True)
class Suggestion:
    code: str
    priority: Level
    reasons: tuple[Reason, ...]
    finding_rules: tuple[str, ...]  # evaluation findings that raised it
    episode_ids: tuple[str, ...]  # episodes that raised it

    @property
    def label(self) -> str:
        return CODES[self.code]

    @property
    def parent_explanation(self) -> str:
        return PARENT_EXPLANATIONS[self.code]

    @property
    def reason_rules(self) -> frozenset[str]:
        """Store these (and ``episode_ids``) to recognise the same reasons later."""
        return frozenset(r.rule for r in self.reasons) | frozenset(self.finding_rules)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "priority": str(self.priority),
            "reasons": [r.as_dict() for r in self.reasons],
            "finding_rules": list(self.finding_rules),
            "episode_ids": list(self.episode_ids),
        }


@dataclass(frozen=True)
class SuggestionResult:
    suggestions: tuple[Suggestion, ...]
    no_tests_note: str | None
    held_back: tuple[str, ...] = ()  # codes already decided for the same reasons

    def by_code(self, code: str) -> Suggestion | None:
        return next((s for s in self.suggestions if s.code == code), None)


# --------------------------------------------------------------------------
# What the triggers see
# --------------------------------------------------------------------------

EEG_URGENT_WITHIN = timedelta(days=7)  # [ALFONSO] via CLINICAL.md section 7
SIMPLE_FEBRILE_MONTHS = (6, 60)  # [AAP-FS]
SIMPLE_FEBRILE_MAX_SECONDS = 15 * 60  # [AAP-FS] "less than 15 minutes"
SIMPLE_FEBRILE_NO_REPEAT = timedelta(hours=24)  # [AAP-FS]
METABOLIC_UNDER_MONTHS = 6  # [ALFONSO, VURALLI]
UNCLEAR_FREQUENT_COUNT = 3  # design choice
FEEDING_REPEATED_COUNT = 2  # design choice
INFECTION_FEVER_UNDER_MONTHS = 3  # [NICE-FEVER] chronological
INFECTION_SEIZURE_UNDER_MONTHS = 6  # [AAP-FS] chronological
LOW_MINERAL_FLAGS = frozenset({"low_calcium", "low_magnesium"})

# The values above as data with source and confidence, for docs/clinical-rules.md
# (tests fail when a value here has no entry).
_SEC, _VER, _DES = Confidence.SECONDARY, Confidence.VERIFIED, Confidence.DESIGN_CHOICE
THRESHOLDS: Mapping[str, Threshold] = MappingProxyType(
    {
        "EEG_URGENT_WITHIN": Threshold(
            EEG_URGENT_WITHIN, "since a seizure-like episode: EEG urgent, later soon", "ALFONSO", _SEC
        ),
        "SIMPLE_FEBRILE_MONTHS": Threshold(
            SIMPLE_FEBRILE_MONTHS, "months of age, simple febrile seizure", "AAP-FS", _VER
        ),
        "SIMPLE_FEBRILE_MAX_SECONDS": Threshold(
            SIMPLE_FEBRILE_MAX_SECONDS, "seconds: a simple febrile seizure is shorter", "AAP-FS", _VER
        ),
        "SIMPLE_FEBRILE_NO_REPEAT": Threshold(
            SIMPLE_FEBRILE_NO_REPEAT, "with no other seizure-like episode", "AAP-FS", _VER
        ),
        "METABOLIC_UNDER_MONTHS": Threshold(
            METABOLIC_UNDER_MONTHS, "months of age: a seizure-like episode raises blood work",
            "ALFONSO, VURALLI", _SEC,
        ),
        "UNCLEAR_FREQUENT_COUNT": Threshold(
            UNCLEAR_FREQUENT_COUNT, "episodes of unclear rhythmic jerking raise a video EEG",
            "design choice", _DES,
        ),
        "FEEDING_REPEATED_COUNT": Threshold(
            FEEDING_REPEATED_COUNT, "episodes with feeding difficulty raise a nutrition review",
            "design choice", _DES,
        ),
        "INFECTION_FEVER_UNDER_MONTHS": Threshold(
            INFECTION_FEVER_UNDER_MONTHS,
            "months of age, chronological: fever with any episode raises an infection work-up",
            "NICE-FEVER", _VER,
        ),
        "INFECTION_SEIZURE_UNDER_MONTHS": Threshold(
            INFECTION_SEIZURE_UNDER_MONTHS,
            "months of age, chronological: fever with a seizure-like episode raises one",
            "AAP-FS", _SEC,
        ),
    }
)

# Most pressing first: the first one an episode fired names the reason.
SEIZURE_LIKE_RULES: tuple[str, ...] = (
    "EP-CONVULSIVE-5MIN",
    "EP-NEWBORN-SEIZURE",
    "EP-RHYTHMIC-30S",
    "EP-NOT-SUPPRESSIBLE",
    "EP-EYES",
    "EP-STIFFENING",
    # Revision 2026-12 (triage 3a). Listed after the older rules so an episode that
    # fired those keeps naming the same reason (decided suggestions stay matched).
    "EP-FIRST-SEIZURE",
    "EP-SEIZURE-REPEAT",
    "EP-FEVER-SEIZURE-UNDER-6M",
    "EP-FACE",
)
# Fever as the triage saw it (the sign, or a temperature of 38.0 °C or more).
FEVER_RULES = frozenset({"EP-FEVER", "EP-FEVER-UNDER-3M", "EP-FEVER-SEIZURE-UNDER-6M"})
_SEIZURE_SIGNS = {"eyes_rolling_or_fixed": "EP-EYES", "stiffening": "EP-STIFFENING"}
_EPISODE_WORDS = {
    "EP-CONVULSIVE-5MIN": "jerking or stiffening for 5 minutes or more",
    "EP-NEWBORN-SEIZURE": "seizure-like in a newborn",
    "EP-RHYTHMIC-30S": "rhythmic jerking for 30 seconds or more",
    "EP-NOT-SUPPRESSIBLE": "jerking that did not stop when held",
    "EP-EYES": "eyes rolling or fixed",
    "EP-STIFFENING": "stiffening",
    "EP-FIRST-SEIZURE": "a first convulsive episode",
    "EP-SEIZURE-REPEAT": "a convulsive episode within a day of another",
    "EP-FEVER-SEIZURE-UNDER-6M": "seizure-like with fever under 6 months",
    "EP-FACE": "rhythmic jerking of the face",
}


@dataclass(frozen=True)
class _Hit:
    """One reason for one code, before merging."""

    priority: Level
    rule: str
    explanation: str
    source: str
    finding_rules: tuple[str, ...] = ()
    episode_id: str | None = None


@dataclass(frozen=True)
class _Context:
    assessment: Assessment | None
    episodes: tuple[EpisodeSummary, ...]  # newest first
    now: datetime
    age: Age
    lab_flags: frozenset[str]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.assessment.findings if self.assessment else ()

    def matching(self, *patterns: str, min_level: Level = R) -> list[Finding]:
        """Findings whose rule matches any glob pattern ("RX-*-ASYMMETRIC")."""
        return [
            f for f in self.findings if f.level >= min_level and any(fnmatchcase(f.rule, p) for p in patterns)
        ]

    def episodes_with(self, rule: str, sign: str | None = None) -> list[EpisodeSummary]:
        return [e for e in self.episodes if rule in e.rules or (sign is not None and sign in e.signs)]

    def seizure_rule(self, ep: EpisodeSummary) -> str | None:
        fired = [r for r in SEIZURE_LIKE_RULES if r in ep.rules]
        fired += [rule for sign, rule in _SEIZURE_SIGNS.items() if sign in ep.signs]
        return fired[0] if fired else None

    def seizure_like(self) -> list[tuple[EpisodeSummary, str]]:
        return [(e, r) for e in self.episodes if (r := self.seizure_rule(e))]

    def recent(self, ep: EpisodeSummary) -> bool:
        return self.now - ep.started_at <= EEG_URGENT_WITHIN

    def months_at(self, ep: EpisodeSummary) -> float:
        # The younger (corrected) age: the safer side for both age windows used.
        elapsed = max(0, (self.now - ep.started_at) // timedelta(days=1))
        return (self.age.corrected_days - elapsed) / DAYS_PER_MONTH

    def chronological_months_at(self, ep: EpisodeSummary) -> float:
        elapsed = max(0, (self.now - ep.started_at) // timedelta(days=1))
        return (self.age.chronological_days - elapsed) / DAYS_PER_MONTH

    def when(self, ep: EpisodeSummary) -> str:
        days = max(0, (self.now - ep.started_at) // timedelta(days=1))
        return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"

    def no_finding_above_routine(self) -> bool:
        return self.assessment is not None and all(f.level <= R for f in self.findings)

    def exam_abnormal(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in ("reflex", "hine", "tone") and f.level >= S]

    def simple_febrile(self, ep: EpisodeSummary) -> bool:
        """Design choice, conservative: every AAP-FS criterion must be known to hold."""
        fever = "fever" in ep.signs or bool({"EP-FEVER", "EP-FEVER-UNDER-3M"} & ep.rules)
        low, high = SIMPLE_FEBRILE_MONTHS
        sides = {part.split("_", 1)[0] for part in ep.body_parts}
        generalized = "whole_body" in ep.body_parts or {"left", "right"} <= sides
        short = ep.duration_seconds is not None and ep.duration_seconds < SIMPLE_FEBRILE_MAX_SECONDS
        focal = "limb_weakness" in ep.signs or "EP-WEAKNESS" in ep.rules
        repeated = any(
            other.id != ep.id and abs(other.started_at - ep.started_at) <= SIMPLE_FEBRILE_NO_REPEAT
            for other, _rule in self.seizure_like()
        )
        return (
            fever
            and low <= self.months_at(ep) <= high
            and generalized
            and short
            and not focal
            and not repeated
            and self.no_finding_above_routine()
        )


def _clamp(level: Level) -> Level:
    return min(level, U)


def _from_findings(
    ctx: _Context,
    patterns: Iterable[str],
    why: str,
    source: str,
    priority: Level | None = None,
    min_level: Level = R,
) -> Iterator[_Hit]:
    """One hit per matching finding; priority fixed, or the finding's own ("by finding")."""
    for f in ctx.matching(*patterns, min_level=min_level):
        yield _Hit(priority or _clamp(f.level), f.rule, f"{why}. {f.explanation}", source, (f.rule,))


def _regression(ctx: _Context, why: str, source: str) -> Iterator[_Hit]:
    yield from _from_findings(ctx, ["MS-LOST-SKILLS"], why, source, U)
    for ep in ctx.episodes_with("EP-LOST-SKILLS", "lost_skills"):
        text = f"{why}. The parent reported lost skills with an episode {ctx.when(ep)}."
        yield _Hit(U, "EP-LOST-SKILLS", text, source, episode_id=ep.id)


def _spasms(ctx: _Context, why: str, source: str) -> Iterator[_Hit]:
    for ep in ctx.episodes_with("EP-SPASM-CLUSTER"):
        text = f"{why}: clusters of jerks or spasms {ctx.when(ep)}, possible infantile spasms."
        yield _Hit(U, "EP-SPASM-CLUSTER", text, source, episode_id=ep.id)


def _seizures(
    ctx: _Context, why: str, source: str, simple_febrile: Level | None = None
) -> Iterator[_Hit]:
    """Seizure-like episodes: urgent within 7 days, else soon. A simple febrile seizure
    is left out, or raised at ``simple_febrile`` when that is given."""
    for ep, rule in ctx.seizure_like():
        if ctx.simple_febrile(ep):
            if simple_febrile is None:
                continue
            text = (
                f"{why}: seizure-like episode {ctx.when(ep)} with fever that looks like a "
                "simple febrile seizure, with a normal examination."
            )
            yield _Hit(simple_febrile, rule, text, f"{source}, AAP-FS", episode_id=ep.id)
            continue
        text = f"{why}: seizure-like episode {ctx.when(ep)} ({_EPISODE_WORDS[rule]})."
        yield _Hit(U if ctx.recent(ep) else S, rule, text, source, episode_id=ep.id)


# --------------------------------------------------------------------------
# Triggers, one function per code (CLINICAL.md section 7)
# --------------------------------------------------------------------------


def _eeg(ctx: _Context) -> Iterator[_Hit]:
    yield from _seizures(ctx, "EEG to look for seizure activity", "ALFONSO, AAP-FS")


def _video_eeg(ctx: _Context) -> Iterator[_Hit]:
    yield from _spasms(ctx, "Video EEG the same day", "ISAN")
    yield from _regression(ctx, "Regression can come with infantile spasms", "ISAN")
    unclear = ctx.episodes_with("EP-RHYTHMIC-UNTESTED")
    if len(unclear) >= UNCLEAR_FREQUENT_COUNT:
        for ep in unclear:
            text = (
                "Repeated rhythmic jerking whose nature is still unclear (holding not tried): "
                "a video EEG can capture an episode."
            )
            yield _Hit(S, "EP-RHYTHMIC-UNTESTED", text, "ICNA", episode_id=ep.id)


def _infection(ctx: _Context) -> Iterator[_Hit]:
    """CLINICAL.md 7a: fever under 3 months with any episode, or fever with a seizure-like
    episode under 6 months (chronological age, as the fever rules use)."""
    for ep in ctx.episodes:
        if "fever" not in ep.signs and not (FEVER_RULES & ep.rules):
            continue
        months = ctx.chronological_months_at(ep)
        priority = U if ctx.recent(ep) else S  # design choice, see the top of the module
        rule = next((r for r in ("EP-FEVER-UNDER-3M", "EP-FEVER-SEIZURE-UNDER-6M", "EP-FEVER")
                     if r in ep.rules), "EP-FEVER")
        if months < INFECTION_FEVER_UNDER_MONTHS:
            text = (
                f"Fever {ctx.when(ep)} under 3 months of age: blood and urine tests, and a "
                "lumbar puncture under 1 month."
            )
            yield _Hit(priority, rule, text, "NICE-FEVER", episode_id=ep.id)
        elif months < INFECTION_SEIZURE_UNDER_MONTHS and ctx.seizure_rule(ep):
            text = (
                f"Fever with a seizure-like episode {ctx.when(ep)} under 6 months of age: "
                "consider a lumbar puncture."
            )
            yield _Hit(priority, rule, text, "AAP-FS", episode_id=ep.id)


def _metabolic(ctx: _Context) -> Iterator[_Hit]:
    source = "ALFONSO, VURALLI, GOMELLA"
    for ep, rule in ctx.seizure_like():
        if ctx.months_at(ep) < METABOLIC_UNDER_MONTHS:
            text = (
                f"Seizure-like episode {ctx.when(ep)} under 6 months of age: check glucose, "
                "ionised calcium, magnesium and electrolytes."
            )
            yield _Hit(U, rule, text, source, episode_id=ep.id)
    for ep in ctx.episodes:
        if not _jittery_unwell(ep, seizure_like=ctx.seizure_rule(ep) is not None):
            continue
        text = f"Trembling with poor feeding or lethargy {ctx.when(ep)}: check glucose and calcium."
        yield _Hit(U, _jittery_rule(ep), text, source, episode_id=ep.id)


_TREMBLING_RULES = frozenset({"EP-JITTERY-UNWELL", "EP-JITTERY-LATE", "EP-RHYTHMIC-UNTESTED"})
_UNWELL_SIGNS = frozenset({"feeding_difficulty", "lethargy"})
_UNWELL_RULES = frozenset({"EP-FEEDING", "EP-LETHARGY"})


def _jittery_unwell(ep: EpisodeSummary, *, seizure_like: bool) -> bool:
    """Jitteriness with poor feeding or lethargy, at any age (design choice, see top).

    Trembling: a jitteriness rule fired, or rhythmic jerking that no seizure-like rule
    claimed (seizure-like episodes raise blood work under 6 months on their own)."""
    if "EP-JITTERY-UNWELL" in ep.rules:
        return True
    trembling = bool(ep.rules & _TREMBLING_RULES) or (ep.pattern == "rhythmic" and not seizure_like)
    unwell = bool(ep.signs & _UNWELL_SIGNS) or bool(ep.rules & _UNWELL_RULES)
    return trembling and unwell


def _jittery_rule(ep: EpisodeSummary) -> str:
    """The triage rule that names the reason (an existing id, so decisions match it)."""
    for rule in ("EP-JITTERY-UNWELL", "EP-LETHARGY", "EP-FEEDING"):
        if rule in ep.rules:
            return rule
    return "EP-LETHARGY" if "lethargy" in ep.signs else "EP-FEEDING"


def _brain_mri(ctx: _Context) -> Iterator[_Hit]:
    source = "NORITZ, NOVAK, ALFONSO"
    yield from _from_findings(ctx, ["RX-*-ASYMMETRIC", "HINE-HEMIPLEGIC"], "Asymmetric finding", source, S)
    # Any asymmetric HINE item is an asymmetric finding (design choice, safer side).
    yield from _from_findings(ctx, ["HINE-ASYMMETRIES"], "Asymmetric finding", source, S)
    yield from _from_findings(ctx, ["HINE-CP-RISK"], "HINE in the cerebral palsy risk range", source, S)
    for ep in ctx.episodes_with("EP-WEAKNESS", "limb_weakness"):
        text = f"Weakness after an episode {ctx.when(ep)}."
        yield _Hit(S, "EP-WEAKNESS", text, source, episode_id=ep.id)
    motor = ctx.matching("MS-NOT-YET-MOVEMENT")
    if motor:
        # Mixed tone counts as increased here (design choice, safer).
        for f in ctx.matching("TONE-INCREASED", "TONE-MIXED"):
            text = f"{f.explanation} With movement milestones not yet reached."
            yield _Hit(S, f.rule, text, source, (f.rule, motor[0].rule))
    abnormal = ctx.exam_abnormal()
    if abnormal:
        for ep, rule in ctx.seizure_like():
            text = (
                f"Seizure-like episode {ctx.when(ep)} with an abnormal examination "
                f"({', '.join(f.rule for f in abnormal)})."
            )
            rules = tuple(f.rule for f in abnormal)
            yield _Hit(S, rule, text, source, rules, ep.id)


def _neurology(ctx: _Context) -> Iterator[_Hit]:
    source = "NORITZ"
    yield from _regression(ctx, "Regression (lost skills)", source)
    yield from _spasms(ctx, "Suspected infantile spasms", "NORITZ, ISAN")
    yield from _from_findings(
        ctx,
        ["RX-*-ABSENT", "RX-*-ABSENT-EARLY", "RX-*-PERSISTS", "RX-*-ASYMMETRIC", "RX-ATNR-*"],
        "Reflex finding",
        source,
    )
    yield from _from_findings(ctx, ["HINE-CP-RISK", "HINE-HEMIPLEGIC"], "HINE finding", "NORITZ, NOVAK")
    # 7a: more than 5 asymmetric HINE items (the finding is soon then) need a neurologist
    # as well as the MRI; an asymmetric reflex is among the reflex findings above.
    yield from _from_findings(
        ctx, ["HINE-ASYMMETRIES"], "Asymmetric HINE items", "NORITZ, HAY", S, min_level=S
    )
    # Section 7 lists every seizure-like episode here (only the EEG row excepts a simple
    # febrile seizure): design choice, raise it at soon rather than drop it.
    yield from _seizures(ctx, "Neurology review", source, simple_febrile=S)


def _creatine_kinase(ctx: _Context) -> Iterator[_Hit]:
    motor = ctx.matching("MS-NOT-YET-MOVEMENT")
    if not motor:
        return
    for f in ctx.matching("TONE-DECREASED"):
        text = f"{f.explanation} With movement milestones not yet reached: check CK."
        yield _Hit(S, f.rule, text, "NORITZ", (f.rule, motor[0].rule))
    for ep in ctx.episodes_with("EP-WEAKNESS", "limb_weakness"):
        text = f"Weakness after an episode {ctx.when(ep)} with movement milestones not yet reached."
        yield _Hit(S, "EP-WEAKNESS", text, "NORITZ", (motor[0].rule,), ep.id)


def _genetics(ctx: _Context) -> Iterator[_Hit]:
    source = "NHS-GEN, ACMG"
    # "Not explained otherwise" cannot be known here: suggest, the clinician dismisses.
    why = "Low tone: about half of hypotonic infants have a genetic cause"
    yield from _from_findings(ctx, ["TONE-DECREASED"], why, source, R)
    yield from _from_findings(ctx, ["MS-GLOBAL-DELAY"], "Global delay", source, R)


def _physical_therapy(ctx: _Context) -> Iterator[_Hit]:
    patterns = [
        "TONE-*",
        "HINE-LOW-POSTURE",
        "HINE-LOW-TONE",
        "HINE-CP-RISK",
        "HINE-HEMIPLEGIC",
    ]
    why = "Tone, posture or movement"
    yield from _from_findings(ctx, patterns, why, "NORITZ, NOVAK", S)
    # "Movement milestones missed" (7a): one missed item is screen and watch, so the
    # movement finding raises therapy only when it is soon (2 or more items missed).
    yield from _from_findings(ctx, ["MS-NOT-YET-MOVEMENT"], why, "NORITZ, NOVAK", S, min_level=S)


def _early_intervention(ctx: _Context) -> Iterator[_Hit]:
    why = "Early intervention need not wait for a diagnosis"
    source = "NORITZ, NOVAK, CDC-LTSAE"
    # A confirmed delay only (7a): a domain finding is soon when 2+ of its items are missed.
    yield from _from_findings(ctx, ["MS-NOT-YET-*"], why, source, S, min_level=S)
    patterns = ["MS-GLOBAL-DELAY", "MS-LOST-SKILLS", "HINE-CP-RISK", "HINE-HEMIPLEGIC"]
    yield from _from_findings(ctx, patterns, why, source, S)


def _developmental_screening(ctx: _Context) -> Iterator[_Hit]:
    patterns = ["MS-NOT-YET-*", "MS-UNSURE", "MS-LOST-SKILLS"]
    yield from _from_findings(ctx, patterns, "Milestones", "CDC-LTSAE", R)
    for due in screenings_due(ctx.age):
        text = f"Scheduled {due.kind} screening at {due.at_months} months."
        yield _Hit(R, due.rule, text, due.source)


def _hearing(ctx: _Context) -> Iterator[_Hit]:
    yield from _from_findings(ctx, ["MS-HEARING"], "Hearing", "CDC-LTSAE", S)
    for f in ctx.matching("HINE-LOW-CRANIAL"):
        if "auditory_response" in f.data.get("items", ()):
            # Design choice: a low HINE auditory item asks the same question.
            text = f"Low HINE auditory response: {f.explanation}"
            yield _Hit(S, f.rule, text, "HAATAJA, CDC-LTSAE", (f.rule,))


def _nutrition(ctx: _Context) -> Iterator[_Hit]:
    feeding = ctx.episodes_with("EP-FEEDING", "feeding_difficulty")
    if len(feeding) >= FEEDING_REPEATED_COUNT:
        for ep in feeding:
            text = f"Feeding difficulty with {len(feeding)} episodes."
            yield _Hit(R, "EP-FEEDING", text, "brief", episode_id=ep.id)
    for flag in sorted(ctx.lab_flags & LOW_MINERAL_FLAGS):
        text = f"Laboratory result: {flag.replace('_', ' ')}."
        yield _Hit(R, f"LAB-{flag.upper().replace('_', '-')}", text, "brief")


TRIGGERS: Mapping[str, Callable[[_Context], Iterable[_Hit]]] = MappingProxyType(
    {
        "eeg": _eeg,
        "infection_workup": _infection,
        "video_eeg": _video_eeg,
        "metabolic_blood_work": _metabolic,
        "brain_mri": _brain_mri,
        "neurology_referral": _neurology,
        "creatine_kinase": _creatine_kinase,
        "physical_therapy": _physical_therapy,
        "early_intervention": _early_intervention,
        "developmental_screening": _developmental_screening,
        "genetics_referral": _genetics,
        "hearing_evaluation": _hearing,
        "nutrition_review": _nutrition,
    }
)


# --------------------------------------------------------------------------
# Merging, de-duplication against decisions, entry point
# --------------------------------------------------------------------------


def _merge(code: str, hits: list[_Hit]) -> Suggestion:
    """One suggestion per code; one reason per rule (the most pressing hit names it)."""
    by_rule: dict[str, list[_Hit]] = {}
    for hit in hits:
        by_rule.setdefault(hit.rule, []).append(hit)
    reasons = []
    for rule, group in by_rule.items():
        top = max(group, key=lambda h: h.priority.rank)  # first on ties: the newest episode
        episodes = {h.episode_id for h in group if h.episode_id}
        extra = f" ({len(episodes)} episodes in all.)" if len(episodes) > 1 else ""
        reasons.append(Reason(rule, top.priority, top.explanation + extra, top.source))
    reasons.sort(key=lambda r: -r.level.rank)
    finding_rules = sorted({r for h in hits for r in h.finding_rules})
    episode_ids = sorted({h.episode_id for h in hits if h.episode_id})
    return Suggestion(
        code=code,
        priority=_clamp(highest(r.level for r in reasons)),
        reasons=tuple(reasons),
        finding_rules=tuple(finding_rules),
        episode_ids=tuple(episode_ids),
    )


def _already_decided(s: Suggestion, existing: list[ExistingSuggestion]) -> bool:
    """True when an accepted/dismissed suggestion covered every reason of ``s``."""
    decided = [e for e in existing if e.code == s.code and e.status in DECIDED]
    if not decided:
        return False
    rules = frozenset().union(*(e.reason_rules for e in decided))
    episodes = frozenset().union(*(e.episode_ids for e in decided))
    return s.reason_rules <= rules and set(s.episode_ids) <= episodes


def _typical_picture(ctx: _Context) -> bool:
    """Typical episodes only (EP-TYPICAL, routine) and no finding above routine."""
    typical = all(ep.level == R and ep.rules <= {"EP-TYPICAL"} for ep in ctx.episodes)
    return typical and ctx.no_finding_above_routine()


NO_TESTS_NOTE = (
    "No tests are needed now. {what} Keep noting episodes, and call the clinic if anything "
    "changes or you are worried."
)


def suggest(
    assessment: Assessment | None,
    episodes: Iterable[EpisodeSummary],
    *,
    now: datetime,
    age: Age,
    existing: Iterable[ExistingSuggestion] = (),
    lab_flags: Iterable[str] = (),
) -> SuggestionResult:
    """Follow-up suggestions for one patient at ``now``.

    ``assessment`` is the evaluation's result (None when there is no
    evaluation: then the "no tests" note is never given, since the exam is
    unknown). ``episodes`` are the recent episodes (the caller picks the
    window); ``age`` is the patient's age at ``now``. ``lab_flags`` may carry
    ``low_calcium`` / ``low_magnesium`` results for the nutrition review.
    """
    ctx = _Context(
        assessment=assessment,
        episodes=tuple(sorted(episodes, key=lambda e: e.started_at, reverse=True)),
        now=now,
        age=age,
        lab_flags=frozenset(lab_flags),
    )
    decided = list(existing)
    suggestions, held_back = [], []
    for code, trigger in TRIGGERS.items():
        hits = list(trigger(ctx))
        if not hits:
            continue
        suggestion = _merge(code, hits)
        if _already_decided(suggestion, decided):
            held_back.append(code)
        else:
            suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (-s.priority.rank, _CODE_ORDER[s.code]))
    note = None
    if not suggestions and _typical_picture(ctx):
        what = (
            "The movements described look like typical baby movements, and the examination "
            "found nothing that needs follow-up."
            if ctx.episodes
            else "The examination found nothing that needs follow-up."
        )
        note = NO_TESTS_NOTE.format(what=what)
    return SuggestionResult(tuple(suggestions), note, tuple(held_back))
