from __future__ import annotations

import pytest
from django.test import Client, override_settings

from prakerja.accounts.models import Role, User
from prakerja.assistance.models import Post
from prakerja.assistance.services import assistance_seed_load

pytestmark = pytest.mark.django_db


@override_settings(STAFF_TWO_FACTOR_REQUIRED=False)
def test_an_admin_edit_of_a_post_is_audited_with_the_acting_user(client: Client) -> None:
    assistance_seed_load()
    admin = User.objects.create_superuser(
        username="alice", password="x", email="", role=Role.SUPERADMIN
    )
    client.force_login(admin)
    post = Post.objects.get(code="disnaker-3578")
    form = {
        "code": post.code,
        "name": post.name,
        "kind": post.kind,
        "regency": post.regency_id,
        "address": "Jl. Contoh No. 2",
        "opening_hours": post.opening_hours,
        "slot_minutes": 30,
        "slot_capacity": 4,
        "opens_at": "08:00",
        "closes_at": "15:00",
        "open_weekdays": "12345",
        "is_active": "on",
    }
    response = client.post(f"/admin/assistance/post/{post.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = post.history.latest()
    assert latest.history_user == admin
    assert latest.slot_capacity == 4
    assert latest.history_type == "~"


def test_the_admin_sign_in_goes_through_the_two_factor_sign_in(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("model", ["slot", "appointment", "queueticket", "assistancevisit"])
def test_the_admin_lists_the_appointment_models(
    client: Client, superadmin: User, model: str
) -> None:
    client.force_login(superadmin)
    assert client.get(f"/admin/assistance/{model}/").status_code == 200
