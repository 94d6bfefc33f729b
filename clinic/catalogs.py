"""Compile the translation catalogs (.po) to the binary files Django reads (.mo).

GNU gettext's ``msgfmt`` (behind ``compilemessages``) is often missing on a fresh machine,
so the project compiles with ``polib``. This module imports nothing of Django or the
project: ``setup.py`` runs it while building the wheel, ``manage.py compile_catalogs``
(called by ``make install``) in a checkout. Fuzzy and untranslated entries are left out,
as msgfmt does.
"""

from __future__ import annotations

import os
from pathlib import Path

import polib


def po_files(root: Path) -> list[Path]:
    return sorted(path for path in root.glob("*/locale/*/LC_MESSAGES/*.po") if path.is_file())


def compile_catalog(po_path: Path) -> Path:
    """Write the .mo beside the .po when it differs; atomically, since parallel test
    workers (and a running server) may read it meanwhile."""
    mo_path = po_path.with_suffix(".mo")
    binary = polib.pofile(str(po_path)).to_binary()
    if not mo_path.exists() or mo_path.read_bytes() != binary:
        partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        partial.write_bytes(binary)
        os.replace(partial, mo_path)
    return mo_path


def compile_all(root: Path) -> list[Path]:
    """Every app's catalogs under ``root`` (the checkout or the build directory)."""
    return [compile_catalog(path) for path in po_files(root)]
