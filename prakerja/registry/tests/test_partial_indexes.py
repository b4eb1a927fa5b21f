"""Columns empty on most rows (a draft's ``submitted_at`` and regency, an online registration's
post and officer, an applicant's post, regency and provider, issue 17) are indexed only where
set; the queries that read them still find an index. PostgreSQL only: SQLite's planner is not
the one production runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.registry.models import Channel, Registration, TestAnswer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _plan(queryset: QuerySet[Any]) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table is cheapest to scan; forbid that to see whether an index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Registration.objects.filter(assisted_post_id=7), "registration_assisted_post"),
        (
            lambda: Registration.objects.filter(channel=Channel.POST, assisted_by__isnull=False),
            "registration_assisted_by",
        ),
        (
            lambda: Registration.objects.filter(
                submitted_at__gte=timezone.now(), submitted_at__lt=timezone.now()
            ),
            "registration_submitted",
        ),
        (
            lambda: Registration.objects.filter(submitted_at__isnull=False).order_by(
                "submitted_at"
            ),
            "registration_submitted",
        ),
        (
            lambda: Registration.objects.filter(
                channel=Channel.POST, submitted_at__gte=timezone.now()
            ),
            "registration_channel_submitted",
        ),
        (
            lambda: Registration.objects.filter(domicile_regency_id="3578"),
            "registration_regency_set",
        ),
        (lambda: Registration.objects.filter(user_id=5), "registration_one_per_account"),
        (lambda: TestAnswer.objects.filter(registration_id=5), "test_answer_once_per_question"),
        (lambda: User.objects.filter(post_id=3), "user_post_set"),
        (lambda: User.objects.filter(regency_id="3578"), "user_regency_set"),
        (lambda: User.objects.filter(provider_id=2), "user_provider_set"),
    ],
)
def test_the_queries_on_a_partly_empty_column_use_its_partial_index(
    queryset: Any, index: str
) -> None:
    plan = _plan(queryset())
    assert index in plan, plan


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        (
            "registry_registration",
            ["submitted_at", "domicile_regency_id", "assisted_post_id", "assisted_by_id"],
        ),
        ("accounts_user", ["post_id", "regency_id", "provider_id"]),
    ],
)
def test_no_index_holds_the_rows_that_leave_such_a_column_empty(
    table: str, columns: list[str]
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = cursor.fetchall()
    for column in columns:
        covering = [(name, d) for name, d in indexes if f"({column}" in d or f" {column}" in d]
        assert covering, f"no index on {table}.{column}"
        for name, definition in covering:
            assert f"WHERE ({column} IS NOT NULL)" in definition, (name, definition)


def test_each_write_of_a_draft_pays_for_no_index_that_repeats_another() -> None:
    """The account's and the answers' look-ups are served by the unique indexes they lead."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes "
            "WHERE tablename IN ('registry_registration', 'registry_testanswer', "
            "'registry_familycardcount')"
        )
        definitions = cursor.fetchall()
    unique = [d for _table, d in definitions if d.startswith("CREATE UNIQUE INDEX")]
    assert any(d.endswith("(user_id, programme_id)") for d in unique), unique
    assert any(d.endswith("(registration_id, question_id)") for d in unique), unique
    assert any(d.endswith("(programme_id, kk_index)") for d in unique), unique
    single = [
        (table, d)
        for table, d in definitions
        if d.endswith(("(user_id)", "(registration_id)", "(programme_id)"))
    ]
    assert single == []
