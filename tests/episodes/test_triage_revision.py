"""The rules of CLINICAL.md 3a (revision 2026-12), each at its boundaries, then whole cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from clinic.ages import DAYS_PER_MONTH, Age, age_on
from clinic.levels import Confidence, Level
from episodes.triage import (
    RULES,
    THRESHOLDS,
    EarlierEpisode,
    EpisodeReport,
    RecentHistory,
    assess,
    is_convulsive,
)

ON = date(2026, 12, 1)
AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
R, S, U, E = Level.ROUTINE, Level.SOON, Level.URGENT, Level.EMERGENCY
NEW_RULES = (
    "EP-FIRST-SEIZURE", "EP-SEIZURE-REPEAT", "EP-FEVER-SEIZURE-UNDER-6M", "EP-LOW-TEMP",
    "EP-FACE", "EP-REPEATED-RHYTHMIC", "EP-AFTER-SEIZURE", "EP-PERSISTENT", "EP-NOTES-DANGER",
)
# A history that says an earlier convulsive episode is on record (long ago), so
# EP-FIRST-SEIZURE stays out and each other rule can be seen on its own.
SEEN = RecentHistory(convulsive_on_record=True)


def quiet(**changes: object) -> EpisodeReport:
    base = EpisodeReport(
        started_at=AT, duration_seconds=2, body_parts=frozenset({"left_foot"}), state="asleep",
        pattern="isolated", stops_when_held_or_woken="not_tried", signs=frozenset(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def convulsive(**changes: object) -> EpisodeReport:
    """20 s of rhythmic jerking, awake, that did not stop when held."""
    base: dict[str, object] = {"state": "awake", "pattern": "rhythmic",
                               "stops_when_held_or_woken": "no", "duration_seconds": 20}
    return quiet(**{**base, **changes})


def age(days: int, weeks: int = 40) -> Age:
    return age_on(date_of_birth=ON - timedelta(days=days), on=ON, gestational_weeks=weeks)


NINE_MONTHS = age(270)


def fired(report: EpisodeReport, at: Age = NINE_MONTHS, history: RecentHistory | None = None,
          **kw: object) -> set[str]:
    return {r.rule for r in assess(report, at, history, **kw).reasons}  # type: ignore[arg-type]


def earlier(hours_ago: float, *, convulsive: bool = True, rhythmic: bool = True) -> EarlierEpisode:
    return EarlierEpisode(AT - timedelta(hours=hours_ago), convulsive, rhythmic)


def history(*episodes: EarlierEpisode, plan: str = "", on_record: bool = False) -> RecentHistory:
    return RecentHistory({}, tuple(episodes), convulsive_on_record=on_record, seizure_plan=plan)


# --- The catalogue data.


def test_every_new_rule_is_in_the_catalogue_with_level_and_source() -> None:
    by_id: dict[str, list[Level]] = {}
    for rule in RULES:
        by_id.setdefault(rule.id, []).append(rule.level)
        assert rule.source.strip() and rule.explanation.strip()
    expected = {
        "EP-FIRST-SEIZURE": [E], "EP-SEIZURE-REPEAT": [E], "EP-FEVER-SEIZURE-UNDER-6M": [E],
        "EP-LOW-TEMP": [U, S], "EP-FACE": [U], "EP-REPEATED-RHYTHMIC": [U],
        "EP-AFTER-SEIZURE": [U], "EP-PERSISTENT": [S], "EP-NOTES-DANGER": [U],
    }
    assert {rule: by_id[rule] for rule in NEW_RULES} == expected
    assert RULES[-1].id == "EP-TYPICAL"


def test_new_thresholds_are_data() -> None:
    expect = {
        "SEIZURE_REPEAT_HOURS": (24, Confidence.DESIGN_CHOICE),
        "FEVER_SEIZURE_UNDER_MONTHS": (6, Confidence.SECONDARY),
        "LOW_TEMP_BELOW_C": (Decimal("36.0"), Confidence.SECONDARY),
        "LOW_TEMP_URGENT_UNDER_MONTHS": (3, Confidence.DESIGN_CHOICE),
        "REPEATED_RHYTHMIC_COUNT": (3, Confidence.DESIGN_CHOICE),
        "REPEATED_RHYTHMIC_HOURS": (24, Confidence.DESIGN_CHOICE),
        "AFTER_SEIZURE_DAYS": (7, Confidence.DESIGN_CHOICE),
        "PERSISTENT_SECONDS": (60, Confidence.DESIGN_CHOICE),
    }
    for name, (value, confidence) in expect.items():
        assert (THRESHOLDS[name].value, THRESHOLDS[name].confidence) == (value, confidence)


# --- "Convulsive" (narrower than seizure-like).


@pytest.mark.parametrize(("changes", "expected"), [
    ({"pattern": "rhythmic", "stops_when_held_or_woken": "no"}, True),
    ({"pattern": "cluster", "stops_when_held_or_woken": "no"}, True),
    ({"pattern": "rhythmic", "stops_when_held_or_woken": "yes", "signs": frozenset({"stiffening"})}, True),
    ({"pattern": "cluster", "stops_when_held_or_woken": "yes", "signs": frozenset({"unresponsive"})}, True),
    ({"pattern": "rhythmic", "stops_when_held_or_woken": "not_tried",
      "signs": frozenset({"eyes_rolling_or_fixed"})}, True),
    ({"pattern": "rhythmic", "stops_when_held_or_woken": "yes"}, False),
    ({"pattern": "rhythmic", "stops_when_held_or_woken": "not_tried"}, False),
    # Eye rolling alone, without rhythmic or cluster jerking, is not convulsive.
    ({"pattern": "isolated", "stops_when_held_or_woken": "no",
      "signs": frozenset({"eyes_rolling_or_fixed", "stiffening"})}, False),
])
def test_convulsive_definition(changes: dict[str, object], expected: bool) -> None:
    assert is_convulsive(quiet(**changes)) is expected


# --- EP-FIRST-SEIZURE.


def test_first_seizure_fires_with_no_earlier_convulsive_episode() -> None:
    result = assess(convulsive(), NINE_MONTHS)
    assert result.level is E and result.reasons[0].rule == "EP-FIRST-SEIZURE"
    # Earlier non-convulsive episodes do not count as seizures on record.
    assert "EP-FIRST-SEIZURE" in fired(convulsive(), history=history(earlier(2, convulsive=False)))
    # A history given only as counts says nothing of convulsions: still the first.
    assert "EP-FIRST-SEIZURE" in fired(convulsive(), history=RecentHistory({1: 4}))


def test_first_seizure_not_when_one_is_on_record_or_a_plan_exists() -> None:
    assert "EP-FIRST-SEIZURE" not in fired(convulsive(), history=SEEN)
    assert "EP-FIRST-SEIZURE" not in fired(convulsive(), history=history(earlier(24 * 30)))
    planned = history(plan="Give the rescue medicine after 5 minutes; then call 911.")
    result = assess(convulsive(), NINE_MONTHS, planned)
    assert "EP-FIRST-SEIZURE" not in {r.rule for r in result.reasons}
    assert result.level is U
    assert result.seizure_plan.startswith("Give the rescue medicine")
    assert "seizure plan" in result.advice
    # A blank plan is no plan.
    assert "EP-FIRST-SEIZURE" in fired(convulsive(), history=history(plan="   "))


def test_known_seizure_disorder_keeps_the_5_minute_rule() -> None:
    planned = history(plan="Call 911 after 5 minutes.")
    result = assess(convulsive(duration_seconds=300), NINE_MONTHS, planned)
    assert result.level is E and "EP-CONVULSIVE-5MIN" in {r.rule for r in result.reasons}


def test_first_seizure_not_for_non_convulsive_reports() -> None:
    assert "EP-FIRST-SEIZURE" not in fired(quiet(signs=frozenset({"eyes_rolling_or_fixed"})))
    assert "EP-FIRST-SEIZURE" not in fired(convulsive(stops_when_held_or_woken="yes"))


# --- EP-SEIZURE-REPEAT: within 24 h, inclusive.


@pytest.mark.parametrize(("hours", "fires"), [(0.1, True), (23.9, True), (24, True), (24.01, False)])
def test_seizure_repeat_24h_boundary(hours: float, fires: bool) -> None:
    assert ("EP-SEIZURE-REPEAT" in fired(convulsive(), history=history(earlier(hours)))) is fires


def test_seizure_repeat_needs_both_convulsive() -> None:
    assert "EP-SEIZURE-REPEAT" not in fired(convulsive(), history=history(earlier(2, convulsive=False)))
    report = convulsive(stops_when_held_or_woken="yes")
    assert "EP-SEIZURE-REPEAT" not in fired(report, history=history(earlier(2)))


def test_later_episodes_are_not_earlier() -> None:
    later = EarlierEpisode(AT + timedelta(hours=1), True, True)
    assert "EP-SEIZURE-REPEAT" not in fired(convulsive(), history=history(later, on_record=True))


# --- EP-FEVER-SEIZURE-UNDER-6M: chronological age.


def six_months_days() -> int:
    return int(6 * DAYS_PER_MONTH)  # 182 days: 5.98 months, still under 6


@pytest.mark.parametrize(("days", "fires"), [(six_months_days(), True), (six_months_days() + 1, False)])
def test_fever_seizure_under_6m_boundary(days: int, fires: bool) -> None:
    report = convulsive(signs=frozenset({"fever"}))
    assert ("EP-FEVER-SEIZURE-UNDER-6M" in fired(report, age(days), SEEN)) is fires


def test_fever_seizure_uses_temperature_and_seizure_like_and_chronological_age() -> None:
    hot = quiet(temperature_c=Decimal("38.0"), signs=frozenset({"eyes_rolling_or_fixed"}))
    assert "EP-FEVER-SEIZURE-UNDER-6M" in fired(hot, age(120), SEEN)
    cool = replace(hot, temperature_c=Decimal("37.9"))
    assert "EP-FEVER-SEIZURE-UNDER-6M" not in fired(cool, age(120), SEEN)
    # Born at 28 weeks, 7 months old: corrected age is 4 months, but the rule is chronological.
    assert "EP-FEVER-SEIZURE-UNDER-6M" not in fired(hot, age(213, weeks=28), SEEN)
    assert "EP-FEVER-SEIZURE-UNDER-6M" not in fired(quiet(signs=frozenset({"fever"})), age(120))


# --- EP-LOW-TEMP: below 36.0 °C; urgent under 3 months, soon from 3 months.


@pytest.mark.parametrize(("temperature", "fires"), [
    (Decimal("35.9"), True), (Decimal("36.0"), False), ("35,5", True), (None, False), ("cold", False),
])
def test_low_temp_boundary(temperature: object, fires: bool) -> None:
    assert ("EP-LOW-TEMP" in fired(quiet(temperature_c=temperature))) is fires


def test_low_temp_level_by_chronological_age() -> None:
    under = int(3 * DAYS_PER_MONTH)  # 91 days: 2.99 months
    report = quiet(temperature_c=Decimal("35.0"))
    assert assess(report, age(10)).level is U  # the issue's 10-day-old at 35.0 °C
    assert assess(report, age(under)).level is U
    assert assess(report, age(under + 1)).level is S
    # Born at 30 weeks, 4 months old: chronological age decides.
    assert assess(report, age(122, weeks=30)).level is S


# --- EP-FACE: whatever the holding answer.


@pytest.mark.parametrize("part", ["face", "left_face", "right_face"])
@pytest.mark.parametrize("held", ["yes", "no", "not_tried"])
def test_face_rhythmic_or_cluster_any_holding_answer(part: str, held: str) -> None:
    for pattern in ("rhythmic", "cluster"):
        report = quiet(pattern=pattern, body_parts=frozenset({part}), stops_when_held_or_woken=held)
        assert "EP-FACE" in fired(report, history=SEEN)


def test_face_not_for_single_twitches_or_other_parts() -> None:
    assert "EP-FACE" not in fired(quiet(body_parts=frozenset({"left_face"})))
    assert "EP-FACE" not in fired(quiet(pattern="rhythmic", body_parts=frozenset({"left_arm"})))


def test_one_side_of_the_face_20s_not_tried_is_urgent() -> None:
    # The issue's case: one side of the face jerking rhythmically for 20 s gave "soon".
    report = quiet(state="awake", pattern="rhythmic", duration_seconds=20,
                   body_parts=frozenset({"right_face"}))
    assert assess(report, NINE_MONTHS).level is U


# --- EP-REPEATED-RHYTHMIC: 3 or more in 24 h, this one included.


def test_repeated_rhythmic_counts_this_one() -> None:
    report = quiet(pattern="cluster", stops_when_held_or_woken="yes", duration_seconds=5)
    one = history(earlier(3, convulsive=False))
    two = history(earlier(3, convulsive=False), earlier(24, convulsive=False))
    assert "EP-REPEATED-RHYTHMIC" not in fired(report, history=one)
    assert "EP-REPEATED-RHYTHMIC" in fired(report, history=two)
    out_of_window = history(earlier(3, convulsive=False), earlier(24.01, convulsive=False))
    assert "EP-REPEATED-RHYTHMIC" not in fired(report, history=out_of_window)
    isolated = history(earlier(3, convulsive=False, rhythmic=False),
                       earlier(5, convulsive=False, rhythmic=False))
    assert "EP-REPEATED-RHYTHMIC" not in fired(report, history=isolated)
    assert "EP-REPEATED-RHYTHMIC" not in fired(quiet(), history=two)


# --- EP-AFTER-SEIZURE: 7 days, inclusive.


@pytest.mark.parametrize(("hours", "fires"), [(25, True), (24 * 7, True), (24 * 7 + 0.01, False)])
def test_after_seizure_7_day_boundary(hours: float, fires: bool) -> None:
    report = quiet(pattern="rhythmic", stops_when_held_or_woken="yes", duration_seconds=5)
    assert ("EP-AFTER-SEIZURE" in fired(report, history=history(earlier(hours)))) is fires
    assert "EP-AFTER-SEIZURE" not in fired(quiet(), history=history(earlier(hours)))


# --- EP-PERSISTENT: 60 s or more, not stopped, any pattern.


@pytest.mark.parametrize(("seconds", "held", "fires"), [
    (59, "no", False), (60, "no", True), (600, "no", True), (600, "yes", False),
    (600, "not_tried", True), (59, "not_tried", False), (600, "unsure", True),
])
def test_persistent_boundary(seconds: int, held: str, fires: bool) -> None:
    report = quiet(duration_seconds=seconds, stops_when_held_or_woken=held, state="awake")
    assert ("EP-PERSISTENT" in fired(report)) is fires


def test_single_twitches_for_ten_minutes_are_never_called_typical() -> None:
    report = quiet(state="awake", duration_seconds=600, stops_when_held_or_woken="no")
    result = assess(report, NINE_MONTHS)
    assert result.level is S
    assert "many healthy babies" not in result.headline
    assert "EP-TYPICAL" not in {r.rule for r in result.reasons}


# --- EP-NOTES-DANGER.


def test_notes_danger_lists_the_words_and_asks_about_the_sign() -> None:
    result = assess(quiet(notes="She went stiff and her eyes rolled back."), NINE_MONTHS)
    assert result.level is U
    reason = next(r for r in result.reasons if r.rule == "EP-NOTES-DANGER")
    assert "\u201cstiff\u201d" in reason.explanation and "eyes rolled" in reason.explanation
    assert {m.sign for m in result.notes_matched} == {"stiffening", "eyes_rolling_or_fixed"}
    assert result.raised_by_notes


def test_notes_danger_not_when_the_sign_is_ticked_or_negated() -> None:
    ticked = quiet(notes="she went stiff", signs=frozenset({"stiffening"}), state="awake")
    assert "EP-NOTES-DANGER" not in fired(ticked)
    assert assess(quiet(notes="no fever, not stiff, not blue"), NINE_MONTHS).level is R


def test_notes_emergency_words_call_for_help_at_once() -> None:
    # Design choice: breathing, colour and not responding raise to emergency from notes.
    result = assess(quiet(notes="turned blue and stopped breathing"), NINE_MONTHS)
    assert result.level is E
    rules = {r.rule for r in result.reasons}
    assert {"EP-BREATHING", "EP-COLOUR", "EP-NOTES-DANGER"} <= rules
    assert "call handler" in result.advice


def test_notes_minutes_only_when_the_duration_says_less() -> None:
    assert "EP-NOTES-DANGER" in fired(quiet(notes="it went on for 3 minutes", duration_seconds=20))
    assert "EP-NOTES-DANGER" not in fired(quiet(notes="it went on for 3 minutes", duration_seconds=180))
    # A duration in hours is read as its minutes (audit of issue 10).
    assert "EP-NOTES-DANGER" in fired(quiet(notes="it went on for an hour", duration_seconds=20))
    assert "EP-NOTES-DANGER" not in fired(quiet(notes="about an hour", duration_seconds=3600))


def test_notes_limp_is_floppy_and_calls_for_help_at_once() -> None:
    result = assess(quiet(notes="she was limp in my arms"), NINE_MONTHS)
    assert result.level is E and {"EP-UNRESPONSIVE", "EP-NOTES-DANGER"} <= {r.rule for r in result.reasons}


# --- Advice that follows the reason (3b).


def test_breathing_advice_differs_from_convulsive_first_aid() -> None:
    breathing = assess(quiet(signs=frozenset({"breathing_difficulty"})), NINE_MONTHS, SEEN)
    seizure = assess(convulsive(duration_seconds=300), NINE_MONTHS, SEEN)
    assert "call handler" in breathing.advice and "Do not hold the movements back" not in breathing.advice
    assert "Do not hold the movements back" in seizure.advice and "on their side" in seizure.advice
    assert breathing.advice != seizure.advice


def test_fever_adds_fever_advice_and_urgent_and_soon_give_the_clinic_phone() -> None:
    fever = assess(quiet(signs=frozenset({"fever"})), NINE_MONTHS, clinic_phone="555-0100")
    assert "About the fever" in fever.advice and "555-0100" in fever.advice
    soon = assess(quiet(signs=frozenset({"vomiting"})), NINE_MONTHS, clinic_phone="555-0100")
    assert "555-0100" in soon.advice and "About the fever" not in soon.advice
    routine = assess(quiet(), NINE_MONTHS, clinic_phone="555-0100")
    assert "555-0100" not in routine.advice
    emergency = assess(quiet(signs=frozenset({"color_change"})), NINE_MONTHS, clinic_phone="555-0100")
    assert "555-0100" not in emergency.advice
    assert "clinic has been told" not in soon.advice


# --- Whole cases, each new rule with and without history.

WEEK = history(earlier(2, convulsive=False), earlier(4 * 24, convulsive=True))


@pytest.mark.parametrize(("story", "report", "at", "hist", "level", "rule"), [
    ("9-month-old, 40 s rhythmic jerking, not stopped, first time", convulsive(duration_seconds=40),
     NINE_MONTHS, None, E, "EP-FIRST-SEIZURE"),
    ("same child, epilepsy known and a plan recorded", convulsive(duration_seconds=40), NINE_MONTHS,
     history(plan="Rescue medicine at 5 minutes"), U, "EP-RHYTHMIC-30S"),
    ("fifth 60 s convulsive episode in 3 hours", convulsive(duration_seconds=60), NINE_MONTHS,
     history(*(earlier(h) for h in (0.5, 1, 2, 3))), E, "EP-SEIZURE-REPEAT"),
    ("third rhythmic episode this week after two unstopped 40 s ones, held this time",
     quiet(pattern="rhythmic", stops_when_held_or_woken="yes", duration_seconds=10, state="awake"),
     NINE_MONTHS, history(earlier(30), earlier(80)), U, "EP-AFTER-SEIZURE"),
    ("same, without history: a short trembling that stopped when held",
     quiet(pattern="rhythmic", stops_when_held_or_woken="yes", duration_seconds=10, state="awake"),
     NINE_MONTHS, None, S, "EP-JITTERY-LATE"),
    ("4-month-old with 38.4 and eyes fixed during a twitch, seizures before",
     quiet(temperature_c=Decimal("38.4"), signs=frozenset({"eyes_rolling_or_fixed"})), age(120),
     SEEN, E, "EP-FEVER-SEIZURE-UNDER-6M"),
    ("10-day-old at 35.0 with a sleep twitch", quiet(temperature_c=Decimal("35.0")), age(10), None,
     U, "EP-LOW-TEMP"),
    ("2-year-old at 35.8 with a sleep twitch", quiet(temperature_c=Decimal("35.8")), age(730), WEEK,
     S, "EP-LOW-TEMP"),
    ("left face jerking rhythmically 20 s, not tried, seizure on record",
     quiet(pattern="rhythmic", body_parts=frozenset({"left_face"}), duration_seconds=20),
     NINE_MONTHS, SEEN, U, "EP-FACE"),
    ("three clusters in sleep today that stop when woken",
     quiet(pattern="cluster", stops_when_held_or_woken="yes"), age(90),
     history(earlier(1, convulsive=False), earlier(6, convulsive=False)), U, "EP-REPEATED-RHYTHMIC"),
    ("the same cluster, the only one today", quiet(pattern="cluster", stops_when_held_or_woken="yes"),
     age(90), None, R, "EP-TYPICAL"),
    ("single twitches on and off for 10 minutes awake, not stopped",
     quiet(state="awake", duration_seconds=600, stops_when_held_or_woken="no"), NINE_MONTHS, WEEK,
     S, "EP-PERSISTENT"),
    ("a sleep twitch; notes: she went floppy", quiet(notes="she went floppy"), NINE_MONTHS, None,
     E, "EP-NOTES-DANGER"),
    ("a sleep twitch; notes: felt hot, temp 38.6", quiet(notes="felt hot, temp 38.6"), age(400), WEEK,
     U, "EP-NOTES-DANGER"),
    # Added in the audit of issue 10: each new rule also without (or with) history.
    ("4-month-old with 38.4 and eyes fixed during a twitch, first report",
     quiet(temperature_c=Decimal("38.4"), signs=frozenset({"eyes_rolling_or_fixed"})), age(120),
     None, E, "EP-FEVER-SEIZURE-UNDER-6M"),
    ("right face jerking rhythmically 20 s, not tried, first report",
     quiet(pattern="rhythmic", body_parts=frozenset({"right_face"}), duration_seconds=20, state="awake"),
     NINE_MONTHS, None, U, "EP-FACE"),
    ("left face jerking 20 s that kept going when her cheek was held, first time",
     convulsive(body_parts=frozenset({"left_face"})), NINE_MONTHS, None, E, "EP-FIRST-SEIZURE"),
    ("single twitches on and off for 10 minutes awake, not stopped, first report",
     quiet(state="awake", duration_seconds=600, stops_when_held_or_woken="no"), NINE_MONTHS, None,
     S, "EP-PERSISTENT"),
    ("10-day-old at 35.0 with a sleep twitch, a seizure 4 days ago",
     quiet(temperature_c=Decimal("35.0")), age(10), WEEK, U, "EP-LOW-TEMP"),
    ("a sleep twitch; notes: turned blue and stopped breathing; seizures on record",
     quiet(notes="turned blue and stopped breathing"), NINE_MONTHS, SEEN, E, "EP-BREATHING"),
    ("a sleep twitch; notes: she was limp in my arms, this week's history",
     quiet(notes="she was limp in my arms"), NINE_MONTHS, WEEK, E, "EP-UNRESPONSIVE"),
    ("notes in hours: 'it went on for an hour' with 20 s entered", quiet(notes="it went on for an hour",
     duration_seconds=20), NINE_MONTHS, None, U, "EP-NOTES-DANGER"),
])
def test_whole_case(story: str, report: EpisodeReport, at: Age, hist: RecentHistory | None,
                    level: Level, rule: str) -> None:
    result = assess(report, at, hist)
    rules = [r.rule for r in result.reasons]
    assert result.level is level, f"{story}: {result.level} {rules}"
    assert rule in rules, f"{story}: {rules}"
