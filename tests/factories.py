"""Factories for the clinic core; each app's tests add their own beside them."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clinic.models import Clinic, Guardianship, Membership, Patient, Role

PASSWORD = "test-pass-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    emergency_number = "911"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.CLINICIAN


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    given_name = factory.Sequence(lambda n: f"Baby{n}")
    family_name = factory.Iterator(["Chen", "Alvarez", "Okafor", "Stone", "Ruiz"])
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=90))
    sex = "female"
    gestational_age_weeks = 40
    mrn = factory.Sequence(lambda n: f"MRN{n:05d}")


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    user = factory.SubFactory(UserFactory)
    patient = factory.SubFactory(PatientFactory)
    relationship = "mother"
