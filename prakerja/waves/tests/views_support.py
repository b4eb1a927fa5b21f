"""Helpers of the wave pages' tests (test_views*.py): sign-ins, forms, an open wave."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import sign_in_with_totp
from prakerja.registry.models import Programme, Registration
from prakerja.registry.references import reference_generate
from prakerja.waves.models import (
    Wave,
)
from prakerja.waves.services import (
    wave_create,
    wave_open,
)
from prakerja.waves.tests import population
from prakerja.waves.tests.population import Applicant

SURABAYA, MALANG = "3578", "3573"


def registrations_make(programme: Programme, applicants: list[Applicant]) -> list[Registration]:
    """The selection's fast population, with references the status page's URL accepts."""
    registrations = population.registrations_make(programme, applicants)
    for registration in registrations:
        registration.reference = reference_generate()
    Registration.objects.bulk_update(registrations, ["reference"])
    return registrations


def signed_in(user: User) -> Client:
    client = Client()
    if user.role == Role.APPLICANT:
        client.force_login(user)
    else:
        sign_in_with_totp(client, user)
    return client


def post_form(client: Client, url: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(url, {"submission_token": str(uuid.uuid4()), **(data or {})}, **extra)


def local_input(delta_days: float) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=delta_days)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def wave_form(total: int, quotas: dict[str, int | str], **fields: Any) -> dict[str, Any]:
    return {
        "name": "Gelombang 1",
        "opens_at": local_input(-1),
        "closes_at": local_input(5),
        "total_quota": str(total),
        "action": "save",
        **{f"quota_{code}": str(value) for code, value in quotas.items()},
        **fields,
    }


def open_wave(programme: Programme, actor: User, quotas: dict[str, int]) -> Wave:
    now = timezone.now()
    wave = wave_create(
        actor=actor,
        programme=programme,
        name="Gelombang 1",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
        total_quota=sum(quotas.values()),
        regency_quotas=quotas,
    )
    return wave_open(actor=actor, wave=wave)
