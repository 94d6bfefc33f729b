"""The notes reader (episodes/notes.py): danger words and phrases, negations, matched words."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from episodes import notes
from episodes.notes import LANGUAGES, MINUTES, LanguageWords, read_notes

B, C, UN = "breathing_difficulty", "color_change", "unresponsive"
ST, EY, FE = "stiffening", "eyes_rolling_or_fixed", "fever"

# (what a parent might type, what it must name). Written for this test, not copied.
PHRASINGS: list[tuple[str, set[str]]] = [
    # Breathing
    ("turned blue and stopped breathing", {B, C}),
    ("He wasn't breathing for a few seconds", {B}),
    ("she was not breathing!!", {B}),
    ("had trouble breathing after", {B}),
    ("struggling to breathe", {B}),
    ("there was a pause in her breathing", {B}),
    ("gasping a bit at the end", {B}),
    ("no trouble breathing", set()),
    ("breathing was fine", set()),
    # Colour
    ("her lips went blue", {C}),
    ("looked very pale afterwards", {C}),
    ("face went grey for a moment", {C}),
    ("skin looked mottled", {C}),
    ("not blue, just red in the face from crying", set()),
    ("he did not turn blue", set()),
    ("wrapped in his blue blanket", set()),
    ("never went pale", set()),
    # Not responding
    ("she went floppy", {UN}),
    ("No response when I called her name", {UN}),
    ("wouldn't wake up after", {UN}),
    ("didnt respond to me at all", {UN}),
    ("could not wake her", {UN}),
    ("was unresponsive for a minute", {UN, MINUTES}),
    ("not floppy, not pale", set()),
    ("responded to my voice straight away", set()),
    # Stiffening
    ("his legs went stiff", {ST}),
    ("whole body was rigid", {ST}),
    ("no fever but she was stiff", {ST}),
    ("she never went stiff", set()),
    ("not stiff at all", set()),
    ("not sure if she was stiff", {ST}),  # doubt is not a negation
    # Eyes
    ("eyes rolled back", {EY}),
    ("her eyes were rolling up", {EY}),
    ("kept staring at the ceiling", {EY}),
    ("he rolled his eyes", {EY}),
    ("no staring, eyes normal", set()),
    # Fever
    ("had a fever last night", {FE}),
    ("temp 38.6", {FE}),
    ("felt hot to the touch", {FE}),
    ("no fever", set()),
    ("without a fever", set()),
    ("no signs of fever or stiffness", set()),
    # Minutes
    ("it lasted about 3 minutes", {MINUTES}),
    ("went on for a few minutes", {MINUTES}),
    ("jerking for 10 min", {MINUTES}),
    ("two or three minutes maybe", {MINUTES}),
    # Found in the audit of issue 10: limp for floppy, consciousness, eyes to one side,
    # a breath held, a staring spell, and durations given in hours.
    ("she was limp in my arms", {UN}),
    ("he went all limp", {UN}),
    ("not limp at all", set()),
    ("lost consciousness for a bit", {UN}),
    ("her eyes went to one side", {EY}),
    ("eyes went up and she zoned out", {EY}),
    ("held her breath and went red", {B}),
    ("it went on for an hour", {MINUTES}),
    ("lasted half an hour", {MINUTES}),
    ("went on for hours", {MINUTES}),
    # Several at once, and nothing at all
    ("She went stiff, eyes fixed, then floppy and pale.", {ST, EY, UN, C}),
    ("Just a normal sleep twitch, she smiled after.", set()),
    ("", set()),
    ("   ", set()),
]


def test_at_least_forty_phrasings_with_negations() -> None:
    assert len(PHRASINGS) >= 40
    assert sum(1 for _, expected in PHRASINGS if not expected) >= 12


@pytest.mark.parametrize(("text", "expected"), PHRASINGS, ids=[t[:40] or "empty" for t, _ in PHRASINGS])
def test_phrasing(text: str, expected: set[str]) -> None:
    assert set(read_notes(text).keys()) == expected


def test_matched_words_are_returned() -> None:
    reading = read_notes("Turned BLUE and stopped breathing")
    assert reading.get(B).words == ("stopped breathing",)  # type: ignore[union-attr]
    assert reading.get(C).words == ("turned blue",)  # type: ignore[union-attr]
    assert reading.get(C).language == "en"  # type: ignore[union-attr]


def test_minutes_reads_the_longest_stated_duration() -> None:
    assert read_notes("about 3 minutes, maybe 4 minutes").get(MINUTES).minutes == 4  # type: ignore[union-attr]
    assert read_notes("a few minutes").get(MINUTES).minutes == 2  # type: ignore[union-attr]


def test_hours_count_as_their_minutes() -> None:
    assert read_notes("it went on for an hour").get(MINUTES).minutes == 60  # type: ignore[union-attr]
    assert read_notes("2 or 3 hours").get(MINUTES).minutes == 180  # type: ignore[union-attr]
    assert read_notes("duró una hora").get(MINUTES).minutes == 60  # type: ignore[union-attr]


def test_curly_apostrophes_and_odd_input() -> None:
    assert read_notes("she wasn\u2019t breathing").keys() == {B}
    assert read_notes(None).matches == ()
    assert read_notes(42).matches == ()


def test_a_second_language_is_data_only() -> None:
    # Issue 13 adds Spanish as one more LanguageWords entry; here a stand-in shows the shape.
    spanish = LanguageWords(
        always={B: (r"no respira\w*",)}, dangers={FE: (r"fiebre",)},
        negations=frozenset({"sin", "no"}), negation_suffixes=(), clause_breaks=frozenset({"pero"}),
        minute_numbers={},
    )
    both = {**LANGUAGES, "es": spanish}
    assert read_notes("sin fiebre", both).keys() == frozenset()
    assert read_notes("tenía fiebre", both).keys() == {FE}
    assert read_notes("no respiraba", both).keys() == {B}
    assert read_notes("no respiraba", both).get(B).language == "es"  # type: ignore[union-attr]


def test_module_is_pure() -> None:
    tree = ast.parse(Path(notes.__file__).read_text(encoding="utf-8"))
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m.split(".")[0] in {"django", "rest_framework"} for m in modules)


# A negation reaches a danger only across small words ("was", "went", "a", "se", "estaba")
# and other dangers; a word of its own between them ends its reach, so a note typed
# without a comma still raises. Each pair: the note, and what it must raise.
REACH = [
    ("not crying turned blue", {"color_change"}),
    ("no cried turned blue", {"color_change"}),
    ("didn't eat went stiff", {"stiffening"}),
    ("no lloró se puso morado", {"color_change"}),
    ("no comía se puso rígido", {"stiffening"}),
    ("sin llorar con fiebre", {"fever"}),
    # ...while the negation still reaches across the small words and a list of dangers.
    ("she did not have a fever", set()),
    ("never went pale", set()),
    ("no fever or stiffness", set()),
    ("no tenía fiebre", set()),
    ("no estaba rígido ni flojo", set()),
    ("no se puso morado", set()),
]


@pytest.mark.parametrize(("text", "expected"), REACH, ids=[t for t, _ in REACH])
def test_a_negation_reaches_only_across_small_words(text: str, expected: set[str]) -> None:
    assert set(read_notes(text).keys()) == expected
