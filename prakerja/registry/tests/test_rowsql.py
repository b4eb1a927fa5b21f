"""The hand-written statements of the surge path (core.rowsql) give what the ORM gives: the
same instance with its person, and the same history row simple-history writes. The text of
those statements (``RowLoader.select``) is pinned here too."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import User
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.core.audit import audit_as
from prakerja.core.rowsql import RowLoader, insert_rows, insert_with_history, update_with_history
from prakerja.identity.models import Person
from prakerja.identity.services import person_get_or_create
from prakerja.identity.tests.factories import fake_nik
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Programme, Registration, TestAnswer, TestQuestion
from prakerja.registry.selectors import registration_get_for_actor, registration_of_user
from prakerja.registry.services.draft import registration_update_draft
from prakerja.registry.services.registration import registration_start
from prakerja.registry.services.submission import registration_submit
from prakerja.registry.steps import Step
from prakerja.registry.tests.conftest import complete_registration, new_applicant, step_data
from prakerja.waves.models import WaveEntry
from prakerja.waves.selectors import _latest_entry
from prakerja.waves.tests.population import closed_wave


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


@pytest.mark.parametrize(
    ("model", "others"),
    [
        (Person, set()),
        (Registration, set()),
        # session_users' receiver voids cached copies of an existing account: a new
        # applicant's row (accounts.services.applicant_get_or_create_by_phone) has none.
        (User, {"prakerja.accounts.session_users"}),
    ],
)
def test_models_inserted_by_insert_with_history_have_only_simple_history_post_save(
    model: type[Model], others: set[str]
) -> None:
    # insert_with_history sends no post_save: a receiver added later for one of these models
    # would silently miss their new rows. It has to be handled there first.
    receivers = post_save._live_receivers(model)  # Django has no public form of this
    sync_receivers = receivers[0] if isinstance(receivers, tuple) else receivers
    modules = {getattr(receiver, "__module__", "") for receiver in sync_receivers}
    assert modules == {"simple_history.models", *others}
    before = pre_save._live_receivers(model)
    assert not any(before[0] if isinstance(before, tuple) else before)


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


def test_the_latest_wave_entry_equals_the_orm_one_with_its_wave(programme: Programme) -> None:
    registration = complete_registration(new_applicant(), serial=9)
    first = closed_wave(programme, {"3578": 1}, [registration])
    latest = closed_wave(programme, {"3578": 1}, [registration])
    entries = WaveEntry.objects.filter(registration=registration).select_related("wave")
    for wave_id, expected in (
        (None, entries.order_by("-wave__number").first()),
        (first.pk, entries.filter(wave=first).order_by("-wave__number").first()),
    ):
        found = _latest_entry(registration_id=registration.pk, wave_id=wave_id)
        assert found is not None and expected is not None
        assert found.wave_id == (wave_id or latest.pk)
        assert _values(found) == _values(expected)
        assert _values(found.wave) == _values(expected.wave)
    other = complete_registration(new_applicant(), serial=10)
    assert _latest_entry(registration_id=other.pk, wave_id=None) is None


# --- RowLoader.select ------------------------------------------------------------------------

_registrations = RowLoader(Registration, related="person")
_entries = RowLoader(WaveEntry, related="wave")
_people = RowLoader(Person)


def _text(sql: str, columns: str) -> str:
    """``sql`` with its select list (``RowLoader.columns``, tested by the loads) as "…"."""
    assert sql.count(columns) == 1
    return sql.replace(columns, "…")


def test_select_without_a_join_reads_the_quoted_table_under_its_alias() -> None:
    sql = _people.select("p", "p.nik_index = %s", order="p.id ASC", limit=1)
    assert _text(sql, _people.columns("p")) == (
        'SELECT … FROM "identity_person" p WHERE p.nik_index = %s ORDER BY p.id ASC LIMIT 1'
    )
    assert _text(_people.select("p", "p.id = %s"), _people.columns("p")) == (
        'SELECT … FROM "identity_person" p WHERE p.id = %s'
    )


def test_select_joins_a_nullable_foreign_key_with_a_left_join() -> None:
    sql = _registrations.select("r", "r.reference = %s", related_alias="p")
    assert _text(sql, _registrations.columns("r", related_alias="p")) == (
        'SELECT … FROM "registry_registration" r '
        'LEFT JOIN "identity_person" p ON p."id" = r."person_id" '
        "WHERE r.reference = %s"
    )


def test_select_joins_a_required_foreign_key_with_an_inner_join() -> None:
    sql = _entries.select(
        "e", "e.registration_id = %s", related_alias="w", order="w.number DESC", limit=1
    )
    assert _text(sql, _entries.columns("e", related_alias="w")) == (
        'SELECT … FROM "waves_waveentry" e '
        'INNER JOIN "waves_wave" w ON w."id" = e."wave_id" '
        "WHERE e.registration_id = %s ORDER BY w.number DESC LIMIT 1"
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's lock forms")
def test_select_for_update_on_sqlite_adds_no_lock() -> None:
    assert _people.select("p", "p.id = %s", for_update=True) == _people.select("p", "p.id = %s")
    assert _registrations.select(
        "r", "r.id = %s", related_alias="p", for_update=True
    ) == _registrations.select("r", "r.id = %s", related_alias="p")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's lock forms")
def test_select_for_update_on_postgresql_locks_only_the_models_row() -> None:
    plain = _people.select("p", "p.id = %s", order="p.id ASC", limit=1)
    locked = _people.select("p", "p.id = %s", order="p.id ASC", limit=1, for_update=True)
    assert locked == plain + " FOR UPDATE"
    joined = _registrations.select("r", "r.id = %s", related_alias="p")
    joined_locked = _registrations.select("r", "r.id = %s", related_alias="p", for_update=True)
    assert joined_locked == joined + " FOR UPDATE OF r"


def test_select_builds_each_statement_once() -> None:
    loader = RowLoader(Person)
    sql = loader.select("p", "p.nik_index = %s", limit=1)
    assert loader.select("p", "p.nik_index = %s", limit=1) is sql
    assert loader.select("p", "p.nik_index = %s", limit=2) == sql.replace("LIMIT 1", "LIMIT 2")
    assert loader.select("q", "q.nik_index = %s", limit=1) != sql


def test_select_refuses_a_join_the_loader_was_not_made_for() -> None:
    # Rows without the related columns would leave a loader with ``related`` caching None
    # as the related object, so the join is required exactly when the loader has one.
    with pytest.raises(ValueError, match="related_alias"):
        _people.select("p", "p.id = %s", related_alias="x")
    with pytest.raises(ValueError, match="related_alias"):
        _registrations.select("r", "r.id = %s")


def test_select_reads_the_rows_the_orm_reads() -> None:
    user = new_applicant()
    with_person = complete_registration(user, serial=11)
    without_person = complete_registration(new_applicant(), serial=12)
    Registration.objects.filter(pk=without_person.pk).update(person=None)
    for registration in (with_person, without_person):
        expected = Registration.objects.select_related("person").get(pk=registration.pk)
        for lock in (False, True):
            with transaction.atomic():
                found = _registrations.first(
                    _registrations.select("r", "r.id = %s", related_alias="p", for_update=lock),
                    [registration.pk],
                )
            assert isinstance(found, Registration) and _values(found) == _values(expected)
            if expected.person is None:
                assert found.person is None
            else:
                assert found.person is not None
                assert _values(found.person) == _values(expected.person)
    assert with_person.person_id is not None
    person = Person.objects.get(pk=with_person.person_id)
    with transaction.atomic():
        found_person = _people.first(
            _people.select("p", "p.nik_index = %s", order="p.id ASC", limit=1, for_update=True),
            [person.nik_index],
        )
    assert found_person is not None and _values(found_person) == _values(person)
    newest = _registrations.first(
        _registrations.select(
            "r", "r.programme_id = %s", related_alias="p", order="r.id DESC", limit=1
        ),
        [with_person.programme_id],
    )
    expected_newest = (
        Registration.objects.filter(programme_id=with_person.programme_id)
        .select_related("person")
        .order_by("-id")
        .first()
    )
    assert newest is not None and expected_newest is not None
    assert _values(newest) == _values(expected_newest)
    assert _people.first(_people.select("p", "p.nik_index = %s"), ["nothing"]) is None


# --- insert_rows -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", [OutboxMessage, TestAnswer, Session])
def test_models_inserted_by_insert_rows_have_no_receivers_and_no_history(
    model: type[Model],
) -> None:
    # insert_rows sends no signal and writes no history row, as bulk_create: a receiver or
    # a history added later to one of these models would silently miss their new rows.
    for signal in (pre_save, post_save):
        receivers = signal._live_receivers(model)  # Django has no public form of this
        assert not any(receivers[0] if isinstance(receivers, tuple) else receivers)
    assert not hasattr(model, "history")


def test_insert_rows_writes_what_create_would() -> None:
    from django.utils import timezone

    now = timezone.now()
    insert_rows(
        OutboxMessage,
        ("channel", "recipient", "subject", "body", "created_at"),
        [("sms", "+6281234567890", "", "Kode masuk: 123456", now)],
    )
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient, message.subject, message.body) == (
        "sms",
        "+6281234567890",
        "",
        "Kode masuk: 123456",
    )
    assert message.created_at == now
    insert_rows(OutboxMessage, ("channel",), [])  # nothing to write: no statement
    assert OutboxMessage.objects.count() == 1


def test_insert_rows_with_update_on_conflict_is_bulk_creates_upsert(programme: Programme) -> None:
    from django.utils import timezone

    user = new_applicant()
    registration = registration_start(actor=user, user=user)
    questions = list(TestQuestion.objects.filter(programme=programme, is_active=True)[:3])
    assert len(questions) == 3
    first = timezone.now()
    names = ("registration", "question", "choice", "answered_at")
    insert_rows(
        TestAnswer,
        names,
        [(registration.pk, q.pk, 0, first) for q in questions[:2]],
        unique=("registration", "question"),
        update=("choice", "answered_at"),
    )
    later = timezone.now()
    insert_rows(
        TestAnswer,
        names,
        [
            (registration.pk, questions[1].pk, 2, later),
            (registration.pk, questions[2].pk, 1, later),
        ],
        unique=("registration", "question"),
        update=("choice", "answered_at"),
    )
    answers = {
        a.question_id: (a.choice, a.answered_at)
        for a in TestAnswer.objects.filter(registration=registration)
    }
    assert answers == {
        questions[0].pk: (0, first),
        questions[1].pk: (2, later),
        questions[2].pk: (1, later),
    }


@pytest.mark.parametrize(
    ("unique", "update"), [(("registration", "question"), ()), ((), ("choice",))]
)
def test_insert_rows_refuses_half_an_upsert(
    unique: tuple[str, ...], update: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match="both unique and update"):
        insert_rows(TestAnswer, ("choice",), [(1,)], unique=unique, update=update)


def test_update_by_key_writes_the_fields_as_save_would_and_counts_the_rows() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from prakerja.core.rowsql import update_by_key

    now = timezone.now()
    message = OutboxMessage.objects.create(channel="sms", recipient="+62", body="a", created_at=now)
    later = now + timedelta(minutes=5)
    assert update_by_key(OutboxMessage, ("body", "created_at"), ["b", later], key=message.pk) == 1
    message.refresh_from_db()
    assert (message.body, message.created_at, message.recipient) == ("b", later, "+62")
    assert update_by_key(OutboxMessage, ("body",), ["c"], key=message.pk + 1) == 0
