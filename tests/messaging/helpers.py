"""Building messages for the tests, through the service the pages and the API use."""

from __future__ import annotations

from typing import Any

from clinic.access import message_side
from messaging.services import message_send

ROLES = ["anonymous", "parent", "other_parent", "clinician", "other_clinician", "reviewer",
         "clinic_admin"]
# Who may open each child's thread (guardians, the clinic's clinicians and reviewers).
WRITERS = {"patient": {"parent", "clinician", "reviewer"},
           "other_patient": {"other_parent", "clinician", "reviewer"},
           "foreign_patient": {"other_clinician"}}
# Who sees the child's record but not its messages: answered 403, not 404.
SEES_RECORD = {"patient": {"clinic_admin"}, "other_patient": {"clinic_admin"},
               "foreign_patient": set()}
TARGETS = list(WRITERS)


def page_status(role: str, target: str, ok: int = 200) -> int:
    if role == "anonymous":
        return 302
    if role in WRITERS[target]:
        return ok
    return 403 if role in SEES_RECORD[target] else 404


def api_status(role: str, target: str, ok: int = 200) -> int:
    return 401 if role == "anonymous" else page_status(role, target, ok)


def send(patient: Any, author: Any, body: str = "Is this twitch normal?", **fields: Any) -> Any:
    side = message_side(author, patient)
    assert side is not None, f"{author} may not write in {patient}'s thread"
    return message_send(patient=patient, author=author, side=side, body=body, **fields)
