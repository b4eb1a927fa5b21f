"""Test factories for linkage: registrants, reported workers, JPS receipts (fake NIKs only)."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.identity.services import person_get_or_create
from prakerja.labourdata.models import (
    Category,
    ImportBatch,
    JpsRecipient,
    Kind,
    ReportedWorker,
    Source,
    WorkerReport,
)
from prakerja.registry.models import Programme, Registration
from prakerja.registry.services.programme import registry_seed_load

_seq = itertools.count(1)


def programme() -> Programme:
    return registry_seed_load().programme


def registrant(
    *,
    nik: str,
    full_name: str,
    birth_date: date | None = date(1990, 8, 17),
    regency: str = "3578",
    status: str = Registration.Status.SUBMITTED,
    phone: str = "",
    last_employer: str = "",
) -> Registration:
    person, _ = person_get_or_create(nik=nik)
    n = next(_seq)
    return Registration.objects.create(
        reference=f"T{n:07d}",
        programme=programme(),
        user=make_user(role=Role.APPLICANT),
        person=person,
        status=status,
        full_name=full_name,
        birth_date=birth_date,
        domicile_regency_id=regency,
        phone=phone,
        last_employer=last_employer,
    )


def batch(
    *, kind: str = Kind.WORKERS, source: str = Source.REGENCY_DISNAKER, uploader: User | None = None
) -> ImportBatch:
    n = next(_seq)
    return ImportBatch.objects.create(
        kind=kind,
        source=source,
        original_name=f"uji-{n}.xlsx",
        sha256=hashlib.sha256(str(n).encode()).hexdigest(),
        size_bytes=100,
        status=ImportBatch.Status.COMPLETED,
        uploaded_by=uploader or make_user(role=Role.DATA_OFFICER),
    )


def worker(
    *,
    nik: str,
    full_name: str,
    birth_date: date | None = date(1990, 8, 17),
    regency: str = "3578",
    phone: str = "+6281234567890",
    reports: list[tuple[ImportBatch, str, str]] | None = None,
    company: str = "",
) -> ReportedWorker:
    """A reported worker with one report per (batch, category, regency) given (default: one
    regency Disnaker report, laid off)."""
    person, _ = person_get_or_create(nik=nik)
    reported = ReportedWorker.objects.create(
        person=person, full_name=full_name, birth_date=birth_date, regency_id=regency, phone=phone
    )
    for row, (report_batch, category, report_regency) in enumerate(
        reports or [(batch(), Category.LAID_OFF, regency)], start=2
    ):
        WorkerReport.objects.create(
            worker=reported,
            batch=report_batch,
            row_number=row,
            source=report_batch.source,
            category=category,
            regency_id=report_regency,
            full_name=full_name,
            birth_date=birth_date,
            phone=phone,
            company=company,
        )
    return reported


def jps_receipt(*, nik: str, full_name: str, jps_batch: ImportBatch) -> JpsRecipient:
    person, _ = person_get_or_create(nik=nik)
    return JpsRecipient.objects.create(
        person=person,
        batch=jps_batch,
        row_number=next(_seq),
        full_name=full_name,
        programme="PKH",
        amount=600000,
        period="2020-04",
    )
