from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from prakerja.accounts.models import Role, User
from prakerja.accounts.services import user_create_staff
from prakerja.accounts.testing import make_post, make_provider
from prakerja.assistance.models import Post
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.regions.models import Regency
from prakerja.training.models import Provider

pytestmark = pytest.mark.django_db

PASSWORD = "Rahasia-petugas-2026"


def _create(actor: User, **overrides: Any) -> User:
    arguments: dict[str, Any] = {
        "username": "baru",
        "password": PASSWORD,
        "role": Role.MANAGER,
        "full_name": "Petugas Baru",
    }
    arguments.update(overrides)
    return user_create_staff(actor=actor, **arguments)


def _error(actor: User, **overrides: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        _create(actor, **overrides)
    assert not User.objects.filter(username=overrides.get("username", "baru")).exists()
    return caught.value


def test_a_superadmin_creates_an_officer_bound_to_a_post(
    superadmin: User, surabaya_post: Post
) -> None:
    user = _create(superadmin, role=Role.OFFICER, post=surabaya_post)
    user.refresh_from_db()
    assert (user.role, user.post, user.full_name) == (Role.OFFICER, surabaya_post, "Petugas Baru")
    assert user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser
    # The staff member sets up TOTP at first sign-in.
    assert not Authenticator.objects.filter(user=user).exists()


def test_the_creation_is_audited_with_the_superadmin_as_author(superadmin: User) -> None:
    user = _create(superadmin)
    record = user.history.get()
    assert (record.history_type, record.history_user) == ("+", superadmin)
    assert record.history_change_reason == "akun petugas dibuat"


def test_a_data_officer_is_bound_to_an_east_java_regency_or_the_whole_province(
    superadmin: User,
) -> None:
    surabaya = Regency.objects.get(pk="3578")
    regency_officer = _create(superadmin, username="sby", role=Role.DATA_OFFICER, regency=surabaya)
    province_officer = _create(superadmin, username="jatim", role=Role.DATA_OFFICER)
    assert regency_officer.regency == surabaya
    assert province_officer.regency is None


def test_a_provider_operator_is_bound_to_a_provider(
    superadmin: User, surabaya_provider: Provider
) -> None:
    user = _create(superadmin, role=Role.PROVIDER, provider=surabaya_provider)
    assert user.provider == surabaya_provider


def test_a_superadmin_gets_superuser_rights_and_the_admin(superadmin: User) -> None:
    user = _create(superadmin, role=Role.SUPERADMIN)
    assert user.is_superuser and user.is_staff


@pytest.mark.parametrize(
    "role", [Role.CALLCENTRE, Role.MANAGER, Role.VIEWER, Role.DATA_OFFICER, Role.PROVIDER]
)
def test_other_staff_roles_do_not_get_the_admin(superadmin: User, role: Role) -> None:
    provider = make_provider() if role == Role.PROVIDER else None
    user = _create(superadmin, role=role, provider=provider)
    assert not user.is_staff and not user.is_superuser


def test_an_officer_without_a_post_is_refused(superadmin: User) -> None:
    error = _error(superadmin, role=Role.OFFICER)
    assert (error.code, error.field) == ("account.post_required", "post")
    assert str(error.message) == "Petugas pendamping wajib terikat pada satu posko."


def test_a_provider_operator_without_a_provider_is_refused(superadmin: User) -> None:
    error = _error(superadmin, role=Role.PROVIDER)
    assert (error.code, error.field) == ("account.provider_required", "provider")
    assert str(error.message) == (
        "Operator lembaga pelatihan wajib terikat pada satu lembaga pelatihan."
    )


def test_a_regency_outside_east_java_is_refused(superadmin: User) -> None:
    bandung = Regency.objects.get(pk="3273")
    error = _error(superadmin, role=Role.DATA_OFFICER, regency=bandung)
    assert (error.code, error.field) == ("account.regency_outside_province", "regency")
    assert str(error.message) == "Kabupaten/kota harus berada di Provinsi Jawa Timur."


@pytest.mark.parametrize(
    ("role", "binding"),
    [
        (Role.MANAGER, "post"),
        (Role.CALLCENTRE, "regency"),
        (Role.VIEWER, "provider"),
        (Role.OFFICER, "provider"),
        (Role.DATA_OFFICER, "post"),
        (Role.SUPERADMIN, "regency"),
    ],
)
def test_a_binding_the_role_does_not_take_is_refused(
    superadmin: User, role: Role, binding: str
) -> None:
    values: dict[str, Any] = {
        "post": make_post(),
        "regency": Regency.objects.get(pk="3578"),
        "provider": make_provider(),
    }
    overrides: dict[str, Any] = {"role": role, binding: values[binding]}
    if role == Role.OFFICER:
        overrides["post"] = values["post"]
    error = _error(superadmin, **overrides)
    assert (error.code, error.field) == ("account.binding_not_allowed", binding)
    assert str(error.message) == (
        "Peran ini tidak dapat terikat pada posko, kabupaten/kota, atau lembaga."
    )


@pytest.mark.parametrize("actor_fixture", ["manager", "officer", "applicant"])
def test_only_a_superadmin_may_create_staff(
    request: pytest.FixtureRequest, actor_fixture: str
) -> None:
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises(PermissionDenied) as caught:
        _create(actor)
    assert caught.value.code == "account.forbidden"
    assert caught.value.status == 403
    assert str(caught.value.message) == "Hanya superadmin yang dapat membuat akun petugas."


def test_a_deactivated_superadmin_may_not_create_staff(superadmin: User) -> None:
    superadmin.is_active = False
    with pytest.raises(PermissionDenied):
        _create(superadmin)


def test_the_applicant_role_is_not_created_here(superadmin: User) -> None:
    error = _error(superadmin, role=Role.APPLICANT)
    assert (error.code, error.field) == ("account.role_not_staff", "role")


def test_an_unknown_role_is_refused(superadmin: User) -> None:
    assert _error(superadmin, role="janitor").code == "account.role_not_staff"


def test_a_taken_username_is_refused_whatever_its_case(superadmin: User, manager: User) -> None:
    error = _error(superadmin, username=manager.username.upper())
    assert (error.code, error.field) == ("account.username_taken", "username")
    assert str(error.message) == "Nama pengguna sudah dipakai."


def test_a_username_with_spaces_is_refused(superadmin: User) -> None:
    assert _error(superadmin, username="petugas baru").code == "account.username_invalid"


def test_a_missing_full_name_is_refused(superadmin: User) -> None:
    error = _error(superadmin, full_name="   ")
    assert (error.code, str(error.message)) == (
        "account.full_name_required",
        "Nama lengkap wajib diisi.",
    )


def test_a_weak_password_is_refused_with_the_validators_message(superadmin: User) -> None:
    error = _error(superadmin, password="12345678")
    assert (error.code, error.field) == ("account.password_weak", "password")
    assert str(error.message) == (
        "Kata sandi ini terlalu umum. Kata sandi ini seluruhnya terdiri dari angka."
    )


def test_a_new_officer_can_be_bound_to_any_post_of_the_province(superadmin: User) -> None:
    malang = make_post(regency_code="3573")
    assert _create(superadmin, role=Role.OFFICER, post=malang).post == malang
