"""Demo evaluations for `manage.py seed_demo`: signed exams with findings, suggestions, orders.

Idempotent: a baby who already has an evaluation is left alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from evaluations import norms, services
from evaluations.models import Evaluation


def _hine(score: int = 3, low: dict[str, int] | None = None, asymmetric: tuple[str, ...] = ()
          ) -> dict[str, dict[str, Any]]:
    low = low or {}
    return {code: {"score": low.get(code, score), "asymmetric": code in asymmetric}
            for code in norms.HINE_ITEMS}


def _reflexes(**sides: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"reflex": code, "left": left, "right": right, "obligatory": False}
            for code, (left, right) in sides.items()]


def _milestones(months: int, not_yet: tuple[str, ...] = ()) -> dict[str, str]:
    items = [m for m in norms.MILESTONES.values() if m.age_months == months]
    return {m.code: ("not_yet" if m.code in not_yet else "yes") for m in items}


@transaction.atomic
def seed(world: Any) -> None:
    doctor = world.users["doctor"]
    now = timezone.now()
    term = world.patients["term"]
    if not Evaluation.objects.filter(patient=term).exists():
        # A typical baby: sleep twitches, normal exam, no tests needed.
        evaluation = services.evaluation_create(
            patient=term, clinician=doctor, performed_at=now - timedelta(days=10),
            data={
                "history": "Brief foot twitches only while asleep; stop when woken. Feeding well.",
                "birth_history": "Term, uncomplicated.", "family_history": "No epilepsy.",
                "reflexes": _reflexes(moro=("present", "present"), palmar_grasp=("present", "present"),
                                      plantar_grasp=("present", "present")),
                "hine": _hine(3), "tone": "normal", "milestones": _milestones(2),
                "observed_movements": "Video: isolated myoclonic jerks of the left foot in sleep.",
                "assessment": "Benign sleep movements; normal examination.",
                "plan": "Reassure; keep the diary; review if movements occur awake.",
            },
        )
        services.evaluation_sign(evaluation=evaluation, by=doctor, version=evaluation.version)

    preterm = world.patients["preterm"]
    if not Evaluation.objects.filter(patient=preterm).exists():
        # Born at 32 weeks, seen at about 6 months (4 corrected): low tone, a late milestone.
        evaluation = services.evaluation_create(
            patient=preterm, clinician=doctor, performed_at=now - timedelta(days=21),
            data={
                "history": "Parents notice the legs feel floppy; twitches when falling asleep.",
                "birth_history": preterm.birth_notes, "family_history": "None known.",
                "reflexes": _reflexes(moro=("present", "present"),
                                      plantar_grasp=("present", "present")),
                "hine": _hine(3, low={"scarf_sign": 1, "hip_adductors": 1, "popliteal_angle": 2,
                                      "ventral_suspension": 1, "pull_to_sit": 2}),
                "tone": "decreased",
                "milestones": _milestones(4, not_yet=("m4-move-pushes-up-elbows",
                                                      "m4-move-head-steady")),
                "assessment": "Mild axial hypotonia with motor milestones behind for corrected age.",
                "plan": "Physiotherapy; CK; review in 6 weeks.",
            },
        )
        evaluation = services.evaluation_sign(evaluation=evaluation, by=doctor,
                                              version=evaluation.version)
        for suggestion in evaluation.suggestions.all():
            if suggestion.code in ("physical_therapy", "creatine_kinase"):
                services.suggestion_accept(suggestion=suggestion, by=doctor)
            elif suggestion.code == "genetics_referral":
                services.suggestion_dismiss(
                    suggestion=suggestion, by=doctor,
                    reason="Prematurity explains it for now; reconsider at the 6-week review.",
                )

    other = world.patients.get("other_clinic")
    if other is not None and not Evaluation.objects.filter(patient=other).exists():
        otherdoctor = world.users["otherdoctor"]
        evaluation = services.evaluation_create(
            patient=other, clinician=otherdoctor, performed_at=now - timedelta(days=5),
            data={"history": "Startles to noise.", "hine": _hine(3), "tone": "normal",
                  "assessment": "Normal startle."},
        )
        services.evaluation_sign(evaluation=evaluation, by=otherdoctor, version=evaluation.version)
