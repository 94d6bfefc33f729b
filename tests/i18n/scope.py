"""Which sources a parent sees: their message ids must all have Spanish (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import polib

CATALOG = Path(__file__).resolve().parents[2] / "clinic" / "locale" / "es" / "LC_MESSAGES" / "django.po"
PARENT_SOURCES = [
    r"clinic/templates/(base|_language_switch|_level_badge|_pagination|403|404|503)\.html",
    r"clinic/templates/(registration|portal|episodes)/",
    r"clinic/templates/clinic/(_age|patient_detail)\.html",
    r"clinic/templates/evaluations/(patient_orders|_orders|_orders_card)\.html",
    r"episodes/(triage|forms|views|services|models|charts|messages|api|choices)\.py",
    r"episodes/templatetags/",
    r"clinic/(levels|languages|mfa|mfa_views|forms|api|views|unavailable|models)\.py",
    r"clinic/templatetags/",
    r"evaluations/(suggestions|models)\.py",
    # Secure messages as a family reads and writes them, and the e-mail telling them.
    r"messaging/templates/messaging/(thread|_link|_message|sent_in_error)\.html",
    r"messaging/(forms|services|views|tasks|models|api)\.py",
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")


def catalog() -> polib.POFile:
    return polib.pofile(str(CATALOG))


def is_parent_facing(entry: polib.POEntry) -> bool:
    return any(re.match(pattern, path) for pattern in PARENT_SOURCES for path, _ in entry.occurrences)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def english_patterns() -> dict[str, re.Pattern[str]]:
    """English message ids (or their parts around placeholders) whose Spanish differs,
    each as a whole-words pattern: what must not show on a page asked for in Spanish."""
    found = set()
    for entry in catalog():
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if entry.obsolete or not any(translations) or entry.msgid in translations:
            continue
        for text in (entry.msgid, entry.msgid_plural):
            for part in PLACEHOLDER.split(text or ""):
                part = part.replace("%%", "%").strip(" .,:;·()“”")
                # A part long enough to mean something on its own.
                if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                    found.add(part)
    return {text: re.compile(rf"(?<![\w]){re.escape(text)}(?![\w])") for text in sorted(found)}
