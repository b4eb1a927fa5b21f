from __future__ import annotations

from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from prakerja.core.errors import ApplicationError
from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.identity.selectors import person_find_by_nik
from prakerja.identity.services import person_get_or_create, person_kk_set
from prakerja.identity.tests.factories import (
    KK_SURABAYA,
    NIK_MAN_SURABAYA,
    NIK_WOMAN_SURABAYA,
    fake_kk,
    fake_nik,
)

pytestmark = pytest.mark.django_db


def test_it_creates_one_person_per_nik_and_stores_it_encrypted() -> None:
    person, created = person_get_or_create(nik=NIK_WOMAN_SURABAYA, kk=KK_SURABAYA)

    assert created
    assert person.nik == NIK_WOMAN_SURABAYA
    assert person.kk == KK_SURABAYA
    assert person.nik_masked == "3578********0001"
    assert person.kk_masked == "3578********0007"
    assert str(person) == "3578********0001"
    assert NIK_WOMAN_SURABAYA not in person.nik_encrypted
    assert person.nik_index == crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="nik")
    assert person.kk_index == crypto.blind_index(KK_SURABAYA, purpose="kk")


def test_it_returns_the_existing_person_for_a_nik_seen_before() -> None:
    first, _ = person_get_or_create(nik=NIK_WOMAN_SURABAYA)

    again, created = person_get_or_create(nik="3578 0157 0890 0001", kk=KK_SURABAYA)

    assert not created
    assert again.pk == first.pk
    assert Person.objects.count() == 1
    # An existing person is returned as is: a KK is set through person_kk_set.
    assert again.kk == ""


def test_it_keeps_one_row_when_two_submissions_race_past_the_lookup() -> None:
    winner, _ = person_get_or_create(nik=NIK_WOMAN_SURABAYA)

    with (
        transaction.atomic(),
        mock.patch.object(Person.objects, "filter", return_value=Person.objects.none()),
    ):
        loser, created = person_get_or_create(nik=NIK_WOMAN_SURABAYA)
        # The savepoint rolled back only the failed insert: the transaction is still usable.
        assert Person.objects.count() == 1

    assert not created
    assert loser.pk == winner.pk


def test_a_new_nik_is_one_insert_without_a_look_up_first() -> None:
    """The person and its history row at once (one statement on PostgreSQL, two on SQLite);
    a NIK seen before costs the refused insert and one locked read, and writes nothing."""
    with CaptureQueriesContext(connection) as queries:
        person, created = person_get_or_create(nik=NIK_WOMAN_SURABAYA)
    assert created
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 2), statements
    assert statements[0].removeprefix("WITH w AS (").startswith('INSERT INTO "identity_person"')
    assert person.history.count() == 1

    with CaptureQueriesContext(connection) as queries:
        again, created = person_get_or_create(nik=NIK_WOMAN_SURABAYA)
    assert not created and again.pk == person.pk
    assert "FOR UPDATE" in queries.captured_queries[-1]["sql"] or connection.vendor == "sqlite"
    assert person.history.count() == 1
    assert Person.objects.count() == 1


def test_a_person_deleted_between_the_insert_and_the_read_is_inserted_again() -> None:
    """``person_release`` may delete the row the insert met before the read finds it."""
    first, _ = person_get_or_create(nik=NIK_WOMAN_SURABAYA)
    reads = []

    def gone_once(nik_index: str) -> Person | None:
        reads.append(nik_index)
        Person.objects.filter(pk=first.pk).delete()
        return None

    with mock.patch("prakerja.identity.services._person_locked", side_effect=gone_once):
        person, created = person_get_or_create(nik=NIK_WOMAN_SURABAYA)
    assert created and person.pk != first.pk
    assert len(reads) == 1
    assert list(Person.objects.values_list("pk", flat=True)) == [person.pk]


def test_a_nik_that_keeps_changing_hands_is_refused_with_a_retry_message() -> None:
    person_get_or_create(nik=NIK_WOMAN_SURABAYA)
    with (
        mock.patch("prakerja.identity.services._person_locked", return_value=None),
        pytest.raises(ApplicationError) as refused,
    ):
        person_get_or_create(nik=NIK_WOMAN_SURABAYA)
    assert refused.value.code == "person.busy"
    assert refused.value.status == 503
    assert "coba lagi" in str(refused.value.message)


def test_it_refuses_a_malformed_nik_with_the_first_error() -> None:
    with pytest.raises(ApplicationError) as caught:
        person_get_or_create(nik="3578013208900000")

    assert caught.value.code == "nik.date_invalid"
    assert caught.value.field == "nik"
    assert caught.value.status == 400
    assert "3578013208900000" not in str(caught.value)
    assert "3578013208900000" not in str(caught.value.as_dict())
    assert Person.objects.count() == 0


def test_it_refuses_a_malformed_kk() -> None:
    with pytest.raises(ApplicationError) as caught:
        person_get_or_create(nik=NIK_WOMAN_SURABAYA, kk="9978010201150007")

    assert caught.value.code == "kk.province_unknown"
    assert caught.value.field == "kk"
    assert Person.objects.count() == 0


def test_a_nik_with_only_a_warning_is_accepted() -> None:
    _, created = person_get_or_create(nik="3599015708900001")

    assert created


def test_setting_a_kk_is_recorded_in_the_history() -> None:
    person, _ = person_get_or_create(nik=NIK_MAN_SURABAYA)

    person_kk_set(person=person, kk=KK_SURABAYA)
    person_kk_set(person=person, kk=KK_SURABAYA)  # unchanged: no new history row

    person.refresh_from_db()
    assert person.kk == KK_SURABAYA
    assert [h.history_type for h in person.history.order_by("history_id")] == ["+", "~"]


def test_it_finds_a_person_by_nik_through_the_blind_index(django_assert_num_queries) -> None:
    person, _ = person_get_or_create(nik=NIK_WOMAN_SURABAYA)

    assert person_find_by_nik(nik="3578.0157.0890.0001") == person
    assert person_find_by_nik(nik=NIK_MAN_SURABAYA) is None
    with django_assert_num_queries(0):
        assert person_find_by_nik(nik="not a nik") is None


def _columns_containing(needle: str) -> list[str]:
    """Every table.column of the database whose text contains ``needle``, by raw SQL."""
    hits = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                # CAST covers every column type: a NIK could hide in an integer column too.
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608 - quoted identifiers
                    f"WHERE CAST({quote(column.name)} AS TEXT) LIKE %s",
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    hits.append(f"{table}.{column.name}")
    return hits


def test_no_table_holds_a_plaintext_nik_or_kk() -> None:
    people = [(fake_nik(serial=serial), fake_kk(serial=serial)) for serial in range(101, 106)]
    for nik, kk in people:
        person, _ = person_get_or_create(nik=nik)
        person_kk_set(person=person, kk=kk)  # a second history row per person
    person_get_or_create(nik=fake_nik(serial=200), kk=fake_kk(serial=200))

    tables = connection.introspection.table_names()
    assert Person._meta.db_table in tables
    assert Person.history.model._meta.db_table in tables
    assert Person.history.model.objects.count() == 11
    # The scan finds what is there: a region name and a ciphertext.
    assert "regions_regency.name" in _columns_containing("Kota Surabaya")
    token = Person.objects.first().nik_encrypted  # type: ignore[union-attr]
    assert f"{Person._meta.db_table}.nik_encrypted" in _columns_containing(token[:40])

    for nik, kk in [*people, (fake_nik(serial=200), fake_kk(serial=200))]:
        assert _columns_containing(nik) == []
        assert _columns_containing(kk) == []


def test_key_rotation_reencrypts_every_row_and_its_history() -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(NIK_ENCRYPTION_KEYS=[old_key]):
        woman, _ = person_get_or_create(nik=NIK_WOMAN_SURABAYA, kk=KK_SURABAYA)
        man, _ = person_get_or_create(nik=NIK_MAN_SURABAYA)
        person_kk_set(person=man, kk=fake_kk(serial=8))

    with override_settings(NIK_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("personal_data_rotate_keys", "--batch-size", "1")

    with override_settings(NIK_ENCRYPTION_KEYS=[new_key]):
        woman.refresh_from_db()
        man.refresh_from_db()
        assert woman.nik == NIK_WOMAN_SURABAYA
        assert woman.kk == KK_SURABAYA
        assert man.nik == NIK_MAN_SURABAYA
        assert man.kk == fake_kk(serial=8)
        for row in Person.history.all():
            assert crypto.decrypt(row.nik_encrypted) in {NIK_WOMAN_SURABAYA, NIK_MAN_SURABAYA}
            if row.kk_encrypted:
                assert crypto.decrypt(row.kk_encrypted)
        # Rotation is not a change of personal data: no new history rows.
        assert Person.history.count() == 3


def test_key_rotation_is_safe_to_run_again(capsys: pytest.CaptureFixture[str]) -> None:
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(NIK_ENCRYPTION_KEYS=[old_key]):
        person_get_or_create(nik=NIK_WOMAN_SURABAYA, kk=KK_SURABAYA)

    with override_settings(NIK_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("personal_data_rotate_keys")
        first_run = capsys.readouterr().out
        tokens = list(Person.objects.values_list("nik_encrypted", "kk_encrypted"))
        call_command("personal_data_rotate_keys")
        second_run = capsys.readouterr().out

    assert "identity_person: 1 dari 1 baris dienkripsi ulang" in first_run
    assert "identity_person: 0 dari 1 baris dienkripsi ulang" in second_run
    assert "identity_historicalperson: 0 dari 1 baris dienkripsi ulang" in second_run
    assert list(Person.objects.values_list("nik_encrypted", "kk_encrypted")) == tokens
