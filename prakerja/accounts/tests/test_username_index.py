"""Usernames are unique whatever their case, through an index on ``UPPER(username)``: a
generated one is checked through it, not by reading the whole users table (issue 17: the
sign-up scan), and a new applicant's row is inserted without a look-up, the index refusing a
name already taken."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.adapters import applicant_username_generate
from prakerja.accounts.models import Role, User
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.accounts.testing import make_user


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_case_insensitive_username_check_uses_an_index() -> None:
    make_user(username="Petugas-Besar")
    with CaptureQueriesContext(connection) as queries:
        applicant_username_generate()
    (check,) = [q["sql"] for q in queries.captured_queries if "accounts_user" in q["sql"]]
    with connection.cursor() as cursor:
        # A tiny table is cheapest to scan; forbid that to see whether an index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {check}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "user_username_upper" in plan, plan


@pytest.mark.django_db
def test_a_generated_username_never_collides_in_another_case() -> None:
    make_user(username="HP-ABCDEFGHIJ")
    name = applicant_username_generate()
    assert name.startswith("hp-")
    assert not User.objects.filter(username__iexact=name).exists()


@pytest.mark.django_db
def test_a_name_taken_in_another_case_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(username="HP-ABCDEFGHJK")
    draws = iter(["abcdefghjk", "mnpqrstuvw"])
    monkeypatch.setattr("prakerja.accounts.adapters.random_string", lambda *_args: next(draws))
    assert applicant_username_generate() == "hp-mnpqrstuvw"


@pytest.mark.django_db
def test_the_database_refuses_a_username_taken_in_another_case() -> None:
    make_user(username="Petugas-Besar")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="petugas-besar", role=Role.APPLICANT)


@pytest.mark.django_db
def test_a_new_applicant_is_inserted_without_looking_its_username_up() -> None:
    with CaptureQueriesContext(connection) as queries:
        user, created = applicant_get_or_create_by_phone(phone="081234500021")
    assert created and user.username.startswith("hp-")
    assert not [q for q in queries.captured_queries if "UPPER(" in q["sql"].upper()]
    assert User.objects.filter(username__iexact=user.username).count() == 1


@pytest.mark.django_db
def test_a_drawn_name_taken_in_another_case_is_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user(username="HP-ABCDEFGHJK")
    draws = iter(["abcdefghjk", "mnpqrstuvw"])
    monkeypatch.setattr("prakerja.accounts.adapters.random_string", lambda *_args: next(draws))
    user, created = applicant_get_or_create_by_phone(phone="081234500022")
    assert created
    assert user.username == "hp-mnpqrstuvw"
    assert user.history.count() == 1  # the refused draw wrote nothing


@pytest.mark.django_db
def test_an_account_is_not_made_when_every_drawn_name_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_user(username="HP-ABCDEFGHJK")
    monkeypatch.setattr("prakerja.accounts.adapters.random_string", lambda *_args: "abcdefghjk")
    with pytest.raises(IntegrityError), transaction.atomic():
        applicant_get_or_create_by_phone(phone="081234500023")
    assert not User.objects.filter(phone="+6281234500023").exists()


@pytest.mark.django_db
def test_a_sign_in_name_taken_in_another_case_is_refused_with_a_message() -> None:
    from prakerja.accounts.services import applicant_sign_in_name_set
    from prakerja.core.errors import ApplicationError

    make_user(username="pjabcd2345", role=Role.CALLCENTRE)
    officer = make_user(role=Role.OFFICER)
    walk_in = User.objects.create(username="hp-walkin0001", role=Role.APPLICANT, phone=None)
    with pytest.raises(ApplicationError) as refused:
        applicant_sign_in_name_set(actor=officer, user=walk_in, name="PJ-ABCD-2345")
    assert refused.value.code == "account.username_taken"
    walk_in.refresh_from_db()
    assert walk_in.username == "hp-walkin0001"


@pytest.mark.django_db
def test_migration_0012_names_the_usernames_alike_but_for_case_before_the_index() -> None:
    """Its check, on a database as it was before the unique index (dropped inside this
    test's transaction): the names to settle are named, instead of the index failing."""
    import importlib

    from django.apps import apps

    check = importlib.import_module(
        "prakerja.accounts.migrations.0012_username_unique_ignoring_case"
    ).no_names_alike
    check(apps, None)  # today's database: nothing alike
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX user_username_upper_unique")
    make_user(username="Ani")
    make_user(username="ANI")
    make_user(username="Budi")
    with pytest.raises(RuntimeError, match=r"renamed first .*: ANI$"):
        check(apps, None)


@pytest.mark.django_db
def test_a_new_number_is_inserted_without_looking_the_number_up_first() -> None:
    with CaptureQueriesContext(connection) as queries:
        user, created = applicant_get_or_create_by_phone(phone="081234500024")
    assert created
    account_reads = [
        q["sql"]
        for q in queries.captured_queries
        if "accounts_user" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert account_reads == []
    assert user.history.count() == 1


@pytest.mark.django_db
def test_a_known_number_gets_its_account_back_and_writes_nothing() -> None:
    first, created = applicant_get_or_create_by_phone(phone="081234500025")
    assert created
    again, created_again = applicant_get_or_create_by_phone(phone="+62 812-3450-0025")
    assert not created_again
    assert again.pk == first.pk
    assert again.username == first.username
    assert User.objects.filter(phone="+6281234500025").count() == 1
    assert first.history.count() == 1  # the refused insert wrote no history row
