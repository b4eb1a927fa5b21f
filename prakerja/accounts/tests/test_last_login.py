"""Signing in stamps ``last_login`` with one UPDATE and no history row (the column is left out
of the account's history, so the row would repeat the one before it)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from prakerja.accounts.apps import last_login_stamp
from prakerja.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_signing_in_stamps_last_login_without_a_history_row() -> None:
    user = User.objects.create(username="pendaftar-ll", role=Role.APPLICANT, phone=None)
    rows = user.history.count()
    assert user.last_login is None

    Client().force_login(user)

    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == rows


def test_the_stamp_changes_only_that_user() -> None:
    one = User.objects.create(username="pendaftar-a", role=Role.APPLICANT, phone=None)
    two = User.objects.create(username="pendaftar-b", role=Role.APPLICANT, phone=None)
    last_login_stamp(User, user=one, request=RequestFactory().get("/"))
    assert User.objects.get(pk=one.pk).last_login == one.last_login
    assert User.objects.get(pk=two.pk).last_login is None
