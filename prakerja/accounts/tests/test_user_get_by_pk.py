"""``User.objects.get(pk=…)``, which session authentication runs on every signed-in request,
is one hand-written statement (``AccountManager.get``): the same user as the ORM's, the same
errors, and nothing else takes that road (issue 17)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user

pytestmark = pytest.mark.django_db


def _orm_get(pk: int) -> User:
    return User.objects.filter(pk=pk).get()


def test_the_user_by_primary_key_is_the_orms_user_in_one_statement() -> None:
    officer = make_user(role=Role.OFFICER, phone="+6281234567801", full_name="Siti Aminah")
    with CaptureQueriesContext(connection) as queries:
        fast = User.objects.get(pk=officer.pk)
    assert len(queries) == 1
    orm = _orm_get(officer.pk)
    assert type(fast) is User
    assert fast == orm
    assert model_to_dict(fast) == model_to_dict(orm)
    assert fast.password == orm.password
    assert fast.last_login == orm.last_login
    assert fast.date_joined == orm.date_joined
    assert str(fast.phone) == "+6281234567801"
    assert fast._state.adding is False
    assert fast._state.db == "default"
    # Used as Django's session authentication uses it.
    assert get_user_model()._default_manager.get(pk=str(officer.pk)) == officer


def test_a_missing_or_malformed_key_raises_what_the_orm_raises() -> None:
    with pytest.raises(User.DoesNotExist, match=r"User matching query does not exist\."):
        User.objects.get(pk=987654321)
    with pytest.raises(ValueError, match="expected a number"):
        User.objects.get(pk="bukan-angka")


def test_related_managers_and_other_lookups_keep_their_filters() -> None:
    officer = make_user(role=Role.OFFICER)
    other = make_user(role=Role.OFFICER)
    assert officer.post is not None
    # The post's officers: the other officer is not one of them, whatever the primary key.
    assert officer.post.officers.get(pk=officer.pk) == officer
    with pytest.raises(User.DoesNotExist):
        officer.post.officers.get(pk=other.pk)
    assert User.objects.get(username=other.username) == other
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=officer.pk, username=other.username)


def test_signed_in_pages_still_know_who_is_signed_in(client: Client) -> None:
    applicant = make_user()
    client.force_login(applicant)
    response = client.get("/daftar/")
    assert response.wsgi_request.user == applicant
    applicant.is_active = False
    applicant.save()
    response = client.get("/daftar/")
    assert not response.wsgi_request.user.is_authenticated


def test_filter_by_key_then_first_is_the_orms_first_in_one_statement() -> None:
    """allauth's ``Login.deserialize`` reads the signing-in user this way on each sign-in page."""
    applicant = make_user(role=Role.APPLICANT, phone="+6281234567802")
    with CaptureQueriesContext(connection) as queries:
        fast = get_user_model().objects.filter(pk=applicant.pk).first()
    assert len(queries) == 1 and "ORDER BY" not in queries[0]["sql"]
    orm = User.objects.filter(pk=applicant.pk).order_by("pk").first()  # a clone: the ORM's
    assert fast is not None and orm is not None
    assert model_to_dict(fast) == model_to_dict(orm) and fast.password == orm.password
    assert str(fast.phone) == "+6281234567802" and fast._state.db == "default"
    assert User.objects.filter(pk=987654321).first() is None
    assert User.objects.filter(pk=str(applicant.pk)).first() == applicant


def test_a_chained_or_other_filter_keeps_the_orms_first() -> None:
    officer = make_user(role=Role.OFFICER)
    other = make_user(role=Role.OFFICER)
    # Any further method is a plain queryset: its filters hold.
    assert User.objects.filter(pk=officer.pk).filter(username=other.username).first() is None
    assert User.objects.filter(pk=officer.pk).exclude(pk=officer.pk).first() is None
    assert User.objects.filter(pk=officer.pk, username=other.username).first() is None
    assert officer.post is not None
    assert officer.post.officers.filter(pk=other.pk).first() is None
    kept = User.objects.filter(pk=officer.pk)
    assert list(kept) == [officer] and kept.first() == officer  # after evaluation: the cache
    with pytest.raises(ValueError, match="expected a number"):
        User.objects.filter(pk="bukan-angka").first()
