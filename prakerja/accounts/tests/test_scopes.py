from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import (
    Capability,
    actor_can,
    actor_require,
    regency_get_for_actor,
    regency_list_for_actor,
)
from prakerja.accounts.testing import make_post, make_provider
from prakerja.assistance.models import Post
from prakerja.assistance.scopes import post_get_for_actor, post_list_for_actor
from prakerja.core.errors import NotFound, PermissionDenied
from prakerja.training.models import Provider
from prakerja.training.scopes import provider_get_for_actor, provider_list_for_actor

pytestmark = pytest.mark.django_db

MISSING_ID = 987_654


@pytest.fixture
def bandung_post(db: None) -> Post:
    """A post outside East Java: no East Java data officer may see it."""
    return make_post(code="posko-bandung", regency_code="3273")


# --- Posts ------------------------------------------------------------------------------


def test_an_officer_sees_only_their_own_post(
    officer: User, surabaya_post: Post, malang_post: Post
) -> None:
    assert list(post_list_for_actor(actor=officer)) == [surabaya_post]


def test_a_regency_data_officer_sees_the_posts_of_their_regency(
    surabaya_data_officer: User, surabaya_post: Post, malang_post: Post
) -> None:
    assert list(post_list_for_actor(actor=surabaya_data_officer)) == [surabaya_post]


def test_a_province_data_officer_sees_every_post_of_east_java_only(
    province_data_officer: User, surabaya_post: Post, malang_post: Post, bandung_post: Post
) -> None:
    assert set(post_list_for_actor(actor=province_data_officer)) == {surabaya_post, malang_post}


@pytest.mark.parametrize("persona", ["manager", "viewer", "callcentre_agent", "superadmin"])
def test_province_wide_roles_see_every_post(
    request: pytest.FixtureRequest, persona: str, surabaya_post: Post, malang_post: Post
) -> None:
    actor = request.getfixturevalue(persona)
    assert set(post_list_for_actor(actor=actor)) == {surabaya_post, malang_post}


@pytest.mark.parametrize("persona", ["applicant", "provider_operator"])
def test_roles_without_posts_are_refused_the_post_list(
    request: pytest.FixtureRequest, persona: str
) -> None:
    with pytest.raises(PermissionDenied) as caught:
        post_list_for_actor(actor=request.getfixturevalue(persona))
    assert caught.value.code == "post.forbidden"
    assert str(caught.value.message) == "Anda tidak berhak mengakses data ini."


def test_anonymous_visitors_are_refused_the_post_list() -> None:
    with pytest.raises(PermissionDenied):
        post_list_for_actor(actor=AnonymousUser())


def test_a_deactivated_officer_sees_nothing(officer: User) -> None:
    officer.is_active = False
    with pytest.raises(PermissionDenied):
        post_list_for_actor(actor=officer)


def test_an_officer_gets_their_own_post_in_one_query(
    officer: User, surabaya_post: Post, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert post_get_for_actor(actor=officer, post_id=surabaya_post.pk) == surabaya_post


def test_an_officer_of_another_post_is_refused_not_told_it_is_missing(
    other_officer: User, surabaya_post: Post
) -> None:
    with pytest.raises(PermissionDenied) as caught:
        post_get_for_actor(actor=other_officer, post_id=surabaya_post.pk)
    assert (caught.value.code, caught.value.status) == ("post.forbidden", 403)


def test_a_regency_data_officer_is_refused_a_post_of_another_regency(
    surabaya_data_officer: User, malang_post: Post
) -> None:
    with pytest.raises(PermissionDenied):
        post_get_for_actor(actor=surabaya_data_officer, post_id=malang_post.pk)


def test_a_post_that_does_not_exist_is_not_found(officer: User) -> None:
    with pytest.raises(NotFound) as caught:
        post_get_for_actor(actor=officer, post_id=MISSING_ID)
    assert (caught.value.code, caught.value.status) == ("post.not_found", 404)
    assert str(caught.value.message) == "Posko tidak ditemukan."


def test_an_applicant_probing_post_ids_learns_nothing(applicant: User) -> None:
    # Refused before the lookup: a missing id and an existing one answer the same.
    with pytest.raises(PermissionDenied):
        post_get_for_actor(actor=applicant, post_id=MISSING_ID)


# --- Regencies --------------------------------------------------------------------------


def test_a_regency_data_officer_sees_their_regency(surabaya_data_officer: User) -> None:
    assert list(
        regency_list_for_actor(actor=surabaya_data_officer).values_list("pk", flat=True)
    ) == ["3578"]


def test_an_officer_sees_the_regency_of_their_post(officer: User) -> None:
    assert list(regency_list_for_actor(actor=officer).values_list("pk", flat=True)) == ["3578"]


@pytest.mark.parametrize(
    "persona", ["province_data_officer", "manager", "viewer", "callcentre_agent", "superadmin"]
)
def test_province_wide_roles_see_the_38_regencies_of_east_java(
    request: pytest.FixtureRequest, persona: str
) -> None:
    regencies = regency_list_for_actor(actor=request.getfixturevalue(persona))
    assert regencies.count() == 38
    assert set(regencies.values_list("province_id", flat=True)) == {"35"}


@pytest.mark.parametrize("persona", ["applicant", "provider_operator"])
def test_roles_without_regional_data_are_refused_regencies(
    request: pytest.FixtureRequest, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        regency_list_for_actor(actor=request.getfixturevalue(persona))


def test_a_regency_data_officer_is_refused_another_regency(surabaya_data_officer: User) -> None:
    assert regency_get_for_actor(actor=surabaya_data_officer, regency_code="3578").pk == "3578"
    with pytest.raises(PermissionDenied):
        regency_get_for_actor(actor=surabaya_data_officer, regency_code="3573")


def test_a_regency_outside_east_java_is_out_of_scope_and_a_bad_code_is_not_found(
    manager: User,
) -> None:
    with pytest.raises(PermissionDenied):
        regency_get_for_actor(actor=manager, regency_code="3273")
    with pytest.raises(NotFound):
        regency_get_for_actor(actor=manager, regency_code="9999")


# --- Providers --------------------------------------------------------------------------


def test_a_provider_operator_sees_only_their_own_provider(
    provider_operator: User, surabaya_provider: Provider
) -> None:
    other = make_provider(name="LPK Lain")
    assert list(provider_list_for_actor(actor=provider_operator)) == [surabaya_provider]
    assert (
        provider_get_for_actor(actor=provider_operator, provider_id=surabaya_provider.pk)
        == surabaya_provider
    )
    with pytest.raises(PermissionDenied) as caught:
        provider_get_for_actor(actor=provider_operator, provider_id=other.pk)
    assert caught.value.code == "provider.forbidden"


def test_a_provider_that_does_not_exist_is_not_found(provider_operator: User) -> None:
    with pytest.raises(NotFound) as caught:
        provider_get_for_actor(actor=provider_operator, provider_id=MISSING_ID)
    assert str(caught.value.message) == "Lembaga pelatihan tidak ditemukan."


@pytest.mark.parametrize("persona", ["manager", "viewer", "superadmin"])
def test_province_wide_roles_see_every_provider(
    request: pytest.FixtureRequest, persona: str, surabaya_provider: Provider
) -> None:
    actor = request.getfixturevalue(persona)
    assert (
        provider_get_for_actor(actor=actor, provider_id=surabaya_provider.pk) == surabaya_provider
    )


@pytest.mark.parametrize(
    "persona", ["applicant", "officer", "callcentre_agent", "province_data_officer"]
)
def test_other_roles_are_refused_providers(
    request: pytest.FixtureRequest, persona: str, surabaya_provider: Provider
) -> None:
    with pytest.raises(PermissionDenied):
        provider_get_for_actor(
            actor=request.getfixturevalue(persona), provider_id=surabaya_provider.pk
        )


# --- Capabilities -----------------------------------------------------------------------


def test_a_manager_may_approve_selection_and_an_officer_may_not(
    manager: User, officer: User
) -> None:
    assert actor_can(manager, Capability.SELECTION_APPROVE)
    assert not actor_can(officer, Capability.SELECTION_APPROVE)


def test_an_officer_may_register_on_behalf_of_an_applicant(officer: User) -> None:
    assert actor_can(officer, Capability.APPLICANT_REGISTER_ON_BEHALF)


def test_a_superadmin_has_every_capability(superadmin: User) -> None:
    assert all(actor_can(superadmin, capability) for capability in Capability)


def test_applicants_anonymous_visitors_and_deactivated_staff_have_no_capability(
    applicant: User, manager: User
) -> None:
    manager.is_active = False
    for actor in (applicant, AnonymousUser(), manager, None):
        assert not any(actor_can(actor, capability) for capability in Capability)


def test_a_viewer_may_read_reports_but_not_reveal_personal_data(viewer: User) -> None:
    actor_require(viewer, Capability.REPORT_VIEW)
    with pytest.raises(PermissionDenied) as caught:
        actor_require(viewer, Capability.PERSONAL_DATA_REVEAL)
    assert caught.value.code == "account.capability_missing"


def test_every_role_has_an_entry_in_the_capability_table() -> None:
    from prakerja.accounts.scopes import ROLE_CAPABILITIES

    assert set(ROLE_CAPABILITIES) == set(Role)
