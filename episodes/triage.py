"""Parent episode triage (CLINICAL.md sections 1-3).

Pure Python, no ORM: forms, views, serializers and commands call ``assess``;
none re-implements a rule. Every rule has a stable id, a level, a plain
one-line explanation and its source keys (listed at the end of CLINICAL.md).
Thresholds are data (``THRESHOLDS``) with source and confidence so a clinician
can review them without reading the predicates.

Safety stance: never under-triage, never raise. Input is normalised first;
a value we do not recognise is read the way that lets more rules fire.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from clinic.ages import DAYS_PER_MONTH, Age
from clinic.levels import Confidence, Level, Reason, highest
from episodes.notes import MINUTES, NotesReading, read_notes


def gettext_noop(message: str) -> str:
    """Marks a text for translation (makemessages reads this name) without importing
    Django: this module stays pure. Pages translate the text where they show it."""
    return message


# Version stamped on every result, so a stored triage can be traced to the rules
# that made it. Format YYYY.MM-N: bump N for any change to a rule's condition,
# level, threshold or the set of rules within the same month; start again at
# YYYY.MM-1 in a new month. Wording-only edits of explanations or advice do not bump.
RULE_SET_VERSION = "2026.12-2"

# --- Choices (DESIGN.md "Episode report"); (value, label) pairs fit Django choices.

BODY_PARTS: tuple[tuple[str, str], ...] = (
    ("left_foot", gettext_noop("Left foot")),
    ("right_foot", gettext_noop("Right foot")),
    ("left_leg", gettext_noop("Left leg")),
    ("right_leg", gettext_noop("Right leg")),
    ("left_arm", gettext_noop("Left arm")),
    ("right_arm", gettext_noop("Right arm")),
    ("face", gettext_noop("Face (both sides, or not sure which)")),
    ("left_face", gettext_noop("Left side of the face")),
    ("right_face", gettext_noop("Right side of the face")),
    ("whole_body", gettext_noop("Whole body")),
)
STATES: tuple[tuple[str, str], ...] = (
    ("asleep", gettext_noop("Asleep")),
    ("drowsy", gettext_noop("Drowsy or falling asleep")),
    ("waking", gettext_noop("Waking up")),
    ("awake", gettext_noop("Awake")),
    ("feeding", gettext_noop("Feeding")),
    ("crying", gettext_noop("Crying")),
)
PATTERNS: tuple[tuple[str, str], ...] = (
    ("isolated", gettext_noop("Single twitches")),
    ("cluster", gettext_noop("A series of jerks or spasms close together")),
    ("rhythmic", gettext_noop("Repeated, regular jerking")),
)
HELD_CHOICES: tuple[tuple[str, str], ...] = (
    ("yes", gettext_noop("Yes, it stopped")),
    ("no", gettext_noop("No, it kept going")),
    ("not_tried", gettext_noop("Did not try")),
)
SIGNS: tuple[tuple[str, str], ...] = (
    ("fever", gettext_noop("Fever or felt hot")),
    ("pain_crying", gettext_noop("Cried as if in pain")),
    ("eyes_rolling_or_fixed", gettext_noop("Eyes rolled, turned or stared fixed")),
    ("stiffening", gettext_noop("Body or limbs went stiff")),
    ("breathing_difficulty", gettext_noop("Trouble breathing or pauses in breathing")),
    ("color_change", gettext_noop("Turned blue, grey, very pale or blotchy")),
    ("unresponsive", gettext_noop("Did not respond, would not wake, or went floppy")),
    ("limb_weakness", gettext_noop("A limb weak or limp afterwards")),
    ("feeding_difficulty", gettext_noop("Episodes get in the way of feeding")),
    ("sleep_disruption", gettext_noop("Episodes get in the way of sleep")),
    ("lethargy", gettext_noop("Unusually sleepy or hard to wake")),
    ("vomiting", gettext_noop("Vomited")),
    ("lost_skills", gettext_noop("Stopped doing things they could do before")),
)
SIGN_QUESTIONS: Mapping[str, str] = MappingProxyType(
    {
        "fever": gettext_noop("Did your baby have a fever or feel hot to touch?"),
        "pain_crying": gettext_noop("Did your baby cry as if something hurt during the episode?"),
        "eyes_rolling_or_fixed": gettext_noop(
            "Did the eyes roll up, turn to one side or stare without moving?"
        ),
        "stiffening": gettext_noop("Did your baby's body, arms or legs go stiff?"),
        "breathing_difficulty": gettext_noop(
            "Did your baby struggle to breathe or stop breathing for a moment?"
        ),
        "color_change": gettext_noop("Did the lips or skin turn blue, grey, very pale or blotchy?"),
        "unresponsive": gettext_noop("Did your baby stop responding to you, not wake up, or go floppy?"),
        "limb_weakness": gettext_noop("Afterwards, was an arm or leg weak or limp?"),
        "feeding_difficulty": gettext_noop("Do these episodes make feeding harder?"),
        "sleep_disruption": gettext_noop("Do these episodes keep your baby from sleeping?"),
        "lethargy": gettext_noop("Is your baby much sleepier than usual or hard to wake?"),
        "vomiting": gettext_noop("Did your baby vomit with the episode?"),
        "lost_skills": gettext_noop("Has your baby stopped doing something they could do before?"),
    }
)

_AWAKE_STATES = frozenset({"waking", "awake", "feeding", "crying"})
_SLEEP_STATES = frozenset({"asleep", "drowsy"})


# --- Thresholds as data.


@dataclass(frozen=True)
class Threshold:
    value: int | Decimal
    unit: str
    source: str
    confidence: Confidence


_V, _S, _D = Confidence.VERIFIED, Confidence.SECONDARY, Confidence.DESIGN_CHOICE
THRESHOLDS: Mapping[str, Threshold] = MappingProxyType(
    {
        "CONVULSIVE_EMERGENCY_SECONDS": Threshold(300, "seconds", "ILAE-SE; NHS-HT", _V),
        "RHYTHMIC_URGENT_SECONDS": Threshold(30, "seconds", "brief", _D),
        "FEVER_C": Threshold(Decimal("38.0"), "°C", "NICE-FEVER", _V),
        "FEVER_YOUNG_UNDER_MONTHS": Threshold(3, "months, chronological", "NICE-FEVER", _V),
        # CLINICAL.md §1 judges newborn rules on chronological age; a preterm baby whose
        # corrected age is still under 28 days is as immature as a newborn, so the rule
        # also fires on corrected age (design choice, the safer side: only ever adds cases).
        "NEWBORN_DAYS": Threshold(28, "days, chronological or corrected", "ACNS; ALFONSO", _D),
        # "1 month or more", basis open: the older age (chronological) and 4 weeks,
        # so the rule starts as early as possible, right where the newborn rule ends.
        "SPASM_MIN_AGE_DAYS": Threshold(28, "days, older of the two ages", "ISAN", _D),
        # "Under 1 month", basis open: the younger age (corrected for preterm), so
        # the rule keeps firing longer.
        "JITTERY_UNWELL_UNDER_MONTHS": Threshold(
            1, "months, younger of the two ages", "ALFONSO", _D
        ),
        "JITTERY_LATE_CORRECTED_MONTHS": Threshold(2, "months, corrected", "GOMELLA", _S),
        "SLEEP_CLUSTER_LATE_CORRECTED_MONTHS": Threshold(6, "months, corrected", "ICNA", _S),
        # "N months or more" (the two late rules above): a month is read as 30 days, so a
        # baby of 60 or 180 days counts as 2 or 6 months, the way parents and clinics say
        # it; with the average month (30.44 days) the rule would start a few days later.
        # "Under N months" keeps the average month, which keeps those rules firing longer.
        "LATE_RULE_MONTH_DAYS": Threshold(30, "days per month in 'N months or more'", "design choice", _D),
        "RISING_FACTOR": Threshold(2, "times the earlier daily average", "brief", _D),
        "RISING_MIN_PER_DAY": Threshold(3, "episodes a day", "brief", _D),
        "RISING_RECENT_DAYS": Threshold(3, "days", "brief", _D),
        "RISING_BASELINE_DAYS": Threshold(7, "days", "brief", _D),
        # Revision 2026-12 (CLINICAL.md 3a).
        # "Within 24 h" is read inclusively: an episode exactly 24 h earlier counts.
        "SEIZURE_REPEAT_HOURS": Threshold(24, "hours, inclusive", "NHS-HT (window: design choice)", _D),
        "FEVER_SEIZURE_UNDER_MONTHS": Threshold(6, "months, chronological", "NHS-HT", _S),
        "LOW_TEMP_BELOW_C": Threshold(Decimal("36.0"), "°C", "NG51 (NICE, sepsis)", _S),
        "LOW_TEMP_URGENT_UNDER_MONTHS": Threshold(
            3, "months, chronological", "NG51 (NICE, sepsis; level: design choice)", _D
        ),
        "REPEATED_RHYTHMIC_COUNT": Threshold(
            3, "rhythmic or cluster episodes, this one included", "brief", _D
        ),
        "REPEATED_RHYTHMIC_HOURS": Threshold(24, "hours, inclusive", "brief", _D),
        "AFTER_SEIZURE_DAYS": Threshold(7, "days, inclusive", "design choice", _D),
        "PERSISTENT_SECONDS": Threshold(60, "seconds", "design choice", _D),
    }
)


def _t(name: str) -> Any:
    return THRESHOLDS[name].value


# --- Inputs.


@dataclass(frozen=True)
class EpisodeReport:
    started_at: datetime
    duration_seconds: int
    body_parts: frozenset[str]
    state: str
    pattern: str
    stops_when_held_or_woken: str
    signs: frozenset[str]
    temperature_c: Decimal | None = None
    # Signs the parent answered "not sure" about (the form offers yes / no / not sure).
    unsure_signs: frozenset[str] = frozenset()
    notes: str = ""


@dataclass(frozen=True)
class EarlierEpisode:
    """One earlier active episode: when it started and what kind it was."""

    started_at: datetime
    convulsive: bool
    rhythmic_or_cluster: bool


@dataclass(frozen=True)
class RecentHistory:
    """What the triage knows of the child's story before the report.

    ``counts_by_days_ago``: earlier active episodes per calendar day (key 1 is the
    day before, 0 earlier the same day; a missing day means none).
    ``episodes``: each earlier active episode of the recent days, with its time and
    whether it was convulsive (CLINICAL.md 3a "History").
    ``convulsive_on_record``: an earlier convulsive episode exists at any time, also
    before the recent days (the first-seizure rule looks at the whole record).
    ``seizure_plan``: the family's plan, when a clinician recorded a known seizure
    disorder; empty otherwise. The report being assessed is never included.
    """

    counts_by_days_ago: Mapping[int, int] = field(default_factory=dict)
    episodes: tuple[EarlierEpisode, ...] = ()
    convulsive_on_record: bool = False
    seizure_plan: str = ""

    @classmethod
    def empty(cls) -> RecentHistory:
        return cls({})

    @property
    def known_seizure_disorder(self) -> bool:
        return bool(_word(self.seizure_plan))

    def any_convulsive_before(self) -> bool:
        return self.convulsive_on_record or any(e.convulsive for e in _episodes(self))

    def within(self, at: datetime, window: timedelta, *, convulsive: bool = False,
               rhythmic: bool = False) -> list[EarlierEpisode]:
        """Earlier episodes that started in ``[at - window, at]`` (both ends count)."""
        found = []
        for earlier in _episodes(self):
            try:
                gap = at - earlier.started_at
            except TypeError:  # a naive or odd time: cannot place it, ignore it
                continue
            if timedelta(0) <= gap <= window and (not convulsive or earlier.convulsive) and (
                not rhythmic or earlier.rhythmic_or_cluster or earlier.convulsive
            ):
                found.append(earlier)
        return found

    def count(self, days_ago: int) -> int:
        """Episodes on that day; unreadable or negative entries count as none."""
        total = 0
        for key, value in _items(self.counts_by_days_ago):
            if _as_int(key) == days_ago:
                total += max(0, _as_int(value) or 0)
        return total

    def total(self, first: int, last: int) -> int:
        return sum(self.count(day) for day in range(first, last + 1))


# --- Result.

_HEADLINES: Mapping[Level, str] = MappingProxyType(
    {
        Level.EMERGENCY: gettext_noop("Call your local emergency number now."),
        Level.URGENT: gettext_noop("Contact your pediatrician or an urgent care service today."),
        Level.SOON: gettext_noop("Book a visit with your pediatrician in the next few days."),
        Level.ROUTINE: gettext_noop("This looks like the twitching many healthy babies have."),
    }
)
_SAFETY_NET = gettext_noop(
    "Call your local emergency number at once if your baby struggles to breathe, turns "
    "blue or grey, will not wake, or jerks for 5 minutes or more."
)
_RECORD = gettext_noop(
    "Next time, note when it starts and stops, film it if you can, and try gently "
    "holding the moving limb or waking your baby to see if it stops."
)
_WORRIED = gettext_noop("If you are worried, call anyway: you know your baby.")
# Each level's advice as sentences that are message ids of their own (translated one by
# one where shown, see episodes.messages); the English answer is their join.
_ADVICE_PARTS: Mapping[Level, tuple[str, ...]] = MappingProxyType(
    {
        Level.EMERGENCY: (
            gettext_noop(
                "Call your local emergency number now and do what the call handler tells you. "
                "Note the time it started; if someone else is there, ask them to film it. Even "
                "if the episode stops before help comes, your baby still needs to be checked."
            ),
        ),
        Level.URGENT: (
            gettext_noop(
                "Contact your pediatrician or an urgent care service today, even if your baby "
                "seems well again now."
            ),
            _RECORD,
            _SAFETY_NET,
            gettext_noop(
                "If you cannot get an answer today, or you are worried, call an urgent care "
                "service anyway: you know your baby."
            ),
        ),
        Level.SOON: (
            gettext_noop(
                "This does not look like an emergency, but your pediatrician should see your "
                "baby in the next few days."
            ),
            _RECORD,
            gettext_noop(
                "If the episodes get longer or more frequent, or come with fever, stiffening "
                "or staring, call today."
            ),
            _SAFETY_NET,
            _WORRIED,
        ),
        Level.ROUTINE: (
            gettext_noop(
                "Brief twitches like this are common in healthy babies, mostly in sleep, and "
                "fade over the first months. Keep noting episodes here."
            ),
            _RECORD,
            gettext_noop(
                "If anything changes, or you are worried, call your pediatrician: you know "
                "your baby."
            ),
            _SAFETY_NET,
        ),
    }
)
_ADVICE: Mapping[Level, str] = MappingProxyType(
    {level: " ".join(parts) for level, parts in _ADVICE_PARTS.items()}
)
_MEANINGS: Mapping[Level, str] = MappingProxyType(
    {
        Level.EMERGENCY: gettext_noop("Call your local emergency number now."),
        Level.URGENT: gettext_noop("Contact your pediatrician or an urgent care service today."),
        Level.SOON: gettext_noop("Arrange a visit in the next few days."),
        Level.ROUTINE: gettext_noop("Typical for a developing baby; keep noting episodes."),
    }
)


def level_meaning(level: Level | str) -> str:
    """What a level means to a parent (DESIGN.md table)."""
    return _MEANINGS[Level(level)]


# Advice that follows the reason (CLINICAL.md 3b), added after the level's advice.
_CALL_HANDLER = gettext_noop(
    "Stay on the line: if your baby is not breathing or does not respond, the call "
    "handler will guide you step by step until help arrives."
)
_FIRST_AID = gettext_noop(
    "While the jerking lasts: lay your baby on their side on a flat, safe surface with "
    "something soft under the head, and keep hard or sharp things away. Do not hold the "
    "movements back and put nothing in the mouth. Note the time; if someone else is "
    "there, ask them to film it. Stay with your baby until they are fully awake and "
    "themselves again."
)
_FEVER_ADVICE = gettext_noop(
    "About the fever: ask the doctor about it today as well as about the movements. "
    "Keep your baby lightly dressed, offer feeds often and take the temperature again. "
    "A baby under 3 months with a fever needs a doctor the same day even if it comes down."
)
_LOW_TEMP_ADVICE = gettext_noop(
    "About the low temperature: warm your baby skin to skin or with a blanket, take the "
    "temperature again in a little while and tell the doctor both readings."
)
_CLINIC_PHONE = gettext_noop("Your clinic's phone number: {phone}.")
_PLAN = gettext_noop(
    "Your child has a seizure plan from the clinic: follow it (it is shown with this answer)."
)

_BREATHING_RULES = frozenset({"EP-BREATHING", "EP-COLOUR", "EP-UNRESPONSIVE"})
_CONVULSIVE_RULES = frozenset({
    "EP-CONVULSIVE-5MIN", "EP-NEWBORN-SEIZURE", "EP-FIRST-SEIZURE", "EP-SEIZURE-REPEAT",
    "EP-FEVER-SEIZURE-UNDER-6M",
})
_FEVER_RULES = frozenset({"EP-FEVER", "EP-FEVER-UNDER-3M", "EP-FEVER-SEIZURE-UNDER-6M"})
_PHONE_LEVELS = frozenset({Level.URGENT, Level.SOON})


def _advice(level: Level, fired: set[str], report: EpisodeReport, phone: str, plan: bool) -> str:
    parts = []
    if plan:
        parts.append(_PLAN)
    parts.extend(_ADVICE_PARTS[level])
    if fired & _BREATHING_RULES:
        parts.append(_CALL_HANDLER)
    if fired & _CONVULSIVE_RULES or (level >= Level.URGENT and is_convulsive(report)):
        parts.append(_FIRST_AID)
    if fired & _FEVER_RULES:
        parts.append(_FEVER_ADVICE)
    if "EP-LOW-TEMP" in fired:
        parts.append(_LOW_TEMP_ADVICE)
    if level in _PHONE_LEVELS and _word(phone):
        parts.append(_CLINIC_PHONE.format(phone=phone.strip()))
    return " ".join(parts)


# Every sentence an answer's advice is made of (the clinic's phone line aside, which has
# a placeholder): episodes.messages splits a stored answer into these to translate it.
ADVICE_MESSAGES: tuple[str, ...] = tuple(dict.fromkeys(
    [_PLAN, *(part for parts in _ADVICE_PARTS.values() for part in parts), _CALL_HANDLER,
     _FIRST_AID, _FEVER_ADVICE, _LOW_TEMP_ADVICE]
))
CLINIC_PHONE_MESSAGE = _CLINIC_PHONE
HEADLINES = _HEADLINES


@dataclass(frozen=True)
class NoteSign:
    """A sign the notes name but the answers do not: the page asks about it."""

    sign: str
    words: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"sign": self.sign, "words": list(self.words)}


@dataclass(frozen=True)
class TriageResult:
    level: Level
    headline: str
    advice: str
    reasons: tuple[Reason, ...]
    rule_set_version: str = RULE_SET_VERSION
    # What the notes named that no answer says (CLINICAL.md 3a "Notes").
    notes_matched: tuple[NoteSign, ...] = ()
    # The family's seizure plan, shown with every answer when a clinician recorded one.
    seizure_plan: str = ""

    @property
    def raised_by_notes(self) -> bool:
        return any(reason.rule == "EP-NOTES-DANGER" for reason in self.reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": str(self.level),
            "headline": self.headline,
            "advice": self.advice,
            "reasons": [reason.as_dict() for reason in self.reasons],
            "rule_set_version": self.rule_set_version,
            "notes_matched": [match.as_dict() for match in self.notes_matched],
            "seizure_plan": self.seizure_plan,
        }


# --- Normalising input: any value in, a clean report out, never an exception.


def _episodes(history: RecentHistory) -> tuple[EarlierEpisode, ...]:
    try:
        return tuple(e for e in history.episodes if isinstance(e, EarlierEpisode))
    except TypeError:
        return ()


def _items(mapping: object) -> Iterable[tuple[object, object]]:
    try:
        return list(mapping.items())  # type: ignore[attr-defined]
    except Exception:  # odd history must not stop the triage
        return []


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None


def _word(value: object) -> str:
    return value.strip().lower() if isinstance(value, str) else ""


def _words(values: object) -> frozenset[str]:
    if isinstance(values, str):
        values = (values,)
    try:
        return frozenset(_word(value) for value in values)  # type: ignore[union-attr]
    except TypeError:
        return frozenset()


def _duration(value: object) -> int:
    # A duration we cannot read could have been long: assume the long-episode limit.
    seconds = _as_int(value)
    if seconds is None:
        return int(_t("CONVULSIVE_EMERGENCY_SECONDS"))
    return seconds


def _temperature(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", ".")  # "38,5" is a comma-decimal reading
    try:
        reading = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return None if reading.is_nan() else reading


def _clean(report: EpisodeReport) -> EpisodeReport:
    return replace(
        report,
        duration_seconds=_duration(report.duration_seconds),
        body_parts=_words(report.body_parts),
        state=_word(report.state),
        pattern=_word(report.pattern),
        stops_when_held_or_woken=_word(report.stops_when_held_or_woken),
        signs=_words(report.signs),
        temperature_c=_temperature(report.temperature_c),
        unsure_signs=_words(report.unsure_signs),
        notes=report.notes if isinstance(report.notes, str) else "",
    )


# --- Shared definitions (CLINICAL.md section 3). Unknown values lean to "may be".


def _rhythmic(r: EpisodeReport) -> bool:
    return r.pattern not in ("isolated", "cluster")


def _cluster(r: EpisodeReport) -> bool:
    return r.pattern not in ("isolated", "rhythmic")


def _not_stopped(r: EpisodeReport) -> bool:
    """Did not stop when held or woken: "no", or an answer we cannot read."""
    return r.stops_when_held_or_woken not in ("yes", "not_tried")


def _awake(r: EpisodeReport) -> bool:
    return r.state not in _SLEEP_STATES


def _asleep(r: EpisodeReport) -> bool:
    return r.state not in _AWAKE_STATES


def _seizure_like(r: EpisodeReport) -> bool:
    return (
        ((_rhythmic(r) or _cluster(r)) and _not_stopped(r))
        or "eyes_rolling_or_fixed" in r.signs
        or "stiffening" in r.signs
    )


def is_convulsive(r: EpisodeReport) -> bool:
    """CLINICAL.md 3a: rhythmic or cluster AND (not stopped, stiffening, eyes, unresponsive).

    Narrower than seizure-like. Used for the report being triaged and, stored with
    each episode, for the history of later reports.
    """
    r = _clean(r)
    signs = {"stiffening", "eyes_rolling_or_fixed", "unresponsive"}
    return (_rhythmic(r) or _cluster(r)) and (_not_stopped(r) or bool(r.signs & signs))


def is_rhythmic_or_cluster(r: EpisodeReport) -> bool:
    r = _clean(r)
    return _rhythmic(r) or _cluster(r)


def _fever(r: EpisodeReport) -> bool:
    # A measured temperature counts even when the fever box is not ticked.
    hot = r.temperature_c is not None and r.temperature_c >= _t("FEVER_C")
    return "fever" in r.signs or hot


def _months(days: int) -> float:
    """Months for "under N months" rules (the average month: fires longer)."""
    return days / DAYS_PER_MONTH


def _at_least_months(days: int, months: int) -> bool:
    """ "N months or more" (design choice): 30-day months, so the rule starts earlier."""
    return days >= months * _t("LATE_RULE_MONTH_DAYS")


# --- Rules: one predicate each, in the order of CLINICAL.md section 3.

Predicate = Callable[[EpisodeReport, Age, RecentHistory], bool]


def _convulsive_5min(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    moving = _rhythmic(r) or _cluster(r) or "stiffening" in r.signs
    return moving and r.duration_seconds >= _t("CONVULSIVE_EMERGENCY_SECONDS")


# Design choice (the safer side): the three signs that call for help at once also count
# when only the notes name them ("stopped breathing", "turned blue", "went floppy"); the
# other note words raise EP-NOTES-DANGER (urgent) and ask the parent to tick the sign.
_NOTE_EMERGENCY_SIGNS = frozenset({"breathing_difficulty", "color_change", "unresponsive"})


def _sign_or_noted(r: EpisodeReport, sign: str) -> bool:
    return sign in r.signs or (sign in _NOTE_EMERGENCY_SIGNS and sign in notes_reading(r).keys())


def _breathing(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return _sign_or_noted(r, "breathing_difficulty")


def _colour(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return _sign_or_noted(r, "color_change")


def _unresponsive(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return _sign_or_noted(r, "unresponsive")


def _newborn_seizure(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    youngest = min(age.chronological_days, age.corrected_days)
    return _seizure_like(r) and youngest < _t("NEWBORN_DAYS")


def _rhythmic_30s(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return _rhythmic(r) and r.duration_seconds >= _t("RHYTHMIC_URGENT_SECONDS")


def _not_suppressible(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return (_rhythmic(r) or _cluster(r)) and _not_stopped(r)


def _eyes(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "eyes_rolling_or_fixed" in r.signs


def _stiffening(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "stiffening" in r.signs


def _spasm_cluster(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    older = max(age.chronological_days, age.corrected_days)  # design choice: see threshold
    return _cluster(r) and r.state != "asleep" and older >= _t("SPASM_MIN_AGE_DAYS")


def _fever_under_3m(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    young = _months(age.chronological_days) < _t("FEVER_YOUNG_UNDER_MONTHS")
    return _fever(r) and young


def _fever_any_age(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return _fever(r)


def _weakness(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "limb_weakness" in r.signs


def _lethargy(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "lethargy" in r.signs


def _lost_skills(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "lost_skills" in r.signs


def _jittery_unwell(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    younger = min(age.chronological_days, age.corrected_days)  # design choice: see threshold
    unwell = bool(r.signs & {"feeding_difficulty", "lethargy"})
    trembling = _rhythmic(r) and _awake(r)
    return trembling and unwell and _months(younger) < _t("JITTERY_UNWELL_UNDER_MONTHS")


def _rhythmic_untested(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    # Only under 30 s: from 30 s EP-RHYTHMIC-30S (higher) takes over, so longer never lowers.
    short = r.duration_seconds < _t("RHYTHMIC_URGENT_SECONDS")
    return _rhythmic(r) and short and r.stops_when_held_or_woken == "not_tried"


def _pain(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "pain_crying" in r.signs


def _feeding(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "feeding_difficulty" in r.signs


def _sleep(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "sleep_disruption" in r.signs


def _vomiting(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return "vomiting" in r.signs


def _rising_between(h: RecentHistory, latest: int, today_extra: int) -> bool:
    """Recent window from ``latest`` days ago vs the baseline window just before it."""
    recent_days, base_days = _t("RISING_RECENT_DAYS"), _t("RISING_BASELINE_DAYS")
    recent = h.total(latest, latest + recent_days - 1) + today_extra
    base = h.total(latest + recent_days, latest + recent_days + base_days - 1)
    # Compare totals scaled by window length: exact, no float rounding at the boundary.
    return (
        recent >= _t("RISING_MIN_PER_DAY") * recent_days
        and recent * base_days >= _t("RISING_FACTOR") * base * recent_days
    )


def _rising(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    # CLINICAL.md: days 1-3 vs 4-10. Design choice: also try today (earlier episodes
    # plus this report) as the latest day, days 0-2 vs 3-9; fire if either rises.
    return _rising_between(h, 1, 0) or _rising_between(h, 0, 1)


def _jittery_late(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    stops = r.stops_when_held_or_woken == "yes"
    late = _at_least_months(age.norm_days, _t("JITTERY_LATE_CORRECTED_MONTHS"))
    return _rhythmic(r) and _awake(r) and stops and late


def _sleep_cluster_late(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    late = _at_least_months(age.norm_days, _t("SLEEP_CLUSTER_LATE_CORRECTED_MONTHS"))
    return _cluster(r) and _asleep(r) and late


# The three signs asked first in the report form: each alone is an emergency.
EMERGENCY_SIGNS: frozenset[str] = frozenset({"breathing_difficulty", "color_change", "unresponsive"})


def _unsure_emergency_sign(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return bool(r.unsure_signs & EMERGENCY_SIGNS)


# --- Revision 2026-12 (CLINICAL.md 3a): rules that read the whole story.


def _first_seizure(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    # A history given only as counts says nothing of earlier convulsions: read as none
    # on record (the safer side). A recorded seizure disorder with a plan turns it off.
    return is_convulsive(r) and not h.any_convulsive_before() and not h.known_seizure_disorder


def _seizure_repeat(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    window = timedelta(hours=_t("SEIZURE_REPEAT_HOURS"))
    return is_convulsive(r) and bool(h.within(r.started_at, window, convulsive=True))


def _fever_seizure_under_6m(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    young = _months(age.chronological_days) < _t("FEVER_SEIZURE_UNDER_MONTHS")
    return _fever(r) and _seizure_like(r) and young


def _low_temperature(r: EpisodeReport) -> bool:
    return r.temperature_c is not None and r.temperature_c < _t("LOW_TEMP_BELOW_C")


def _low_temp_young(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    young = _months(age.chronological_days) < _t("LOW_TEMP_URGENT_UNDER_MONTHS")
    return _low_temperature(r) and young


def _low_temp_older(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    # The exact complement of the young rule's age test: no age falls between the two.
    young = _months(age.chronological_days) < _t("LOW_TEMP_URGENT_UNDER_MONTHS")
    return _low_temperature(r) and not young


_FACE_PARTS = frozenset({"face", "left_face", "right_face"})


def _face(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return (_rhythmic(r) or _cluster(r)) and bool(r.body_parts & _FACE_PARTS)


def _repeated_rhythmic(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    window = timedelta(hours=_t("REPEATED_RHYTHMIC_HOURS"))
    earlier = h.within(r.started_at, window, rhythmic=True)
    return (_rhythmic(r) or _cluster(r)) and len(earlier) + 1 >= _t("REPEATED_RHYTHMIC_COUNT")


def _after_seizure(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    window = timedelta(days=_t("AFTER_SEIZURE_DAYS"))
    return (_rhythmic(r) or _cluster(r)) and bool(h.within(r.started_at, window, convulsive=True))


def _persistent(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    # Design choice, the safer side: "did not stop" also covers "did not try", since a
    # minute or more of movements nobody could stop must never be called typical.
    return r.duration_seconds >= _t("PERSISTENT_SECONDS") and r.stops_when_held_or_woken != "yes"


@lru_cache(maxsize=256)
def _read(notes: str) -> NotesReading:
    return read_notes(notes)


def notes_reading(r: EpisodeReport) -> NotesReading:
    """The danger words of the notes (every language the word lists hold)."""
    return _read(r.notes) if isinstance(r.notes, str) else NotesReading()


def unticked_note_dangers(r: EpisodeReport) -> NotesReading:
    """What the notes name that the report's answers do not already say."""
    r = _clean(r)
    keep = []
    for match in notes_reading(r).matches:
        if match.key == MINUTES:
            if r.duration_seconds < match.minutes * 60:
                keep.append(match)
        elif match.key not in r.signs:
            keep.append(match)
    return NotesReading(tuple(keep))


def _notes_danger(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return bool(unticked_note_dangers(r).matches)


def _typical(r: EpisodeReport, age: Age, h: RecentHistory) -> bool:
    return True  # chosen by assess() only when no other rule fires


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    explanation: str
    source: str
    applies: Predicate = field(repr=False, compare=False)

    def reason(self) -> Reason:
        return Reason(self.id, self.level, self.explanation, self.source)


_E, _U, _SO, _R = Level.EMERGENCY, Level.URGENT, Level.SOON, Level.ROUTINE
RULES: tuple[Rule, ...] = (
    Rule(
        "EP-CONVULSIVE-5MIN",
        _E,
        gettext_noop(
            "Jerking or stiffening that goes on for 5 minutes or more needs help at once."
        ),
        "ILAE-SE; NHS-HT",
        _convulsive_5min,
    ),
    Rule(
        "EP-BREATHING",
        _E,
        gettext_noop(
            "Trouble breathing or pauses in breathing need help at once."
        ),
        "NHS-HT; KIDSHEALTH",
        _breathing,
    ),
    Rule(
        "EP-COLOUR",
        _E,
        gettext_noop(
            "Turning blue, grey, very pale or blotchy needs help at once."
        ),
        "NHS-HT",
        _colour,
    ),
    Rule(
        "EP-UNRESPONSIVE",
        _E,
        gettext_noop(
            "A baby who does not respond, will not wake or goes floppy needs help at once."
        ),
        "NHS-HT",
        _unresponsive,
    ),
    Rule(
        "EP-NEWBORN-SEIZURE",
        _E,
        gettext_noop(
            "In a baby under 4 weeks old (or, if born early, under 4 weeks past the due "
            "date), an episode that looks like a seizure needs hospital care now."
        ),
        "ACNS; ALFONSO",
        _newborn_seizure,
    ),
    Rule(
        "EP-RHYTHMIC-30S",
        _U,
        gettext_noop(
            "Regular jerking that lasts 30 seconds or more should be seen by a doctor today."
        ),
        "brief (design choice)",
        _rhythmic_30s,
    ),
    Rule(
        "EP-NOT-SUPPRESSIBLE",
        _U,
        gettext_noop(
            "Jerking that carries on when the limb is held or the baby is woken can be a seizure."
        ),
        "GOMELLA",
        _not_suppressible,
    ),
    Rule(
        "EP-EYES",
        _U,
        gettext_noop(
            "Eyes rolling, turning or staring fixed during an episode can be a sign of a seizure."
        ),
        "GOMELLA; brief",
        _eyes,
    ),
    Rule(
        "EP-STIFFENING",
        _U,
        gettext_noop(
            "Going stiff during an episode can be a sign of a seizure."
        ),
        "brief; NHS-HT",
        _stiffening,
    ),
    Rule(
        "EP-SPASM-CLUSTER",
        _U,
        gettext_noop(
            "Series of jerks while awake or waking can be infantile spasms, which need a "
            "doctor the same day."
        ),
        "ISAN",
        _spasm_cluster,
    ),
    Rule(
        "EP-FEVER-UNDER-3M",
        _U,
        gettext_noop(
            "A fever in a baby under 3 months old always needs a doctor today."
        ),
        "NICE-FEVER",
        _fever_under_3m,
    ),
    Rule(
        "EP-FEVER",
        _U,
        gettext_noop(
            "Jerking with a fever should be checked by a doctor today."
        ),
        "brief; AAP-FS; NHS-HT",
        _fever_any_age,
    ),
    Rule(
        "EP-WEAKNESS",
        _U,
        gettext_noop(
            "A weak or limp arm or leg after an episode should be checked today."
        ),
        "brief; NHS-HT",
        _weakness,
    ),
    Rule(
        "EP-LETHARGY",
        _U,
        gettext_noop(
            "A baby who is much sleepier than usual or hard to wake should be seen today."
        ),
        "NICE-FEVER",
        _lethargy,
    ),
    Rule(
        "EP-LOST-SKILLS",
        _U,
        gettext_noop(
            "Losing skills the baby already had needs a doctor's attention today."
        ),
        "ISAN; CDC-LTSAE",
        _lost_skills,
    ),
    Rule(
        "EP-JITTERY-UNWELL",
        _U,
        gettext_noop(
            "Trembling in a young baby who feeds poorly or is very sleepy needs a blood "
            "sugar and salts check today."
        ),
        "ALFONSO",
        _jittery_unwell,
    ),
    Rule(
        "EP-RHYTHMIC-UNTESTED",
        _SO,
        gettext_noop(
            "Short regular jerking could be harmless trembling or not; a video and a try at "
            "holding the limb will tell the doctor more."
        ),
        "GOMELLA",
        _rhythmic_untested,
    ),
    Rule(
        "EP-PAIN", _SO, gettext_noop("Crying as if in pain during episodes is worth a visit."), "brief",
        _pain,
    ),
    Rule(
        "EP-FEEDING",
        _SO,
        gettext_noop(
            "Episodes that get in the way of feeding are worth a visit."
        ),
        "brief",
        _feeding,
    ),
    Rule(
        "EP-SLEEP", _SO, gettext_noop("Episodes that get in the way of sleep are worth a visit."), "brief",
        _sleep,
    ),
    Rule(
        "EP-VOMITING", _SO, gettext_noop("Vomiting with an episode is worth a visit."), "design choice",
        _vomiting,
    ),
    Rule(
        "EP-RISING",
        _SO,
        gettext_noop(
            "Episodes have become much more frequent over the last few days; the doctor should know."
        ),
        "brief (design choice)",
        _rising,
    ),
    Rule(
        "EP-JITTERY-LATE",
        _SO,
        gettext_noop(
            "Trembling usually fades by 2 months (corrected age); the doctor should take a "
            "look if it continues."
        ),
        "GOMELLA",
        _jittery_late,
    ),
    Rule(
        "EP-SLEEP-CLUSTER-LATE",
        _SO,
        gettext_noop(
            "Jerks in sleep usually fade by 6 months (corrected age); the doctor should take "
            "a look if they continue."
        ),
        "ICNA",
        _sleep_cluster_late,
    ),
    # --- Revision 2026-12 (CLINICAL.md 3a), in the order of its table.
    Rule(
        "EP-FIRST-SEIZURE",
        _E,
        gettext_noop(
            "This looks like a first seizure: the first time, a baby needs to be checked "
            "in hospital at once, even if it has stopped."
        ),
        "NHS-HT (secondary); EF-SAP",
        _first_seizure,
    ),
    Rule(
        "EP-SEIZURE-REPEAT",
        _E,
        gettext_noop("A second seizure-like episode within a day needs help at once."),
        "NHS-HT (24 h window: design choice)",
        _seizure_repeat,
    ),
    Rule(
        "EP-FEVER-SEIZURE-UNDER-6M",
        _E,
        gettext_noop("A seizure-like episode with a fever in a baby under 6 months needs help at once."),
        "NHS-HT (secondary)",
        _fever_seizure_under_6m,
    ),
    Rule(
        "EP-LOW-TEMP",
        _U,
        gettext_noop("A temperature below 36 °C in a baby under 3 months needs a doctor today."),
        "NG51 (NICE, sepsis; level: design choice)",
        _low_temp_young,
    ),
    Rule(
        "EP-LOW-TEMP",
        _SO,
        gettext_noop("A temperature below 36 °C is worth a visit; measure it again."),
        "NG51 (NICE, sepsis; level: design choice)",
        _low_temp_older,
    ),
    Rule(
        "EP-FACE",
        _U,
        gettext_noop(
            "Regular jerking of the face cannot be stopped by holding, and can be a "
            "seizure: a doctor should see it today."
        ),
        "GOMELLA; design choice",
        _face,
    ),
    Rule(
        "EP-REPEATED-RHYTHMIC",
        _U,
        gettext_noop(
            "Three or more episodes of regular jerking or series of jerks in a day should be "
            "seen today."
        ),
        "brief; design choice",
        _repeated_rhythmic,
    ),
    Rule(
        "EP-AFTER-SEIZURE",
        _U,
        gettext_noop("After a recent seizure-like episode, the doctor should hear of new jerking today."),
        "design choice",
        _after_seizure,
    ),
    Rule(
        "EP-PERSISTENT",
        _SO,
        gettext_noop(
            "Movements that went on for a minute or more and did not stop when held "
            "are not the usual twitching; the doctor should take a look."
        ),
        "design choice",
        _persistent,
    ),
    Rule(
        "EP-NOTES-DANGER",
        _U,
        # {words} is filled in with what the notes said (see assess).
        gettext_noop(
            "Your notes mention {words}. A doctor should hear of this today; if it "
            "happened, please also answer the matching question."
        ),
        "design choice (the safer side)",
        _notes_danger,
    ),
    # Design choice (the safer side, confidence: design choice): a parent who cannot say
    # whether the baby breathed, kept its colour or responded may have missed an emergency
    # sign; a doctor should hear about it today. Not in CLINICAL.md: it adds cases only.
    Rule(
        "EP-UNSURE-EMERGENCY-SIGN",
        _U,
        gettext_noop(
            "You were not sure about breathing, colour or responding; a doctor should check "
            "your baby today. If you see any of them now, call the emergency number."
        ),
        "design choice (safer side)",
        _unsure_emergency_sign,
    ),
    Rule(
        "EP-TYPICAL",
        _R,
        gettext_noop(
            "Nothing here points to a problem: brief twitches like this are common in healthy babies."
        ),
        "brief; ICNA; BNSM",
        _typical,
    ),
)
RULES_BY_ID: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in RULES})
_TYPICAL = RULES_BY_ID["EP-TYPICAL"]
_NOTES = RULES_BY_ID["EP-NOTES-DANGER"]


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"\u201c{word}\u201d" for word in words)


def assess(
    report: EpisodeReport,
    age: Age,
    history: RecentHistory | None = None,
    *,
    clinic_phone: str = "",
) -> TriageResult:
    """Triage one parent report: the highest fired rule decides, all are listed."""
    clean = _clean(report)
    recent = history if history is not None else RecentHistory.empty()
    fired = [
        rule for rule in RULES if rule is not _TYPICAL and rule.applies(clean, age, recent)
    ] or [_TYPICAL]
    fired.sort(key=lambda rule: -rule.level.rank)  # stable: catalogue order within a level
    level = highest(rule.level for rule in fired)
    noted = unticked_note_dangers(clean) if _NOTES in fired else NotesReading()
    reasons = []
    for rule in fired:
        reason = rule.reason()
        if rule is _NOTES:
            reason = replace(reason, explanation=rule.explanation.format(words=_quoted(noted.words())))
        reasons.append(reason)
    plan = recent.seizure_plan.strip() if recent.known_seizure_disorder else ""
    return TriageResult(
        level=level,
        headline=_HEADLINES[level],
        advice=_advice(level, {rule.id for rule in fired}, clean, clinic_phone, bool(plan)),
        reasons=tuple(reasons),
        notes_matched=tuple(NoteSign(m.key, m.words) for m in noted.matches),
        seizure_plan=plan,
    )


__all__ = [
    "ADVICE_MESSAGES",
    "BODY_PARTS",
    "CLINIC_PHONE_MESSAGE",
    "EMERGENCY_SIGNS",
    "HEADLINES",
    "HELD_CHOICES",
    "PATTERNS",
    "RULES",
    "RULES_BY_ID",
    "RULE_SET_VERSION",
    "SIGNS",
    "SIGN_QUESTIONS",
    "STATES",
    "THRESHOLDS",
    "EarlierEpisode",
    "EpisodeReport",
    "NoteSign",
    "RecentHistory",
    "Rule",
    "Threshold",
    "TriageResult",
    "assess",
    "is_convulsive",
    "is_rhythmic_or_cluster",
    "level_meaning",
    "notes_reading",
    "unticked_note_dangers",
]
