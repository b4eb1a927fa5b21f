"""The hand-written statements of the final submission (core.rowsql) give what the ORM gives:
the same instance with its person, and the same history row simple-history writes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model

from prakerja.core.audit import audit_as
from prakerja.core.rowsql import update_with_history
from prakerja.registry.models import Registration
from prakerja.registry.selectors import registration_get_for_actor
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.tests.conftest import complete_registration, new_applicant


def _values(instance: Model) -> dict[str, object]:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_locked_registration_equals_the_orm_one_with_its_person() -> None:
    user = new_applicant()
    registration = complete_registration(user, serial=3)
    with transaction.atomic():
        locked = registration_get_for_actor(
            actor=user, reference=registration.reference, for_update=True
        )
    expected = Registration.objects.select_related("person").get(pk=registration.pk)
    assert _values(locked) == _values(expected)
    # Typed as the ORM types them: dates, datetimes, JSON lists, phone numbers.
    assert locked.birth_date == expected.birth_date and locked.birth_date is not None
    assert locked.consent_at == expected.consent_at and locked.consent_at is not None
    assert locked.nik_warnings == expected.nik_warnings
    assert str(locked.phone) == str(expected.phone) and str(locked.phone).startswith("+62")
    assert locked.person is not None and expected.person is not None
    assert _values(locked.person) == _values(expected.person)
    assert locked.person.nik_masked == expected.person.nik_masked
    assert not locked._state.adding and locked._state.db == "default"


def test_locked_registration_without_a_person_has_none_without_a_query(
    django_assert_num_queries: Any,
) -> None:
    user = new_applicant()
    registration = complete_registration(user, serial=4)
    Registration.objects.filter(pk=registration.pk).update(person=None)
    with transaction.atomic():
        locked = registration_get_for_actor(
            actor=user, reference=registration.reference, for_update=True
        )
    with django_assert_num_queries(0):
        assert locked.person is None


def test_update_with_history_writes_the_row_and_the_history_simple_history_would() -> None:
    user = new_applicant()
    registration = complete_registration(user, serial=5)
    before = registration.history.count()  # type: ignore[attr-defined]
    registration.status = Registration.Status.INELIGIBLE
    registration.ineligibility_reasons = [{"code": "x", "message": "alasan"}]
    audit_as(registration, actor=user, reason="uji")
    with transaction.atomic():
        update_with_history(registration, ["status", "ineligibility_reasons", "updated_at"])
    stored = Registration.objects.get(pk=registration.pk)
    assert stored.status == Registration.Status.INELIGIBLE
    assert stored.ineligibility_reasons == [{"code": "x", "message": "alasan"}]
    assert stored.updated_at == registration.updated_at  # auto_now set, as save() does
    records = list(registration.history.order_by("-history_id"))  # type: ignore[attr-defined]
    assert len(records) == before + 1
    latest = records[0]
    assert latest.history_type == "~"
    assert latest.history_change_reason == "uji"
    assert latest.history_user_id == user.pk
    for field in Registration._meta.concrete_fields:
        assert getattr(latest, field.attname) == getattr(stored, field.attname), field.name
    # The diff against the previous record is what the history page shows.
    delta = latest.diff_against(records[1])
    assert {change.field for change in delta.changes} >= {"status", "ineligibility_reasons"}


def test_submission_history_row_names_the_submitter_and_reason() -> None:
    user = new_applicant()
    registration = complete_registration(user, serial=6)
    submitted = registration_submit(actor=user, registration=registration)
    latest = submitted.history.latest()  # type: ignore[attr-defined]
    assert latest.status == Registration.Status.SUBMITTED
    assert latest.history_change_reason == "pendaftaran dikirim"
    assert latest.history_user_id == user.pk
    assert latest.submitted_at == Registration.objects.get(pk=registration.pk).submitted_at
