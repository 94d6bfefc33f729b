"""Demo clinic, people and babies for `manage.py seed_demo`. Idempotent."""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.mfa import TOTP_NAME
from clinic.models import Clinic, Guardianship, Membership, Patient, Relationship, Role
from clinic.services import clinic_admin_permissions

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo logins, refused with DEBUG off
# The demo staff's authenticator key (base32, as an app takes it), printed by seed_demo and in
# the README. Demo data only: real staff enrol their own device at first sign-in.
DEMO_TOTP_SECRET = "TWITCHCLINICDEMOTOTPSECRETSTAFF2"  # noqa: S105
DEMO_STAFF = ("doctor", "reviewer", "clinicadmin", "otherdoctor")


@dataclass
class DemoWorld:
    """What the core seeding made, handed to each app's own demo seeding."""

    clinic: Clinic
    other_clinic: Clinic
    users: dict[str, object] = field(default_factory=dict)
    patients: dict[str, Patient] = field(default_factory=dict)


def _user(username: str, *, email: str, first: str, last: str, staff: bool = False):  # noqa: ANN202
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"email": email, "first_name": first, "last_name": last, "is_staff": staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _patient(clinic: Clinic, mrn: str, **fields: object) -> Patient:
    patient, _ = Patient.objects.get_or_create(clinic=clinic, mrn=mrn, defaults=fields)
    return patient


@transaction.atomic
def seed_core() -> DemoWorld:
    today = timezone.localdate()
    clinic, _ = Clinic.objects.get_or_create(
        name="Riverside Pediatrics", defaults={"phone": "555-0100", "emergency_number": "911"}
    )
    other, _ = Clinic.objects.get_or_create(
        name="Hillcrest Children's Clinic", defaults={"phone": "555-0200"}
    )
    world = DemoWorld(clinic=clinic, other_clinic=other)
    users = world.users
    users["doctor"] = _user("doctor", email="doctor@example.org", first="Dana", last="Okafor")
    users["reviewer"] = _user("reviewer", email="reviewer@example.org", first="Rae", last="Lindqvist")
    users["clinicadmin"] = _user(
        "clinicadmin", email="admin@example.org", first="Sam", last="Ruiz", staff=True
    )
    users["parent"] = _user("parent", email="parent@example.org", first="Maya", last="Chen")
    users["parent2"] = _user("parent2", email="parent2@example.org", first="Tom", last="Alvarez")
    users["otherdoctor"] = _user(
        "otherdoctor", email="otherdoctor@example.org", first="Lee", last="Park"
    )
    for name, role, where in [
        ("doctor", Role.CLINICIAN, clinic),
        ("reviewer", Role.REVIEWER, clinic),
        ("clinicadmin", Role.CLINIC_ADMIN, clinic),
        ("otherdoctor", Role.CLINICIAN, other),
    ]:
        Membership.objects.get_or_create(user=users[name], clinic=where, defaults={"role": role})
    for name in DEMO_STAFF:
        TOTPDevice.objects.get_or_create(
            user=users[name], name=TOTP_NAME,
            defaults={"key": b32decode(DEMO_TOTP_SECRET).hex(), "confirmed": True},
        )
    # The clinic admin works in the Django admin; model permissions let them in,
    # clinic/access.py still decides which rows they see.
    users["clinicadmin"].user_permissions.add(*clinic_admin_permissions())

    doctor = users["doctor"]
    world.patients["term"] = _patient(
        clinic, "RP-1001", given_name="Noah", family_name="Chen",
        date_of_birth=today - timedelta(days=92), sex="male", gestational_age_weeks=39,
        gestational_age_days=4, birth_weight_grams=3450, birth_notes="Uncomplicated delivery.",
        created_by=doctor, updated_by=doctor,
    )
    world.patients["preterm"] = _patient(
        clinic, "RP-1002", given_name="Lucia", family_name="Alvarez",
        date_of_birth=today - timedelta(days=216), sex="female", gestational_age_weeks=32,
        gestational_age_days=0, birth_weight_grams=1720,
        birth_notes="Born at 32 weeks; 3 weeks in neonatal care; no ventilation.",
        created_by=doctor, updated_by=doctor,
    )
    world.patients["other_clinic"] = _patient(
        other, "HC-2001", given_name="Ava", family_name="Stone",
        date_of_birth=today - timedelta(days=150), sex="female",
        created_by=users["otherdoctor"], updated_by=users["otherdoctor"],
    )
    Guardianship.objects.get_or_create(
        user=users["parent"], patient=world.patients["term"],
        defaults={"relationship": Relationship.MOTHER, "phone": "+1 555 0142",
                  "preferred_language": "English"},
    )
    Guardianship.objects.get_or_create(
        user=users["parent2"], patient=world.patients["preterm"],
        defaults={"relationship": Relationship.FATHER, "phone": "+1 555 0178",
                  "preferred_language": "Spanish"},
    )
    return world
