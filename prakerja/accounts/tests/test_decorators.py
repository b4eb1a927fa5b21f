from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from prakerja.accounts.decorators import capability_required, role_required
from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Capability

pytestmark = pytest.mark.django_db


@capability_required(Capability.SELECTION_APPROVE)
def approve(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@role_required(Role.DATA_OFFICER)
def import_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def _request(user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_view_needing_a_capability_lets_the_manager_in(manager: User) -> None:
    assert approve(_request(manager)).status_code == 200


def test_a_view_needing_a_capability_refuses_an_officer(officer: User) -> None:
    with pytest.raises(PermissionDenied):
        approve(_request(officer))


def test_a_view_needing_a_capability_sends_anonymous_visitors_to_sign_in() -> None:
    response = approve(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_role_view_lets_the_superadmin_in_and_refuses_other_roles(
    superadmin: User, viewer: User
) -> None:
    assert import_page(_request(superadmin)).status_code == 200
    with pytest.raises(PermissionDenied):
        import_page(_request(viewer))
