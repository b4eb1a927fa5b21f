from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_post, make_provider, make_user
from prakerja.regions.models import Regency

pytestmark = pytest.mark.django_db


def _refused(**fields: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="x", **fields)


def test_the_database_refuses_an_officer_without_a_post() -> None:
    _refused(role=Role.OFFICER)


def test_the_database_refuses_a_post_on_any_other_role() -> None:
    _refused(role=Role.CALLCENTRE, post=make_post())


def test_the_database_refuses_a_provider_operator_without_a_provider() -> None:
    _refused(role=Role.PROVIDER)


def test_the_database_refuses_a_provider_on_any_other_role() -> None:
    _refused(role=Role.MANAGER, provider=make_provider())


def test_the_database_refuses_a_regency_on_anyone_but_a_data_officer() -> None:
    _refused(role=Role.OFFICER, post=make_post(), regency=Regency.objects.get(pk="3578"))


def test_the_database_refuses_superuser_rights_for_anyone_but_a_superadmin() -> None:
    _refused(role=Role.MANAGER, is_superuser=True, is_staff=True)


def test_the_database_refuses_a_superadmin_without_superuser_rights() -> None:
    _refused(role=Role.SUPERADMIN, is_staff=True)


def test_a_data_officer_may_be_bound_to_a_regency_or_to_the_whole_province() -> None:
    User.objects.create(username="sby", role=Role.DATA_OFFICER, regency_id="3578")
    User.objects.create(username="jatim", role=Role.DATA_OFFICER)
    assert User.objects.filter(role=Role.DATA_OFFICER).count() == 2


def test_createsuperuser_makes_a_superadmin() -> None:
    user = get_user_model().objects.create_superuser("root", password="Kata-sandi-uji-2026")
    assert (user.role, user.is_superuser, user.is_staff) == (Role.SUPERADMIN, True, True)


def test_a_user_is_shown_by_full_name_or_else_username() -> None:
    assert str(make_user(username="ani", full_name="Ani Lestari")) == "Ani Lestari"
    assert str(User(username="budi")) == "budi"


def test_changes_to_a_user_are_kept_in_history_without_the_password() -> None:
    user = make_user(role=Role.MANAGER)
    user.full_name = "Nama Baru"
    user.save()
    assert user.history.count() == 2
    assert not hasattr(user.history.first(), "password")
