"""The MFA adapter's ``is_mfa_enabled`` (one hand-written statement) answers as allauth's."""

from __future__ import annotations

import pytest
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser

from prakerja.accounts.adapters import MFAAdapter
from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user

pytestmark = pytest.mark.django_db

TYPES = [
    None,
    [],
    [Authenticator.Type.TOTP],
    [Authenticator.Type.RECOVERY_CODES],
    [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES],
]


def test_is_mfa_enabled_answers_as_allauths() -> None:
    without = make_user(role=Role.APPLICANT, username="tanpa-2fa")
    with_totp = make_user(role=Role.MANAGER, username="dengan-2fa")
    Authenticator.objects.get_or_create(
        user=with_totp, type=Authenticator.Type.TOTP, defaults={"data": {}}
    )
    ours, allauths = MFAAdapter(), DefaultMFAAdapter()
    answers = []
    for user in (without, with_totp, AnonymousUser()):
        for types in TYPES:
            answer = ours.is_mfa_enabled(user, types)
            assert answer == allauths.is_mfa_enabled(user, types), (user, types)
            answers.append(answer)
    # Both answers occur: the user with TOTP has it, in the lists that name TOTP.
    assert answers.count(True) == 3
