"""The Spanish catalog: complete for parents, not fuzzy, placeholders kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import polib
import pytest

from tests.i18n.scope import CATALOG, catalog, is_parent_facing, placeholders


def _translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_parent_facing_message_has_spanish_with_the_same_placeholders():
    entries = [e for e in catalog() if not e.obsolete and is_parent_facing(e)]
    assert len(entries) > 400  # the portal, the report form, the triage, the guide...
    missing = [e.msgid for e in entries if not all(_translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    wrong = [
        e.msgid for e in entries
        if any(placeholders(t) != placeholders(e.msgid) for t in _translations(e) if t)
    ]
    assert missing == [] and fuzzy == [] and wrong == []


def test_the_header_says_spanish_plural_forms():
    po = catalog()
    assert po.metadata["Language"] == "es" and "nplurals=2" in po.metadata["Plural-Forms"]
    assert not po.metadata_is_fuzzy


def test_share_translated_for_staff_pages_is_reported(capsys):
    entries = [e for e in catalog() if not e.obsolete and not is_parent_facing(e)]
    done = sum(1 for e in entries if all(_translations(e)))
    print(f"staff-only message ids: {len(entries)}, translated: {done}")
    assert entries  # staff pages are marked for translation too


@pytest.mark.skipif(shutil.which("xgettext") is None,
                    reason="GNU gettext is not installed (.ci/run installs it; make messages needs it)")
def test_the_catalog_holds_every_marked_text(tmp_path):
    """Re-extract the message ids from a copy of the sources: a text marked since the last
    `make messages` (and so never translated) fails here."""
    root = CATALOG.parents[4]
    for name in ("clinic", "episodes", "evaluations", "review", "interop"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    shutil.copy(root / "pyproject.toml", tmp_path / "pyproject.toml")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "es", "--no-obsolete",
         "--add-location", "file"],
        cwd=tmp_path, check=True, capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"},
    )
    fresh = polib.pofile(str(tmp_path / CATALOG.relative_to(root)))
    stored = {e.msgid for e in catalog() if not e.obsolete}
    new = sorted(e.msgid for e in fresh if not e.obsolete and e.msgid not in stored)
    assert new == [], "run `make messages` and translate the new entries"
