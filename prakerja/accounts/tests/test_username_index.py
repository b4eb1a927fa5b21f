"""A new applicant's generated username is checked case-insensitively through an index, not
by reading the whole users table (issue 17: the sign-up scan)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.adapters import applicant_username_generate
from prakerja.accounts.models import User
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
