"""Registry fixtures: the seeded programme and helpers that fill a registration step by step.

All NIK/KK numbers are built with ``nik_build`` / the identity factories: never a real one.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.identity.tests.factories import fake_kk, fake_nik
from prakerja.registry.models import Programme, Registration, TestQuestion
from prakerja.registry.services.draft import registration_update_draft
from prakerja.registry.services.programme import registry_seed_load
from prakerja.registry.services.registration import registration_start
from prakerja.registry.steps import Step

BIRTH_DATE = date(1990, 8, 17)


@pytest.fixture(autouse=True)
def programme(db: None) -> Programme:
    return registry_seed_load().programme


def step_data(programme: Programme, *, serial: int = 1, kk_serial: int = 7) -> dict[Step, Any]:
    """Valid data for every step: a woman born 17 August 1990 in Surabaya."""
    answers = {
        str(q.pk): (q.correct_choice if q.correct_choice is not None else 0)
        for q in TestQuestion.objects.filter(programme=programme, is_active=True)
    }
    return {
        Step.IDENTITY: {
            "nik": fake_nik(serial=serial),
            "kk": fake_kk(serial=kk_serial),
            "full_name": "Siti Rahayu",
            "birth_place": "Surabaya",
            "birth_date": BIRTH_DATE.isoformat(),
            "gender": "P",
        },
        Step.CONTACT: {"phone": "0812 3456 7890", "email": ""},
        Step.DOMICILE: {"regency": "3578", "district": "357801", "address": "Jl. Mawar 1"},
        Step.WORK: {
            "employment_status": "laid_off",
            "occupation": "none",
            "last_employer": "PT Sepatu Jaya",
            "last_employment_date": "2020-03-31",
        },
        Step.EDUCATION_DISABILITY: {"not_in_education": "yes", "has_disability": "no"},
        Step.CONSENT: {"consent": "on", "truthfulness": "on"},
        Step.TEST: {"answers": answers},
    }


def new_applicant(**fields: Any) -> User:
    return make_user(role=Role.APPLICANT, **fields)


def complete_registration(
    user: User | None = None,
    *,
    actor: User | None = None,
    serial: int = 1,
    kk_serial: int = 7,
    overrides: dict[Step, dict[str, Any]] | None = None,
) -> Registration:
    """A draft with every step filled in (not submitted)."""
    user = user or new_applicant()
    actor = actor or user
    registration = registration_start(actor=actor, user=user)
    data = step_data(registration.programme, serial=serial, kk_serial=kk_serial)
    for step, values in (overrides or {}).items():
        data[step] = {**data[step], **values}
    for step, values in data.items():
        registration = registration_update_draft(
            actor=actor, registration=registration, step=step, data=values
        )
    return registration


def identity_with(programme: Programme, **values: str) -> dict[str, Any]:
    return {**step_data(programme)[Step.IDENTITY], **values}


# --- The wizard's pages through HTTP -----------------------------------------------------------


def tokened(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Form data as the page sends it: with a fresh submission token."""
    return {**(data or {}), "submission_token": str(uuid.uuid4())}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def step_url(registration: Registration, step: Step) -> str:
    return reverse("registry:step", args=[registration.reference, step.value])
