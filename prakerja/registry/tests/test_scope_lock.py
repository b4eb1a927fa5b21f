"""The lookup of a registration (``_registration_load``, hand-written SQL for every wizard page
and the submission surge), plain and locking, applies the same scope as
``registration_list_for_actor``, for every role."""

from __future__ import annotations

import pytest
from django.db import transaction

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.core.errors import PermissionDenied
from prakerja.registry.models import Registration
from prakerja.registry.selectors import _registration_load, registration_list_for_actor
from prakerja.registry.services.registration import registration_start
from prakerja.registry.tests.conftest import new_applicant

pytestmark = pytest.mark.django_db


def _listed(actor: User | None, registration: Registration) -> bool | None:
    """True/False: in the actor's list or not; None: the role may list nothing."""
    try:
        return registration_list_for_actor(actor=actor).filter(pk=registration.pk).exists()
    except PermissionDenied:
        return None


def _loaded(actor: User | None, registration: Registration, *, lock: bool) -> bool | None:
    try:
        with transaction.atomic():
            found = _registration_load(
                actor=actor, reference=registration.reference, for_update=lock
            )
    except PermissionDenied:
        return None
    return found is not None and found.pk == registration.pk


@pytest.mark.parametrize("role", [None, *Role])
def test_the_lookup_finds_exactly_what_the_scoped_list_holds(role: Role | None) -> None:
    alice = new_applicant()  # owns one registration
    bob = new_applicant()  # owns one assisted at the officer's post
    officer = make_user(role=Role.OFFICER)
    other_officer = make_user(role=Role.OFFICER)  # another post
    own = registration_start(actor=alice, user=alice)
    assisted = registration_start(actor=bob, user=bob)
    Registration.objects.filter(pk=assisted.pk).update(assisted_post=officer.post)
    elsewhere_user = new_applicant()
    elsewhere = registration_start(actor=elsewhere_user, user=elsewhere_user)
    Registration.objects.filter(pk=elsewhere.pk).update(assisted_post=other_officer.post)

    actors: dict[Role | None, User | None] = {None: None, Role.APPLICANT: alice}
    actors[Role.OFFICER] = officer
    actor = actors[role] if role in actors else make_user(role=role)  # type: ignore[arg-type]

    for registration in (own, assisted, elsewhere):
        registration.refresh_from_db()
        for lock in (False, True):
            assert _loaded(actor, registration, lock=lock) == _listed(actor, registration), (
                role,
                registration.pk,
                lock,
            )


def test_the_roles_see_what_the_scope_rule_says() -> None:
    """A spot check that the equivalence above is not two empty answers."""
    alice = new_applicant()
    own = registration_start(actor=alice, user=alice)
    officer = make_user(role=Role.OFFICER)
    assert _loaded(alice, own, lock=True) is True
    assert _loaded(officer, own, lock=True) is False
    assert _loaded(make_user(role=Role.MANAGER), own, lock=True) is True
    assert _loaded(make_user(role=Role.VIEWER), own, lock=True) is None
