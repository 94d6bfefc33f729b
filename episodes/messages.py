"""The triage answer in the reader's language (issue 13).

``episodes.triage`` is pure and speaks in message ids: its English texts, marked with a
``gettext_noop`` of its own, are the ids of the catalog. A stored answer keeps that
English (never rewritten, see ``Episode.triage``); this layer translates it when it is
shown or sent, in the active language: the headline and each reason's explanation as one
message each, the advice sentence by sentence (``triage.ADVICE_MESSAGES``), the notes'
explanation with the words the parent typed, which stay as typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

from clinic.levels import Level
from episodes import triage

_NOTES_RULE = "EP-NOTES-DANGER"
_PHONE_BEFORE, _PHONE_AFTER = triage.CLINIC_PHONE_MESSAGE.split("{phone}")
# Longest first, so a sentence is never taken for a shorter one it begins with.
_KNOWN = sorted(triage.ADVICE_MESSAGES, key=len, reverse=True)


def split_advice(advice: str) -> list[tuple[str, dict[str, str]]]:
    """The message ids (and placeholders) an advice text is made of, in order.

    A piece that is no known message (wording of an older rule set) is kept as one
    last piece, shown as stored.
    """
    parts: list[tuple[str, dict[str, str]]] = []
    rest = advice.strip() if isinstance(advice, str) else ""
    while rest:
        known = next((message for message in _KNOWN if rest.startswith(message)), None)
        if known is not None:
            parts.append((known, {}))
            rest = rest[len(known):].lstrip()
        elif rest.startswith(_PHONE_BEFORE) and rest.endswith(_PHONE_AFTER):
            phone = rest[len(_PHONE_BEFORE): len(rest) - len(_PHONE_AFTER)]
            parts.append((triage.CLINIC_PHONE_MESSAGE, {"phone": phone}))
            rest = ""
        else:
            parts.append((rest, {}))
            rest = ""
    return parts


def advice_text(advice: str) -> str:
    return " ".join(
        gettext(message).format(**params) if params else gettext(message)
        for message, params in split_advice(advice)
    )


def _quoted(words: Iterable[str]) -> str:
    return ", ".join(f"\u201c{word}\u201d" for word in words)


def _noted_words(answer: Mapping[str, Any]) -> list[str]:
    return [str(word) for match in answer.get("notes_matched") or [] for word in match.get("words") or []]


def reason_text(reason: Mapping[str, Any], answer: Mapping[str, Any]) -> str:
    explanation = str(reason.get("explanation") or "")
    if reason.get("rule") == _NOTES_RULE:
        words = _noted_words(answer)
        if words:
            template = triage.RULES_BY_ID[_NOTES_RULE].explanation
            return gettext(template).format(words=_quoted(words))
    return gettext(explanation) if explanation else explanation


# The plain words inside the rules' source notes ("brief (design choice)"); source keys
# (NHS-HT, GOMELLA...) name documents and stay as they are.
_SOURCE_WORDS = sorted(
    (gettext_noop("design choice"), gettext_noop("the safer side"), gettext_noop("safer side"),
     gettext_noop("secondary"), gettext_noop("24 h window"), gettext_noop("level"),
     gettext_noop("brief")),
    key=len, reverse=True,
)
_SOURCE_RX = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in _SOURCE_WORDS) + r")(?![\w-])")


def source_text(source: str) -> str:
    return _SOURCE_RX.sub(lambda m: gettext(m.group(1)), source) if isinstance(source, str) else ""


def translated(answer: Mapping[str, Any] | None) -> dict[str, Any]:
    """A triage answer (``TriageResult.as_dict()``, stored or fresh) in the active language."""
    if not answer:
        return {}
    out = dict(answer)
    if answer.get("headline"):
        out["headline"] = gettext(str(answer["headline"]))
    if answer.get("advice"):
        out["advice"] = advice_text(str(answer["advice"]))
    out["reasons"] = [
        {**reason, "explanation": reason_text(reason, answer),
         "source": source_text(reason.get("source", ""))}
        for reason in answer.get("reasons") or []
    ]
    return out


def level_meaning(level: Level | str) -> str:
    return gettext(triage.level_meaning(level))


def sign_question(code: str) -> str:
    return gettext(triage.SIGN_QUESTIONS[code]) if code in triage.SIGN_QUESTIONS else code
