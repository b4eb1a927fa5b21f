"""The hand-written statements of the surge path (core.rowsql) give what the ORM gives: the
same instance with its person, and the same history row simple-history writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.core.audit import audit_as
from prakerja.core.rowsql import insert_with_history, update_with_history
from prakerja.identity.models import Person
from prakerja.identity.services import person_get_or_create
from prakerja.identity.tests.factories import fake_nik
from prakerja.registry.models import Programme, Registration
from prakerja.registry.selectors import registration_get_for_actor, registration_of_user
from prakerja.registry.services.draft import registration_update_draft
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import complete_registration, new_applicant, step_data


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


# --- insert_with_history ---------------------------------------------------------------------


def test_insert_with_history_writes_the_row_and_the_history_save_would(
    programme: Programme,
) -> None:
    user = new_applicant()
    registration = Registration(reference="UJI-INSERT-1", programme=programme, user=user)
    audit_as(registration, actor=user, reason="pendaftaran dimulai")
    with transaction.atomic():
        assert insert_with_history(registration) is True
    assert registration.pk is not None and not registration._state.adding
    assert registration._state.db == "default"
    stored = Registration.objects.get(pk=registration.pk)
    assert _values(stored) == _values(registration)
    assert stored.created_at is not None  # auto_now_add set, as save() does
    (record,) = registration.history.all()  # type: ignore[attr-defined]
    assert record.history_type == "+"
    assert record.history_change_reason == "pendaftaran dimulai"
    assert record.history_user_id == user.pk
    for field in Registration._meta.concrete_fields:
        assert getattr(record, field.attname) == getattr(stored, field.attname), field.name


def test_insert_with_history_on_a_unique_conflict_writes_nothing_and_the_transaction_goes_on(
    programme: Programme,
) -> None:
    user = new_applicant()
    first = Registration(reference="UJI-INSERT-2", programme=programme, user=user)
    again = Registration(reference="UJI-INSERT-3", programme=programme, user=user)
    with transaction.atomic():
        assert insert_with_history(first) is True
        # One registration per account and programme: the second is refused quietly, and
        # the same transaction can still read and write (no savepoint was needed).
        assert insert_with_history(again) is False
        assert again.pk is None and again._state.adding
        assert Registration.objects.filter(user=user).count() == 1
        first.full_name = "Masih Bisa Ditulis"
        first.save(update_fields=["full_name"])
    assert Registration.history.filter(id=first.pk).count() == 2  # type: ignore[attr-defined]
    assert not Registration.history.filter(reference="UJI-INSERT-3").exists()  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", [Person, Registration])
def test_models_inserted_by_insert_with_history_have_only_simple_history_post_save(
    model: type[Model],
) -> None:
    # insert_with_history sends no post_save: a receiver added later for one of these models
    # would silently miss their new rows. It has to be handled there first.
    receivers = post_save._live_receivers(model)  # Django has no public form of this
    sync_receivers = receivers[0] if isinstance(receivers, tuple) else receivers
    modules = {getattr(receiver, "__module__", "") for receiver in sync_receivers}
    assert modules == {"simple_history.models"}


def _savepoints_of_identity_step(programme: Programme, nik: str) -> int:
    user = new_applicant()
    registration = registration_start(actor=user, user=user)
    data = {**step_data(programme)[Step.IDENTITY], "nik": nik}
    with CaptureQueriesContext(connection) as queries:
        registration_update_draft(
            actor=user, registration=registration, step=Step.IDENTITY, data=data
        )
    assert Registration.objects.get(pk=registration.pk).person is not None
    return sum(1 for query in queries if query["sql"].startswith("SAVEPOINT"))


def test_identity_step_with_a_new_person_needs_no_savepoint_for_the_one_nik_rule(
    programme: Programme,
) -> None:
    # A person created in this transaction cannot be held by another registration yet; a
    # person found already existing can, so its save keeps the savepoint that turns the
    # unique index's refusal into "NIK already registered".
    new = _savepoints_of_identity_step(programme, fake_nik(serial=41))
    existing_nik = fake_nik(serial=42)
    person_get_or_create(nik=existing_nik)
    found = _savepoints_of_identity_step(programme, existing_nik)
    assert found == new + 1


def test_a_new_persons_history_names_the_signed_in_user_of_the_request() -> None:
    # As simple-history does without ``audit_as``: the request's signed-in user
    # (HistoryRequestMiddleware), here an officer registering someone at a posko.
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    officer = new_applicant()
    request = RequestFactory().get("/")
    request.user = officer
    HistoricalRecords.context.request = request
    try:
        person, created = person_get_or_create(nik=fake_nik(serial=43))
    finally:
        del HistoricalRecords.context.request
    assert created
    (record,) = Person.history.filter(id=person.pk)  # type: ignore[attr-defined]
    assert record.history_type == "+" and record.history_user_id == officer.pk


def test_a_users_registration_equals_the_orm_first_locked_or_not() -> None:
    user = new_applicant()
    registration = complete_registration(user, serial=6)
    programme_id = registration.programme_id
    expected = Registration.objects.filter(user=user, programme_id=programme_id).first()
    assert expected is not None
    for lock in (False, True):
        with transaction.atomic():
            found = registration_of_user(
                user_id=user.pk, programme_id=programme_id, for_update=lock
            )
        assert found is not None and _values(found) == _values(expected)
        assert str(found.phone) == str(expected.phone) and found.birth_date == expected.birth_date
    assert registration_of_user(user_id=new_applicant().pk, programme_id=programme_id) is None


def test_an_existing_person_and_account_are_read_as_the_orm_reads_them() -> None:
    user = new_applicant(phone="+6281234567808")
    registration = complete_registration(user, serial=8)
    assert registration.person_id is not None
    person = Person.objects.get(pk=registration.person_id)
    nik = person.nik
    with transaction.atomic():
        found, created = person_get_or_create(nik=nik)
    assert not created and _values(found) == _values(person)
    account, created = applicant_get_or_create_by_phone(phone="0812-3456-7808")
    assert not created and _values(account) == _values(User.objects.get(pk=user.pk))
    assert str(account.phone) == str(user.phone)
