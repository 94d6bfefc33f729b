"""EP-NOTES-DANGER reads Spanish notes: dangers raise, simple negations do not (CLINICAL.md 3a)."""

from __future__ import annotations

import pytest

from episodes.notes import MINUTES, read_notes

RAISES = [
    ("Se puso morado", "color_change"),
    ("se le pusieron los labios azules", "color_change"),
    ("estaba muy pálida", "color_change"),
    ("dejó de respirar un momento", "breathing_difficulty"),
    ("dejo de respirar", "breathing_difficulty"),  # typed without the accent
    ("NO RESPIRABA", "breathing_difficulty"),
    ("le costaba respirar", "breathing_difficulty"),
    ("no respondía cuando la llamaba", "unresponsive"),
    ("no se despertaba", "unresponsive"),
    ("estaba floja como un trapo", "unresponsive"),
    ("se puso rígido", "stiffening"),
    ("tenía fiebre", "fever"),
    ("38,5 grados", "fever"),
    ("ojos en blanco", "eyes_rolling_or_fixed"),
    ("la mirada fija", "eyes_rolling_or_fixed"),
    ("sin fiebre pero rígida", "stiffening"),  # "pero" ends the reach of "sin"
    ("no sé si estaba rígido", "stiffening"),  # doubt raises
    ("duró unos 3 minutos", MINUTES),
    # Diminutives, as parents often write them, and durations in hours (audit of issue 10).
    ("se puso moradita", "color_change"),
    ("los labios moraditos", "color_change"),
    ("se quedó flojita", "unresponsive"),
    ("se puso tiesito", "stiffening"),
    ("perdió el sentido", "unresponsive"),
    ("duró media hora", MINUTES),
    ("estuvo así durante horas", MINUTES),
]
QUIET = [
    "sin fiebre",
    "no se puso morado",
    "no dejó de respirar",
    "no tenía los ojos en blanco",
    "nada de fiebre",
    "no estaba rígido ni flojo",
    "sin ponerse pálido",
    "El niño estaba bien, se durmió después",
    "no se puso moradita",
    "no estaba flojita",
]


@pytest.mark.parametrize(("note", "key"), RAISES)
def test_a_spanish_danger_raises(note, key):
    reading = read_notes(note)
    assert key in reading.keys()


@pytest.mark.parametrize("note", QUIET)
def test_a_spanish_negation_or_a_calm_note_does_not_raise(note):
    assert read_notes(note).matches == ()


def test_the_words_shown_keep_their_accents():
    assert read_notes("Dejó de respirar").get("breathing_difficulty").words == ("dejó de respirar",)


def test_minutes_in_spanish_words_are_read():
    assert read_notes("duró cinco minutos").get(MINUTES).minutes == 5
