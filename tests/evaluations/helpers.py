"""Builders shared by the evaluations workflow, API, page and access tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from evaluations import norms, services
from evaluations.models import Evaluation

TYPICAL_REFLEXES = [
    {"reflex": "moro", "left": "present", "right": "present", "obligatory": False},
    {"reflex": "palmar_grasp", "left": "present", "right": "present", "obligatory": False},
]


def hine_all(score: int = 3, asymmetric: int = 0) -> dict[str, dict[str, Any]]:
    """Every HINE item scored ``score``; the first ``asymmetric`` items marked asymmetric."""
    return {
        code: {"score": score, "asymmetric": index < asymmetric}
        for index, code in enumerate(norms.HINE_ITEMS)
    }


def worrying_data() -> dict[str, Any]:
    """An exam that raises findings and suggestions: asymmetric Moro, increased tone, low HINE."""
    return {
        "history": "Right arm moves less since last week.",
        "reflexes": [{"reflex": "moro", "left": "present", "right": "weak", "obligatory": False}],
        "hine": hine_all(score=1, asymmetric=7),
        "tone": "increased",
        "milestones": {},
        "lost_skills": False,
    }


def typical_data() -> dict[str, Any]:
    return {"history": "Twitches in sleep only.", "reflexes": TYPICAL_REFLEXES,
            "hine": hine_all(3), "tone": "normal"}


def make_patient_age(patient: Any, days: int) -> Any:
    patient.date_of_birth = timezone.localdate() - timedelta(days=days)
    patient.save()
    return patient


def draft(patient: Any, clinician: Any, data: dict[str, Any] | None = None) -> Evaluation:
    return services.evaluation_create(patient=patient, clinician=clinician,
                                      data=data if data is not None else typical_data())


def signed(patient: Any, clinician: Any, data: dict[str, Any] | None = None) -> Evaluation:
    evaluation = draft(patient, clinician, data)
    return services.evaluation_sign(evaluation=evaluation, by=clinician, version=evaluation.version)
