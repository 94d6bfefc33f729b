"""Age norms as data: primitive reflexes, HINE, CDC/AAP milestones, screening schedule.

Pure Python, no ORM (DESIGN.md "The core is pure"). Every threshold here is a
value with the source key it rests on (CLINICAL.md "Sources") and a
``Confidence``, so a clinician can review or change it without reading the
rules in ``evaluations/findings.py``. Ages are *norm* ages: corrected for a
baby born preterm until the correction limit, chronological otherwise
(``clinic.ages.Age.norm_months``) [AAP-CA, RCPCH].

Low confidence: values CLINICAL.md calls "low confidence" carry
``Confidence.LOW``; their ``low_confidence`` property reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, TypeVar

from clinic.ages import DAYS_PER_MONTH, Age
from clinic.levels import Confidence, Threshold

SECONDARY = Confidence.SECONDARY
VERIFIED = Confidence.VERIFIED
DESIGN = Confidence.DESIGN_CHOICE
LOW = Confidence.LOW


class _AtAge(Protocol):
    @property
    def at_months(self) -> float: ...


_Row = TypeVar("_Row", bound=_AtAge)


def latest_at_or_below(rows: Sequence[_Row], months: float) -> _Row | None:
    """The row listed for the latest age at or below ``months`` (rows sorted by age).

    Design choice (CLINICAL.md does not say how to read between the listed
    ages): a norm applies from its listed age until the next listed age, i.e.
    between listed ages the nearest *lower* listed age is used.
    """
    found: _Row | None = None
    for row in rows:
        if row.at_months <= months:
            found = row
    return found


# --------------------------------------------------------------------------
# Primitive reflexes (CLINICAL.md section 4). Ages in corrected months.
# --------------------------------------------------------------------------

SIDE_VALUES = ("present", "weak", "absent", "not_tested")


@dataclass(frozen=True)
class ReflexNorm:
    """One primitive reflex: how to elicit it and the age bounds the rules use."""

    code: str
    short: str  # the part of the rule id: RX-<short>-ABSENT
    label: str
    elicited_by: str
    normal_response: str
    # What each rule kind suggests, in plain words ("" = nothing specific).
    absent_means: str
    asymmetric_means: str
    persists_means: str
    expected_from_months: float  # present from this age (0 = from birth)
    # Absence is judged while the norm age is below this; None = absence is
    # not judged (normal variation, or no source says absence matters).
    absent_judged_until_months: float | None
    flag_after_months: float | None  # persisting beyond this is flagged; None = never
    source: str
    confidence: Confidence
    # Plantar grasp: absent *or weak* in this window is a strong CP predictor.
    weak_or_absent_window: tuple[float, float] | None = None
    # ATNR: an obligatory (cannot break out of it) response is abnormal at any age.
    obligatory_abnormal: bool = False

    @property
    def low_confidence(self) -> bool:
        return self.confidence is Confidence.LOW

    @property
    def meaning(self) -> str:
        parts = (self.absent_means, self.asymmetric_means, self.persists_means)
        return " ".join(p for p in parts if p)


REFLEXES: Mapping[str, ReflexNorm] = MappingProxyType(
    {
        "moro": ReflexNorm(
            code="moro",
            short="MORO",
            label="Moro reflex",
            elicited_by="Let the head drop back a little with the body supported.",
            normal_response="Arms spread with hands open, then come back in.",
            absent_means="Absent in early months: depressed nervous system, injury or weakness.",
            asymmetric_means="One side weaker: brachial plexus injury or a broken collarbone.",
            persists_means="It usually fades by 3-6 months.",
            expected_from_months=0,
            absent_judged_until_months=3,  # usually gone by 3-6 months
            flag_after_months=6,
            source="STATPEARLS-MORO, FUTAGI-2012",
            confidence=SECONDARY,
        ),
        "palmar_grasp": ReflexNorm(
            code="palmar_grasp",
            short="PALMAR",
            label="Palmar grasp",
            elicited_by="Press a finger into the palm.",
            normal_response="The fingers close around it.",
            absent_means="Absent early: nerve or brain injury, or weakness (design choice).",
            asymmetric_means="A one-sided grasp is abnormal (arm nerve or one-sided brain lesion).",
            persists_means="Persisting goes with spastic cerebral palsy.",
            expected_from_months=0,
            absent_judged_until_months=4,  # usually gone by 4-6 months
            flag_after_months=6,
            source="FUTAGI-2012",
            confidence=SECONDARY,
        ),
        "plantar_grasp": ReflexNorm(
            code="plantar_grasp",
            short="PLANTAR",
            label="Plantar grasp",
            elicited_by="Press a thumb just below the toes.",
            normal_response="The toes curl down.",
            absent_means="Absent or weak from 3 months predicts spastic cerebral palsy.",
            asymmetric_means="A one-sided difference is abnormal.",
            persists_means="It normally fades once the child walks (9-15 months).",
            expected_from_months=0,
            absent_judged_until_months=9,  # usually gone by 9-15 months
            flag_after_months=15,
            source="FUTAGI-1999, ZAFEIRIOU-2000",
            confidence=SECONDARY,
            weak_or_absent_window=(3, 6),
        ),
        "babinski": ReflexNorm(
            code="babinski",
            short="BABINSKI",
            label="Babinski (extensor plantar) response",
            elicited_by="Stroke the outer edge of the sole from heel to toes.",
            normal_response="In infants the big toe goes up and the toes fan out.",
            absent_means="",
            asymmetric_means="A clear left/right difference is abnormal at any age.",
            persists_means="Still present after 2 years: upper motor neuron lesion.",
            expected_from_months=0,
            absent_judged_until_months=None,  # a flexor response is common in infants
            flag_after_months=24,
            source="MEDLINEPLUS",
            confidence=SECONDARY,
        ),
        "rooting": ReflexNorm(
            code="rooting",
            short="ROOTING",
            label="Rooting reflex",
            elicited_by="Stroke the cheek or the corner of the mouth.",
            normal_response="Turns toward the touch and opens the mouth.",
            absent_means="Weak or absent in a depressed newborn (or one who has just fed).",
            asymmetric_means="A one-sided difference can come from facial nerve weakness.",
            persists_means="It usually fades by 3-4 months.",
            expected_from_months=0,
            absent_judged_until_months=3,  # usually gone by 3-4 months
            flag_after_months=6,
            source="ZAFEIRIOU-2004; design choice (CLINICAL.md section 4 ranges)",
            confidence=DESIGN,
        ),
        "atnr": ReflexNorm(
            code="atnr",
            short="ATNR",
            label="Asymmetric tonic neck reflex",
            elicited_by="Turn the head to one side with the baby lying on the back.",
            normal_response="Fencer posture: arm straightens on the face side, bends on the other.",
            absent_means="",
            asymmetric_means="A one-sided response can mean a lesion on one side.",
            persists_means="Persisting or obligatory: upper motor neuron disorder.",
            expected_from_months=0,
            absent_judged_until_months=None,  # often inconsistent in newborns
            flag_after_months=6,
            source="UTAH",
            confidence=SECONDARY,
            obligatory_abnormal=True,
        ),
        "stepping": ReflexNorm(
            code="stepping",
            short="STEPPING",
            label="Stepping reflex",
            elicited_by="Hold upright with the soles touching a surface.",
            normal_response="Makes stepping movements.",
            absent_means="",
            asymmetric_means="One-sided: a lesion on one side.",
            persists_means="",
            expected_from_months=0,
            absent_judged_until_months=None,  # fades by ~2 months; absence not judged
            flag_after_months=None,
            source="ZAFEIRIOU-2004; design choice (CLINICAL.md section 4 ranges)",
            confidence=DESIGN,
        ),
        "galant": ReflexNorm(
            code="galant",
            short="GALANT",
            label="Galant (trunk incurvation) reflex",
            elicited_by="Stroke the back beside the spine, baby held face down.",
            normal_response="The trunk curves toward the stroked side.",
            absent_means="",
            asymmetric_means="A one-sided difference is abnormal.",
            persists_means="Persisting goes with dyskinetic cerebral palsy (low confidence).",
            expected_from_months=0,
            absent_judged_until_months=None,
            flag_after_months=6,
            source="ZAFEIRIOU-2004; design choice (CLINICAL.md section 4 ranges)",
            confidence=LOW,
        ),
    }
)

# "Ranges vary 1-3 months between textbooks" (CLINICAL.md section 4): a reflex
# persisting up to this many months past its bound is "slightly late" (weak
# evidence on its own [ZAFEIRIOU-2004]); beyond it, the rule raises its level.
PERSIST_SLIGHTLY_LATE_MONTHS = 3.0


# --------------------------------------------------------------------------
# HINE (CLINICAL.md section 5). Hints are our own words, not the proforma's.
# --------------------------------------------------------------------------

HINE_ITEM_MAX = 3
HINE_TOTAL_MAX = 78
HINE_SOURCE = "HAATAJA, MACKEITH"


@dataclass(frozen=True)
class HineSection:
    code: str
    label: str
    short: str  # the part of the rule id: HINE-LOW-<short>


@dataclass(frozen=True)
class HineItemNorm:
    code: str
    section: str
    label: str
    hint: str
    max_score: int = HINE_ITEM_MAX


HINE_SECTIONS: Mapping[str, HineSection] = MappingProxyType(
    {
        "cranial_nerves": HineSection("cranial_nerves", "Cranial nerve function", "CRANIAL"),
        "posture": HineSection("posture", "Posture", "POSTURE"),
        "movements": HineSection("movements", "Movements", "MOVEMENTS"),
        "tone": HineSection("tone", "Tone", "TONE"),
        "reflexes_reactions": HineSection("reflexes_reactions", "Reflexes and reactions", "REFLEXES"),
    }
)

_HINE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # (code, section, label, our own short hint)
    (
        "facial_appearance",
        "cranial_nerves",
        "Facial appearance",
        "How symmetric and mobile is the face at rest and when crying?",
    ),
    (
        "eye_appearance",
        "cranial_nerves",
        "Eye appearance and movements",
        "Are the eyes aligned and moving fully together, without odd movements?",
    ),
    (
        "auditory_response",
        "cranial_nerves",
        "Auditory response",
        "Does the baby react or turn to a sound made out of sight, on each side?",
    ),
    (
        "visual_response",
        "cranial_nerves",
        "Visual response",
        "Does the baby fix on a face or target and follow it across?",
    ),
    (
        "sucking_swallowing",
        "cranial_nerves",
        "Sucking and swallowing",
        "Is sucking strong and swallowing smooth at breast or bottle?",
    ),
    ("head", "posture", "Head", "Is the head held upright and in the midline when sitting?"),
    (
        "trunk",
        "posture",
        "Trunk",
        "Is the back straight when sitting, not rounded, arched or leaning?",
    ),
    ("arms", "posture", "Arms", "Do the arms rest loosely and alike on both sides, free to move?"),
    ("hands", "posture", "Hands", "Are the hands mostly open, with thumbs out of the palm?"),
    (
        "legs",
        "posture",
        "Legs",
        "Do the legs rest relaxed and alike, not stiffly straight or crossed?",
    ),
    ("feet", "posture", "Feet", "Do the feet sit in a neutral position with relaxed toes?"),
    (
        "movement_quantity",
        "movements",
        "Quantity of movement",
        "How much does the baby move on their own when awake on the back?",
    ),
    (
        "movement_quality",
        "movements",
        "Quality of movement",
        "Are the movements smooth and varied, not cramped, jerky or trembling?",
    ),
    (
        "scarf_sign",
        "tone",
        "Scarf sign",
        "How far does an arm drawn across the chest go before it resists?",
    ),
    (
        "passive_shoulder_elevation",
        "tone",
        "Passive shoulder elevation",
        "How much resistance when an arm is lifted up beside the head?",
    ),
    (
        "pronation_supination",
        "tone",
        "Pronation and supination",
        "How easily does the forearm turn palm up and palm down?",
    ),
    (
        "hip_adductors",
        "tone",
        "Hip adductors",
        "How wide do the legs open at the hips with the knees straight?",
    ),
    (
        "popliteal_angle",
        "tone",
        "Popliteal angle",
        "How far does the knee straighten with the hip bent?",
    ),
    (
        "ankle_dorsiflexion",
        "tone",
        "Ankle dorsiflexion",
        "How far does the foot bend up toward the shin with the knee straight?",
    ),
    (
        "pull_to_sit",
        "tone",
        "Pull to sit",
        "How well do the head and arms take part when pulled up to sitting?",
    ),
    (
        "ventral_suspension",
        "tone",
        "Ventral suspension",
        "How are head, back and limbs held when the baby is lifted face down?",
    ),
    (
        "tendon_reflexes",
        "reflexes_reactions",
        "Tendon reflexes",
        "Are knee, arm and ankle jerks easy to get, neither brisk nor missing?",
    ),
    (
        "arm_protection",
        "reflexes_reactions",
        "Arm protection",
        "Does the arm react protectively when the baby is drawn to one side?",
    ),
    (
        "vertical_suspension",
        "reflexes_reactions",
        "Vertical suspension",
        "How do the legs move and hold when held upright under the arms?",
    ),
    (
        "lateral_tilting",
        "reflexes_reactions",
        "Lateral tilting",
        "Do head, trunk and limbs right themselves when tilted sideways?",
    ),
    (
        "forward_parachute",
        "reflexes_reactions",
        "Forward parachute",
        "Do the arms reach out to catch when tipped forward (from about 6 months)?",
    ),
)

HINE_ITEMS: Mapping[str, HineItemNorm] = MappingProxyType(
    {code: HineItemNorm(code, section, label, hint) for code, section, label, hint in _HINE_ROWS}
)


def hine_section_max(section: str) -> int:
    return sum(item.max_score for item in HINE_ITEMS.values() if item.section == section)


@dataclass(frozen=True)
class HineAgeRange:
    """Corrected ages at which the HINE and its cut-offs apply at all."""

    from_months: float
    to_months: float  # inclusive
    source: str
    confidence: Confidence

    def applies(self, months: float) -> bool:
        return self.from_months <= months <= self.to_months


HINE_AGE_RANGE = HineAgeRange(2, 24, HINE_SOURCE, VERIFIED)


@dataclass(frozen=True)
class HineCutoff:
    """A total *below* ``below`` fires, from ``at_months`` until the next listed age."""

    at_months: float
    below: float
    source: str
    confidence: Confidence

    @property
    def low_confidence(self) -> bool:
        return self.confidence is Confidence.LOW


# High risk of CP [NOVAK] (secondary). The 12-month value keeps applying up to
# 24 months (nearest lower listed age; design choice). Before 3 months no
# published cut-off: not judged (a 3-month value would flag healthy infants,
# whose totals still rise; see HINE_CENTILE_10).
HINE_CP_RISK: tuple[HineCutoff, ...] = (
    HineCutoff(3, 57, "NOVAK", SECONDARY),
    HineCutoff(6, 73, "NOVAK", SECONDARY),
    HineCutoff(9, 73, "NOVAK", SECONDARY),
    HineCutoff(12, 73, "NOVAK", SECONDARY),
)

# Optimal scores: below them is "sub-optimal", common in healthy young infants
# (monitor, do not diagnose). Low confidence per CLINICAL.md section 5.
HINE_OPTIMAL: tuple[HineCutoff, ...] = (
    HineCutoff(3, 67, HINE_SOURCE, LOW),
    HineCutoff(6, 70, HINE_SOURCE, LOW),
    HineCutoff(9, 73, HINE_SOURCE, LOW),
    HineCutoff(12, 73, HINE_SOURCE, LOW),
)


@dataclass(frozen=True)
class HineCentile:
    """10th centile of healthy term infants at ``weeks`` corrected age [JPEDS-2022]."""

    weeks: int
    value: float
    source: str = "JPEDS-2022"
    confidence: Confidence = SECONDARY

    @property
    def at_months(self) -> float:
        return self.weeks * 7 / DAYS_PER_MONTH


HINE_CENTILE_10: tuple[HineCentile, ...] = (
    HineCentile(12, 52.1),
    HineCentile(16, 55.6),
    HineCentile(20, 59.0),
    HineCentile(24, 61.8),
    HineCentile(28, 63.8),
)
# The reference study covers 3-7 months: the last value is used for 4 more
# weeks (the table's step), then no centile applies (design choice).
HINE_CENTILE_UNTIL_WEEKS = 32


@dataclass(frozen=True)
class HineHemiplegic:
    """Total below ``total_below`` with more than ``asymmetries_above`` asymmetries [HAY]."""

    total_below: int
    asymmetries_above: int
    source: str
    confidence: Confidence


HINE_HEMIPLEGIC = HineHemiplegic(total_below=63, asymmetries_above=5, source="HAY", confidence=VERIFIED)


def hine_applies(age: Age) -> bool:
    return not age.before_term and HINE_AGE_RANGE.applies(age.norm_months)


def cp_risk_cutoff(age: Age) -> HineCutoff | None:
    return latest_at_or_below(HINE_CP_RISK, age.norm_months) if hine_applies(age) else None


def optimal_cutoff(age: Age) -> HineCutoff | None:
    return latest_at_or_below(HINE_OPTIMAL, age.norm_months) if hine_applies(age) else None


def centile_10(age: Age) -> HineCentile | None:
    if not hine_applies(age) or age.norm_days >= HINE_CENTILE_UNTIL_WEEKS * 7:
        return None
    return latest_at_or_below(HINE_CENTILE_10, age.norm_months)


# --------------------------------------------------------------------------
# Milestones: CDC/AAP 2022 "Learn the Signs. Act Early." (CLINICAL.md section 6)
# --------------------------------------------------------------------------

MILESTONE_SOURCE = "CDC-LTSAE, ZUBLER"
MILESTONE_ANSWERS = ("yes", "not_yet", "unsure")

# domain -> (short used in codes, label, part of the rule id MS-NOT-YET-<rule>)
DOMAINS: Mapping[str, tuple[str, str, str]] = MappingProxyType(
    {
        "social_emotional": ("social", "Social / emotional", "SOCIAL"),
        "language_communication": ("lang", "Language / communication", "LANGUAGE"),
        "cognitive": ("cog", "Cognitive (learning, thinking, problem-solving)", "COGNITIVE"),
        "movement_physical": ("move", "Movement / physical development", "MOVEMENT"),
    }
)
_DOMAIN_BY_SHORT = {short: domain for domain, (short, _label, _rule) in DOMAINS.items()}


@dataclass(frozen=True)
class Milestone:
    """What at least 75% of children do by ``age_months`` (a miss means screen, not delay)."""

    code: str
    domain: str
    text: str
    age_months: int

    def as_dict(self) -> dict[str, str | int]:
        return {
            "code": self.code,
            "domain": self.domain,
            "text": self.text,
            "age_months": self.age_months,
        }


@dataclass(frozen=True)
class Checklist:
    age_months: int
    items: tuple[Milestone, ...]
    source: str = MILESTONE_SOURCE
    confidence: Confidence = VERIFIED

    @property
    def at_months(self) -> float:
        return float(self.age_months)


# (age, code slug after "m<age>-", plain text in our own words)
_MILESTONE_ROWS: tuple[tuple[int, str, str], ...] = (
    (2, "social-calms", "Calms down when spoken to or picked up"),
    (2, "social-looks-at-faces", "Looks at your face"),
    (2, "social-happy-to-see-you", "Seems happy to see you when you come over"),
    (2, "social-smiles-when-talked-to", "Smiles when you talk or smile at them"),
    (2, "lang-makes-sounds", "Makes sounds other than crying"),
    (2, "lang-reacts-loud-sounds", "Reacts to loud sounds"),
    (2, "cog-watches-you-move", "Watches you as you move"),
    (2, "cog-looks-at-toy", "Looks at a toy for a few seconds"),
    (2, "move-head-up-tummy", "Holds head up when on the tummy"),
    (2, "move-arms-and-legs", "Moves both arms and both legs"),
    (2, "move-opens-hands", "Opens hands briefly"),
    (4, "social-smiles-for-attention", "Smiles on their own to get your attention"),
    (4, "social-chuckles", "Chuckles when you try to make them laugh"),
    (4, "social-gets-attention", "Moves or makes sounds to get your attention"),
    (4, "lang-coos", "Makes cooing sounds"),
    (4, "lang-sounds-back", "Makes sounds back when you talk to them"),
    (4, "lang-turns-to-voice", "Turns head toward the sound of your voice"),
    (4, "cog-opens-mouth-when-hungry", "Opens mouth at breast or bottle when hungry"),
    (4, "cog-looks-at-hands", "Looks at own hands with interest"),
    (4, "move-head-steady", "Holds head steady without support when held"),
    (4, "move-holds-toy", "Holds a toy put in the hand"),
    (4, "move-swings-at-toys", "Swings an arm at toys"),
    (4, "move-hands-to-mouth", "Brings hands to mouth"),
    (4, "move-pushes-up-elbows", "Pushes up onto elbows or forearms on the tummy"),
    (6, "social-knows-familiar-people", "Knows familiar people"),
    (6, "social-likes-mirror", "Likes to look at themselves in a mirror"),
    (6, "social-laughs", "Laughs"),
    (6, "lang-takes-turns-sounds", "Takes turns making sounds with you"),
    (6, "lang-blows-raspberries", "Blows raspberries"),
    (6, "lang-squeals", "Makes squealing noises"),
    (6, "cog-mouths-things", "Puts things in the mouth to explore them"),
    (6, "cog-reaches-for-toy", "Reaches to grab a wanted toy"),
    (6, "cog-closes-lips-refuses-food", "Closes lips to show they do not want more food"),
    (6, "move-rolls-tummy-to-back", "Rolls from tummy to back"),
    (6, "move-pushes-up-straight-arms", "Pushes up with straight arms on the tummy"),
    (6, "move-leans-on-hands-sitting", "Leans on hands to support themselves when sitting"),
    (9, "social-wary-of-strangers", "Is shy, clingy or fearful around strangers"),
    (9, "social-facial-expressions", "Shows several facial expressions (happy, sad, surprised)"),
    (9, "social-looks-when-named", "Looks when you call their name"),
    (9, "social-reacts-when-you-leave", "Reacts when you leave (looks, reaches or cries)"),
    (9, "social-laughs-peekaboo", "Smiles or laughs at peek-a-boo"),
    (9, "lang-babbles", 'Babbles repeated sounds like "mamama" or "bababa"'),
    (9, "lang-lifts-arms", "Lifts arms up to be picked up"),
    (9, "cog-looks-for-dropped", "Looks for objects dropped out of sight"),
    (9, "cog-bangs-things", "Bangs two things together"),
    (9, "move-gets-to-sitting", "Gets into a sitting position alone"),
    (9, "move-hand-to-hand", "Moves things from one hand to the other"),
    (9, "move-rakes-food", "Uses fingers to rake food toward themselves"),
    (9, "move-sits-unsupported", "Sits without support"),
    (12, "social-pat-a-cake", "Plays games with you, like pat-a-cake"),
    (12, "lang-waves-bye", "Waves bye-bye"),
    (12, "lang-names-parent", 'Calls a parent "mama", "dada" or another special name'),
    (12, "lang-understands-no", 'Understands "no" (pauses or stops)'),
    (12, "cog-puts-in-container", "Puts something into a container"),
    (12, "cog-looks-for-hidden", "Looks for things they see you hide"),
    (12, "move-pulls-to-stand", "Pulls up to stand"),
    (12, "move-cruises", "Walks holding on to furniture"),
    (12, "move-drinks-held-cup", "Drinks from a cup without a lid that you hold"),
    (12, "move-pincer-grasp", "Picks things up between thumb and pointer finger"),
    (15, "social-copies-children", "Copies other children while playing"),
    (15, "social-shows-object", "Shows you an object they like"),
    (15, "social-claps", "Claps when excited"),
    (15, "social-hugs-toy", "Hugs a stuffed doll or other toy"),
    (15, "social-shows-affection", "Shows you affection (hugs, cuddles or kisses)"),
    (15, "lang-one-two-words", 'Says one or two words besides "mama" or "dada"'),
    (15, "lang-looks-at-named", "Looks at a familiar object when you name it"),
    (15, "lang-follows-gestured-directions", "Follows directions given with a gesture and words"),
    (15, "lang-points-to-ask", "Points to ask for something or to get help"),
    (15, "cog-uses-things-correctly", "Tries to use things the right way (phone, cup, book)"),
    (15, "cog-stacks-two", "Stacks at least two small objects"),
    (15, "move-steps-alone", "Takes a few steps on their own"),
    (15, "move-finger-feeds", "Uses fingers to feed themselves some food"),
    (18, "social-checks-on-you", "Moves away from you but looks to make sure you are close"),
    (18, "social-points-to-show", "Points to show you something interesting"),
    (18, "social-hands-to-wash", "Puts hands out for you to wash them"),
    (18, "social-looks-at-book", "Looks at a few pages in a book with you"),
    (18, "social-helps-dressing", "Helps you dress them by pushing an arm through a sleeve"),
    (18, "lang-three-words", 'Tries to say three or more words besides "mama" or "dada"'),
    (18, "lang-follows-one-step", "Follows one-step directions without a gesture"),
    (18, "cog-copies-chores", "Copies you doing chores, like sweeping"),
    (18, "cog-plays-simply", "Plays with toys in a simple way, like pushing a toy car"),
    (18, "move-walks-alone", "Walks without holding on"),
    (18, "move-scribbles", "Scribbles"),
    (18, "move-drinks-open-cup", "Drinks from a cup without a lid, may spill sometimes"),
    (18, "move-finger-feeds", "Feeds themselves with their fingers"),
    (18, "move-tries-spoon", "Tries to use a spoon"),
    (18, "move-climbs-chair", "Climbs on and off a couch or chair without help"),
    (24, "social-notices-others-upset", "Notices when others are hurt or upset"),
    (24, "social-checks-your-face", "Looks at your face to see how to react in a new situation"),
    (24, "lang-points-in-book", "Points to things in a book when you ask"),
    (24, "lang-two-word-phrases", 'Says at least two words together, like "more milk"'),
    (24, "lang-points-body-parts", "Points to at least two body parts when asked"),
    (24, "lang-more-gestures", "Uses more gestures than waving and pointing"),
    (24, "cog-holds-and-uses-other-hand", "Holds something in one hand while using the other"),
    (24, "cog-tries-switches", "Tries to use switches, knobs or buttons on a toy"),
    (24, "cog-plays-several-toys", "Plays with more than one toy at the same time"),
    (24, "move-kicks-ball", "Kicks a ball"),
    (24, "move-runs", "Runs"),
    (24, "move-walks-up-stairs", "Walks (not climbs) up a few stairs, with or without help"),
    (24, "move-eats-with-spoon", "Eats with a spoon"),
)


def _build_milestones() -> dict[str, Milestone]:
    built: dict[str, Milestone] = {}
    for months, slug, text in _MILESTONE_ROWS:
        code = f"m{months}-{slug}"
        domain = _DOMAIN_BY_SHORT[slug.split("-", 1)[0]]
        if code in built:
            raise ValueError(f"duplicate milestone code {code}")
        built[code] = Milestone(code, domain, text, months)
    return built


MILESTONES: Mapping[str, Milestone] = MappingProxyType(_build_milestones())

CHECKLIST_AGES: tuple[int, ...] = (2, 4, 6, 9, 12, 15, 18, 24)
CHECKLISTS: tuple[Checklist, ...] = tuple(
    Checklist(months, tuple(m for m in MILESTONES.values() if m.age_months == months))
    for months in CHECKLIST_AGES
)
# The 30-month (and later) CDC checklists are not stored yet: from this norm
# age on, checklist_for() answers None rather than show the 24-month list as
# the child's age band (design choice).
CHECKLISTS_STORED_UNTIL_MONTHS = 30

# A miss on these raises a hearing question [CDC-LTSAE].
HEARING_MILESTONES: frozenset[str] = frozenset({"m2-lang-reacts-loud-sounds", "m4-lang-turns-to-voice"})


def milestone(code: str) -> Milestone:
    """The milestone with ``code``; KeyError for an unknown code."""
    return MILESTONES[code]


def no_checklist_reason(age: Age) -> str | None:
    """Why ``checklist_for(age)`` is None, in plain words; None when there is a checklist."""
    if age.before_term:
        return "Before term-equivalent age the milestone checklists do not apply."
    if age.norm_months < CHECKLIST_AGES[0]:
        basis = "corrected " if age.uses == "corrected" else ""
        return f"The first checklist is at 2 months {basis}age; before it there is no milestone checklist."
    if age.norm_months >= CHECKLISTS_STORED_UNTIL_MONTHS:
        return "Checklists from 30 months on are not stored in the app yet."
    return None


def checklist_for(age: Age) -> Checklist | None:
    """The latest checklist at or below the child's norm age (corrected when it applies).

    None before term-equivalent age, before 2 months and from 30 months on;
    ``no_checklist_reason`` says why.
    """
    if no_checklist_reason(age) is not None:
        return None
    return latest_at_or_below(CHECKLISTS, age.norm_months)


def milestones_due(age: Age, codes: Iterable[str]) -> list[Milestone]:
    """The known milestones among ``codes`` whose age the child has reached."""
    if age.before_term:
        return []
    return [
        MILESTONES[code]
        for code in codes
        if code in MILESTONES and MILESTONES[code].age_months <= age.norm_months
    ]


# --------------------------------------------------------------------------
# Screening schedule [CDC-LTSAE, ZUBLER]
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduledScreening:
    kind: str  # "developmental" | "autism"
    at_months: int
    rule: str  # reason id the suggestion carries
    source: str = "CDC-LTSAE, ZUBLER"
    confidence: Confidence = VERIFIED


SCREENING_SCHEDULE: tuple[ScheduledScreening, ...] = (
    ScheduledScreening("developmental", 9, "SCHED-DEV-9"),
    ScheduledScreening("developmental", 18, "SCHED-DEV-18"),
    ScheduledScreening("developmental", 30, "SCHED-DEV-30"),
    ScheduledScreening("autism", 18, "SCHED-AUTISM-18"),
    ScheduledScreening("autism", 24, "SCHED-AUTISM-24"),
)
# A screen is "due" from its age until this many months later, so a child seen
# at 10 months still gets the 9-month screen (design choice; the next well
# visits are 3 months apart).
SCREENING_WINDOW_MONTHS = 3


# The single values above as data with source and confidence, for
# docs/clinical-rules.md (tests fail when a value here has no entry).
THRESHOLDS: Mapping[str, Threshold] = MappingProxyType(
    {
        "PERSIST_SLIGHTLY_LATE_MONTHS": Threshold(
            PERSIST_SLIGHTLY_LATE_MONTHS,
            "months past a reflex's bound still count as slightly late (routine alone)",
            "ZAFEIRIOU-2004; design choice",
            DESIGN,
        ),
        "HINE_ITEM_MAX": Threshold(HINE_ITEM_MAX, "points per HINE item (3 optimal)", HINE_SOURCE, VERIFIED),
        "HINE_TOTAL_MAX": Threshold(HINE_TOTAL_MAX, "points, HINE total of 26 items", HINE_SOURCE, VERIFIED),
        "HINE_CENTILE_UNTIL_WEEKS": Threshold(
            HINE_CENTILE_UNTIL_WEEKS,
            "weeks corrected: no 10th centile is judged from here on",
            "JPEDS-2022; design choice",
            DESIGN,
        ),
        "CHECKLISTS_STORED_UNTIL_MONTHS": Threshold(
            CHECKLISTS_STORED_UNTIL_MONTHS,
            "months: from here on no milestone checklist is stored",
            "CDC-LTSAE; design choice",
            DESIGN,
        ),
        "SCREENING_WINDOW_MONTHS": Threshold(
            SCREENING_WINDOW_MONTHS,
            "months after its age a scheduled screening is still due",
            "design choice",
            DESIGN,
        ),
    }
)


def screenings_due(age: Age) -> tuple[ScheduledScreening, ...]:
    if age.before_term:
        return ()
    months = age.norm_months
    window = SCREENING_WINDOW_MONTHS
    return tuple(s for s in SCREENING_SCHEDULE if s.at_months <= months < s.at_months + window)
