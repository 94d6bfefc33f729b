"""A guardian keeps the phone the clinic calls and the language to speak, child by child.

Every role opens the page; each sees and changes only their own links to children. Bad
numbers and tampered rows are form errors that store nothing; each change is audited.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent, Guardianship, validate_phone
from tests.conftest import client_for, shows_word
from tests.factories import GuardianshipFactory, PatientFactory

pytestmark = pytest.mark.django_db
URL = reverse("contact-details")
ROLES = ["parent", "other_parent", "clinician", "reviewer", "clinic_admin", "other_clinician"]


def post_rows(client, rows: list[Guardianship], **changes: dict[str, str]):
    """POST the formset for ``rows``; ``changes`` maps a row's patient given name to its fields."""
    data = {"contact-TOTAL_FORMS": str(len(rows)), "contact-INITIAL_FORMS": str(len(rows)),
            "contact-MIN_NUM_FORMS": "0", "contact-MAX_NUM_FORMS": "1000"}
    for n, row in enumerate(rows):
        fields = {"phone": row.phone, "preferred_language": row.preferred_language,
                  **changes.get(row.patient.given_name, {})}
        data |= {f"contact-{n}-id": str(row.pk), **{f"contact-{n}-{k}": v for k, v in fields.items()}}
    return client.post(URL, data)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_its_own_children(client, world, role):
    user = world.user(role)
    response = client_for(client, user).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    shown = {row.patient.given_name for row in response.context["formset"].forms for row in [row.instance]}
    expected = set(Guardianship.objects.filter(user=user).values_list("patient__given_name", flat=True))
    assert shown == expected
    for other in {"Noah", "Mila", "Ava"} - expected:
        assert not shows_word(page, other)
    if not expected:
        assert 'data-testid="contact-none"' in page


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.post(URL, {}).status_code == 302


def test_a_parent_sets_the_phone_and_language_and_each_change_is_audited(client, world):
    second = GuardianshipFactory(user=world.parent, patient=PatientFactory(clinic=world.clinic,
                                                                           given_name="Lia"))
    rows = list(Guardianship.objects.filter(user=world.parent).order_by("patient__date_of_birth", "id"))
    parent = client_for(client, world.parent)
    response = post_rows(parent, rows, Noah={"phone": " +1 (555) 010-0142 ", "preferred_language": "Spanish"})
    assert response.status_code == 302 and response.url == URL
    noah = Guardianship.objects.get(user=world.parent, patient=world.patient)
    assert (noah.phone, noah.preferred_language) == ("+1 (555) 010-0142", "Spanish")
    second.refresh_from_db()
    assert (second.phone, second.preferred_language) == ("", "")  # untouched: no event either
    events = AuditEvent.objects.filter(action=AuditAction.UPDATE)
    assert [(e.object_type, e.patient_id, e.actor_id) for e in events] == [
        ("guardianship", world.patient.pk, world.parent.pk)]
    assert "The clinic will use these details" in parent.get(URL).content.decode()


def test_the_page_read_is_audited_per_child(client, world):
    client_for(client, world.parent).get(URL)
    reads = AuditEvent.objects.filter(action=AuditAction.READ, object_type="guardianship")
    assert list(reads.values_list("patient_id", flat=True)) == [world.patient.pk]


@pytest.mark.parametrize("phone", ["call me", "12", "+1 555 0100 ext 7", "1" * 16, "555-0100; DROP"])
def test_a_number_that_cannot_be_dialled_is_a_form_error_and_nothing_is_stored(client, world, phone):
    row = Guardianship.objects.get(user=world.parent)
    row.phone = "+1 555 0100"
    row.save()
    response = post_rows(client_for(client, world.parent), [row], Noah={"phone": phone})
    assert response.status_code == 200
    assert "Enter a phone number the clinic can dial" in response.content.decode()
    row.refresh_from_db()
    assert row.phone == "+1 555 0100"
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_another_familys_row_cannot_be_changed_by_posting_its_id(client, world):
    theirs = Guardianship.objects.get(user=world.other_parent)
    mine = Guardianship.objects.get(user=world.parent)
    data = {"contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "1", "contact-MIN_NUM_FORMS": "0",
            "contact-MAX_NUM_FORMS": "1000", "contact-0-id": str(theirs.pk),
            "contact-0-phone": "+1 555 0199", "contact-0-preferred_language": ""}
    response = client_for(client, world.parent).post(URL, data, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "changed since the page was opened" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.phone == ""
    (denied,) = AuditEvent.objects.filter(action=AuditAction.DENIED_WRITE)
    assert (denied.actor, denied.patient, denied.object_type) == (world.parent, world.other_patient,
                                                                   "guardianship")
    # A row that is not on the page cannot be added either (the formset only edits).
    data["contact-TOTAL_FORMS"], data["contact-0-id"] = "2", str(mine.pk)
    data |= {"contact-1-id": "", "contact-1-phone": "+1 555 0111", "contact-1-preferred_language": ""}
    assert client.post(URL, data).status_code in (200, 302)
    assert Guardianship.objects.count() == 2


def test_staff_post_changes_nothing(client, world):
    before = list(Guardianship.objects.values_list("pk", "phone"))
    theirs = Guardianship.objects.get(user=world.parent)
    data = {"contact-TOTAL_FORMS": "1", "contact-INITIAL_FORMS": "1", "contact-MIN_NUM_FORMS": "0",
            "contact-MAX_NUM_FORMS": "1000", "contact-0-id": str(theirs.pk),
            "contact-0-phone": "+1 555 0199", "contact-0-preferred_language": ""}
    response = client_for(client, world.clinic_admin).post(URL, data, follow=True)
    assert "changed since the page was opened" in response.content.decode()
    assert list(Guardianship.objects.values_list("pk", "phone")) == before


def test_the_page_is_in_spanish_for_a_spanish_reader(client, world):
    page = client_for(client, world.parent).get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cómo le contactamos" in page


@pytest.mark.parametrize("phone", ["+1 555 0100", "(55) 1234-5678", "030/123456", "555.0100", "12345"])
def test_numbers_as_people_write_them_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["", " ", "1234", "+", "++15550100", "phone", "1" * 16])
def test_numbers_that_cannot_be_dialled_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
