"""Test factory for registrations as the console and reports see them (no pytest import)."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.assistance.models import Post
from prakerja.identity.models import Person
from prakerja.identity.services import person_get_or_create
from prakerja.regions.models import Regency
from prakerja.registry.models import Channel, Programme, Registration

_sequence = itertools.count(1)
# Eight characters of the reference alphabet (no 0/O, 1/I/L), numbered for uniqueness.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _reference(n: int) -> str:
    chars = []
    for _position in range(8):
        n, digit = divmod(n, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    code = "".join(reversed(chars))
    return f"PJ-{code[:4]}-{code[4:]}"


def programme_default() -> Programme:
    programme, _created = Programme.objects.get_or_create(
        code="prakerja-2020", defaults={"name": "Kartu Prakerja 2020"}
    )
    return programme


def make_registration(
    *,
    full_name: str = "Budi Santoso",
    nik: str | None = None,
    phone: str = "",
    post: Post | None = None,
    officer: User | None = None,
    channel: str | None = None,
    regency_code: str | None = "3578",
    submitted_at: datetime | None = None,
    user: User | None = None,
    **fields: Any,
) -> Registration:
    n = next(_sequence)
    person: Person | None = person_get_or_create(nik=nik)[0] if nik else None
    return Registration.objects.create(
        reference=_reference(n * 7919),
        programme=programme_default(),
        user=user or make_user(role=Role.APPLICANT),
        person=person,
        full_name=full_name,
        phone=phone,
        channel=channel or (Channel.POST if post else Channel.ONLINE),
        assisted_post=post,
        assisted_by=officer,
        domicile_regency=Regency.objects.get(pk=regency_code) if regency_code else None,
        submitted_at=submitted_at,
        status=Registration.Status.SUBMITTED if submitted_at else Registration.Status.DRAFT,
        **fields,
    )
