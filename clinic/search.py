"""Search keys for names: what staff type matches however the name was written.

Pure (no Django): the model stores ``search_key(...)`` of the names in an indexed column and
the list normalises each typed term the same way, so "lucía", "LUCIA" and "Lucia" are one
key on SQLite and PostgreSQL alike, without relying on a database extension for accents.
"""

from __future__ import annotations

import unicodedata


def search_key(*parts: str) -> str:
    """Casefolded, accents removed, runs of whitespace made one space: "Lucía  Pérez" -> "lucia perez"."""
    text = " ".join(parts).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())
