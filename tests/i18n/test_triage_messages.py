"""The pure triage speaks in message ids; episodes.messages turns any answer into Spanish."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from clinic.levels import Level
from episodes import messages, triage
from episodes.triage import RecentHistory, assess
from tests.episodes.test_triage_rules import age, quiet

REPORTS = {
    "routine": quiet(),
    "soon": quiet(signs=frozenset({"vomiting"})),
    "urgent": quiet(pattern="rhythmic", state="awake", duration_seconds=40, stops_when_held_or_woken="yes"),
    "emergency": quiet(signs=frozenset({"breathing_difficulty"})),
    "convulsive": quiet(pattern="rhythmic", state="awake", duration_seconds=120,
                        stops_when_held_or_woken="no"),
    "fever": quiet(temperature_c=Decimal("38.6")),
    "cold": quiet(temperature_c=Decimal("35.5")),
}


@pytest.mark.parametrize(("kind", "plan", "phone"),
                         list(itertools.product(REPORTS, [False, True], ["", "555 0100"])))
def test_every_advice_splits_into_known_messages_and_reads_in_spanish(kind, plan, phone):
    history = RecentHistory(seizure_plan="Rescue medicine at 5 minutes." if plan else "")
    answer = assess(REPORTS[kind], age(40), history, clinic_phone=phone).as_dict()
    parts = messages.split_advice(answer["advice"])
    known = {*triage.ADVICE_MESSAGES, triage.CLINIC_PHONE_MESSAGE}
    assert [m for m, _ in parts if m not in known] == []
    assert " ".join(m.format(**p) if p else m for m, p in parts) == answer["advice"]
    with translation.override("es"):
        spanish = messages.translated(answer)
    english = [m for m in triage.ADVICE_MESSAGES if m in spanish["advice"]]
    assert english == [] and spanish["headline"] != answer["headline"]
    assert all(r["explanation"] != e["explanation"] for r, e in zip(spanish["reasons"], answer["reasons"],
                                                                     strict=True))
    if phone and Level(answer["level"]) in (Level.URGENT, Level.SOON):
        assert spanish["advice"].endswith("El teléfono de su clínica: 555 0100.")


def test_an_older_wording_is_shown_as_stored_not_lost():
    stored = {"level": "routine", "headline": "An old headline.", "advice": "Old advice. " + triage._RECORD,
              "reasons": [{"rule": "EP-OLD", "level": "routine", "explanation": "Old.", "source": "brief"}]}
    with translation.override("es"):
        shown = messages.translated(stored)
    assert shown["headline"] == "An old headline." and shown["advice"].startswith("Old advice.")
