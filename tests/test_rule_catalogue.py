"""docs/clinical-rules.md is generated from the rule modules and kept current.

The document is what a clinician reviews instead of the Python: it must hold every
rule, threshold and source the modules hold, and a change to a rule without
regenerating it fails here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clinic.levels import Confidence, Level
from clinic.sources import SOURCES
from episodes import triage
from evaluations import findings, norms, suggestions
from interop import rule_catalogue

DOCUMENT = Path(__file__).resolve().parents[1] / rule_catalogue.DOCUMENT_PATH


@pytest.fixture(scope="module")
def text() -> str:
    return rule_catalogue.render()


def section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section, up to the next ``## ``."""
    start = text.index(f"\n## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start : None if end < 0 else end]


def test_document_in_the_repository_is_current(text: str) -> None:
    assert DOCUMENT.exists(), f"{DOCUMENT} is missing: run `make rules-doc`"
    assert DOCUMENT.read_text(encoding="utf-8") == text, (
        f"{DOCUMENT.name} is stale: run `make rules-doc` and commit the result"
    )


def test_rendering_is_stable(text: str) -> None:
    # No date or ordering by hash: the file changes only when a rule does.
    assert rule_catalogue.render() == text


def test_triage_table_has_every_rule_in_order_with_its_level(text: str) -> None:
    rows = re.findall(
        r"^\| \d+ \| `(EP-[A-Z0-9-]+)` \| `(\w+)` \|", section(text, "1. Parent"), flags=re.M
    )
    assert rows == [(rule.id, str(rule.level)) for rule in triage.RULES]


def test_triage_rows_spell_out_the_thresholds_each_rule_reads(text: str) -> None:
    rows = {
        match[0]: match[1]
        for match in re.findall(r"^\| \d+ \| `(EP-[A-Z0-9-]+)` \|(.*)$", text, flags=re.M)
    }
    assert "CONVULSIVE_EMERGENCY_SECONDS = 300 seconds" in rows["EP-CONVULSIVE-5MIN"]
    assert "FEVER_C = 38.0 °C" in rows["EP-FEVER-UNDER-3M"]
    assert "FEVER_YOUNG_UNDER_MONTHS = 3 months" in rows["EP-FEVER-UNDER-3M"]
    for name in ("RISING_FACTOR", "RISING_MIN_PER_DAY", "RISING_RECENT_DAYS", "RISING_BASELINE_DAYS"):
        assert name in rows["EP-RISING"]
    assert "RHYTHMIC_URGENT_SECONDS = 30 seconds" in rows["EP-RHYTHMIC-UNTESTED"]
    # Rules that compare no value say so rather than borrow another rule's.
    assert rows["EP-BREATHING"].split("|")[2].strip() == "—"


def test_every_threshold_has_a_row_with_value_confidence_and_source(text: str) -> None:
    for module in (triage, norms, suggestions):
        for name, threshold in module.THRESHOLDS.items():
            row = re.search(rf"^\| `{name}` \|(.*)$", text, flags=re.M)
            assert row, f"{module.__name__}.{name} not in the document"
            cells = [c.strip() for c in row[1].split("|")]
            assert cells[0] == rule_catalogue.show(threshold.value)
            assert cells[2] == str(threshold.confidence)
            assert cells[3] == threshold.source


def test_every_rule_norm_and_suggestion_is_listed(text: str) -> None:
    for rule in findings.CATALOGUE.values():
        assert f"| `{rule.rule}` | {rule.kind} | `{rule.level}` |" in text
    for code in suggestions.SUGGESTION_CATALOGUE:
        assert f"| `{code}` |" in section(text, "4. Follow-up")
    for code, reflex in norms.REFLEXES.items():
        assert f"| {reflex.label} (`{code}`) |" in text
    for milestone in norms.MILESTONES.values():
        assert f"`{milestone.code}` | {milestone.text} |" in text
    for screening in norms.SCREENING_SCHEDULE:
        assert f"`{screening.rule}`" in text
    for cutoff in norms.HINE_CP_RISK:
        assert f"| high risk of cerebral palsy | {cutoff.at_months:g} months | {cutoff.below:g} |" in text


def test_every_source_is_listed_with_what_cites_it(text: str) -> None:
    sources = section(text, "Sources")
    for key, reference in SOURCES.items():
        assert f"| `{key}` | {reference.replace('|', chr(92) + '|')} |" in sources
    assert "not in the source list" not in sources
    ilae = re.search(r"^\| `ILAE-SE` \|.*\| (.*) \|$", sources, flags=re.M)
    assert ilae and "EP-CONVULSIVE-5MIN" in ilae[1]


def test_confidence_and_levels_are_explained(text: str) -> None:
    for confidence in Confidence:
        assert f"| `{confidence}` | {confidence.meaning} |" in text
    for level in Level:
        assert f"| `{level}` | {triage.level_meaning(level)} |" in text


def test_a_new_rule_and_threshold_appear_without_touching_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another issue adds rules: the generator reads the catalogue, it keeps no list.
    new_rule = replace(triage.RULES[0], id="EP-TEST-NEW", level=Level.SOON, source="ICNA")
    position = len(triage.RULES) + 1
    new_threshold = triage.Threshold(Decimal("36.0"), "°C", "design choice", Confidence.DESIGN_CHOICE)
    monkeypatch.setattr(triage, "RULES", (*triage.RULES, new_rule))
    monkeypatch.setattr(
        triage, "THRESHOLDS", MappingProxyType({**triage.THRESHOLDS, "LOW_TEMP_C": new_threshold})
    )
    text = rule_catalogue.render()
    assert re.search(rf"^\| {position} \| `EP-TEST-NEW` \| `soon` \|.*\| ICNA \|$", text, flags=re.M)
    assert re.search(r"^\| `LOW_TEMP_C` \| 36.0 \| °C \| design choice \|", text, flags=re.M)
    icna = re.search(r"^\| `ICNA` \|.*$", section(text, "Sources"), flags=re.M)
    assert icna and "EP-TEST-NEW" in icna[0]


def test_an_unknown_source_key_is_shown_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = replace(triage.RULES[0], id="EP-TEST-ODD", source="NO-SUCH-KEY")
    monkeypatch.setattr(triage, "RULES", (*triage.RULES, odd))
    assert rule_catalogue.unknown_source_keys() == {"NO-SUCH-KEY": ["EP-TEST-ODD"]}
    assert "| `NO-SUCH-KEY` | **not in the source list** | EP-TEST-ODD |" in rule_catalogue.render()


def test_command_writes_the_file_and_check_fails_when_stale(tmp_path: Path, text: str) -> None:
    target = tmp_path / "docs" / "clinical-rules.md"
    with pytest.raises(CommandError, match="stale"):
        call_command("rule_catalogue", "--check", "--output", str(target))  # missing
    call_command("rule_catalogue", "--output", str(target))
    assert target.read_text(encoding="utf-8") == text
    call_command("rule_catalogue", "--check", "--output", str(target))  # current: no error
    target.write_text(text.replace("`EP-TYPICAL` | `routine`", "`EP-TYPICAL` | `soon`"), encoding="utf-8")
    with pytest.raises(CommandError, match="stale"):
        call_command("rule_catalogue", "--check", "--output", str(target))
    assert "`EP-TYPICAL` | `soon`" in target.read_text(encoding="utf-8")  # --check writes nothing


def test_notes_danger_words_are_listed_for_every_language(text: str) -> None:
    # The word lists are EP-NOTES-DANGER's threshold data: a clinician reviews them here.
    from episodes import notes

    body = section(text, "1. Parent")
    assert "### Danger words in the notes" in body
    for code, words in notes.LANGUAGES.items():
        for patterns in (*words.always.values(), *words.dangers.values()):
            for pattern in patterns:
                assert f"`{rule_catalogue.cell(pattern)}`" in body, (code, pattern)
        assert f"| {code} | " in body
