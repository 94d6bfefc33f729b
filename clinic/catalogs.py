"""Compile the translation catalogs (.po) to the binary files Django reads (.mo).

GNU gettext's ``msgfmt`` (behind ``compilemessages``) is often missing on a fresh machine,
so the project compiles with ``polib``. This module imports nothing of Django or the
project: ``setup.py`` runs it while building the wheel, ``manage.py compile_catalogs``
(called by ``make install``) in a checkout. Fuzzy and untranslated entries are left out,
as msgfmt does.
"""

from __future__ import annotations

from pathlib import Path

import polib


def po_files(root: Path) -> list[Path]:
    return sorted(path for path in root.glob("*/locale/*/LC_MESSAGES/*.po") if path.is_file())


def compile_catalog(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    catalog = polib.pofile(str(po_path))
    if not mo_path.exists() or mo_path.read_bytes() != catalog.to_binary():
        catalog.save_as_mofile(str(mo_path))
    return mo_path


def compile_all(root: Path) -> list[Path]:
    """Every app's catalogs under ``root`` (the checkout or the build directory)."""
    return [compile_catalog(path) for path in po_files(root)]
