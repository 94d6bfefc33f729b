"""The Spanish catalog: complete for parents, not fuzzy, placeholders kept."""

from __future__ import annotations

from tests.i18n.scope import catalog, is_parent_facing, placeholders


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
