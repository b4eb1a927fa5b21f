from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from prakerja.accounts.models import Role, User
from prakerja.assistance.models import Post

pytestmark = pytest.mark.django_db

USERS = "/admin/accounts/user/"


@pytest.fixture
def admin_client_2fa(client: Client, superadmin: User) -> Client:
    client.force_login(superadmin)
    return client


def _add(client: Client, **fields: Any) -> Any:
    data = {
        "username": "baru",
        "full_name": "Petugas Baru",
        "usable_password": "true",
        "password1": "Rahasia-petugas-2026",
        "password2": "Rahasia-petugas-2026",
        "role": Role.OFFICER,
        "post": "",
        "regency": "",
        "provider": "",
    }
    data.update(fields)
    return client.post(f"{USERS}add/", data)


def test_the_user_list_filters_by_role(
    admin_client_2fa: Client, officer: User, manager: User
) -> None:
    response = admin_client_2fa.get(USERS, {"role__exact": Role.OFFICER})
    assert response.status_code == 200
    page = response.content.decode()
    assert officer.username in page
    assert manager.username not in page


def test_the_add_page_asks_for_role_and_binding(admin_client_2fa: Client) -> None:
    response = admin_client_2fa.get(f"{USERS}add/")
    assert response.status_code == 200
    for field in ("role", "post", "regency", "provider", "full_name"):
        assert f'name="{field}"' in response.content.decode()


def test_adding_an_officer_without_a_post_shows_the_rule_in_indonesian(
    admin_client_2fa: Client,
) -> None:
    response = _add(admin_client_2fa)
    assert response.status_code == 200
    assert "Petugas pendamping wajib terikat pada satu posko." in response.content.decode()
    assert not User.objects.filter(username="baru").exists()


def test_a_superadmin_adds_an_officer_and_history_names_them(
    admin_client_2fa: Client, superadmin: User, surabaya_post: Post
) -> None:
    response = _add(admin_client_2fa, post=surabaya_post.pk)
    assert response.status_code == 302
    user = User.objects.get(username="baru")
    assert (user.role, user.post, user.is_superuser) == (Role.OFFICER, surabaya_post, False)
    assert user.history.get().history_user == superadmin


def test_a_regency_outside_east_java_is_refused_in_the_admin(admin_client_2fa: Client) -> None:
    response = _add(admin_client_2fa, role=Role.DATA_OFFICER, regency="3273")
    assert "Kabupaten/kota harus berada di Provinsi Jawa Timur." in response.content.decode()


def _change(client: Client, user: User, **fields: Any) -> Any:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": "",
        "phone": "",
        "role": user.role,
        "post": user.post_id or "",
        "regency": user.regency_id or "",
        "provider": user.provider_id or "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    data.update(fields)
    return client.post(f"{USERS}{user.pk}/change/", data)


def test_making_someone_superadmin_gives_superuser_rights_and_taking_it_away_removes_them(
    admin_client_2fa: Client, manager: User
) -> None:
    response = _change(admin_client_2fa, manager, role=Role.SUPERADMIN)
    assert response.status_code == 302
    manager.refresh_from_db()
    assert (manager.is_superuser, manager.is_staff) == (True, True)

    response = _change(admin_client_2fa, manager, role=Role.VIEWER, is_staff="")
    assert response.status_code == 302
    manager.refresh_from_db()
    assert (manager.role, manager.is_superuser, manager.is_staff) == (Role.VIEWER, False, False)


def test_the_history_page_shows_changes(admin_client_2fa: Client, manager: User) -> None:
    _change(admin_client_2fa, manager, full_name="Fajar Nugroho")
    response = admin_client_2fa.get(f"{USERS}{manager.pk}/history/")
    assert response.status_code == 200
    assert "Fajar Nugroho" in response.content.decode()


@pytest.mark.parametrize("persona", ["manager", "officer", "applicant"])
def test_only_the_superadmin_gets_into_the_admin(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.get(USERS)
    assert response.status_code == 302
    assert "login" in response["Location"]
