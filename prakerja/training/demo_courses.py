"""Demo catalogue: verified providers with courses and batches still to start, one course
awaiting curation and one sent back, so every catalogue screen shows something real.
Idempotent: providers by name, courses by (provider, title)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from prakerja.core.audit import audit_as
from prakerja.identity.crypto import encrypt_bytes
from prakerja.regions.models import Regency
from prakerja.training.models import (
    Course,
    CourseBatch,
    Provider,
    ProviderCapacity,
    ProviderDocument,
    ProviderReview,
)

# (name, kind, regency code, address, phone). The first is the demo operator's provider
# (assistance.demo.DEMO_PROVIDER_NAME): it is made verified so its operator can offer courses.
PROVIDERS = [
    ("LPK Demo Surabaya", "lpk", "3578", "Jl. Raya Darmo 12, Surabaya", "+6281230000001"),
    ("LPK Cipta Karya Malang", "lpk", "3573", "Jl. Soekarno-Hatta 40, Malang", "+6281230000002"),
    ("PLK Sentra Digital Sidoarjo", "plk", "3515", "Jl. Pahlawan 7, Sidoarjo", "+6281230000003"),
    ("LPK Bahasa Nusantara Jember", "lpk", "3509", "Jl. Kalimantan 21, Jember", ""),
]
P = "published"
# (provider index, title, field, mode, hours, price, status, reason)
COURSES = [
    (0, "Pemasaran Digital untuk UMKM", "marketing", "online", 24, 750_000, P, ""),
    (0, "Barista dan Pengelolaan Kedai Kopi", "culinary", "offline", 40, 1_000_000, P, ""),
    (0, "Dasar Pembukuan Usaha Kecil", "office", "blended", 20, 500_000, P, ""),
    (0, "Teknisi Pendingin Ruangan (AC)", "electrical", "offline", 60, 950_000, "submitted", ""),
    (1, "Tata Rias Pengantin Dasar", "beauty", "offline", 48, 900_000, P, ""),
    (1, "Menjahit Busana Muslim", "fashion", "offline", 64, 850_000, P, ""),
    (1, "Perawatan Sepeda Motor Injeksi", "automotive", "offline", 56, 950_000, P, ""),
    (1, "Budidaya Lele Sistem Bioflok", "agriculture", "blended", 30, 400_000, P, ""),
    (2, "Desain Grafis dengan Aplikasi Gratis", "digital", "online", 32, 600_000, P, ""),
    (2, "Pemrograman Web Dasar", "digital", "online", 60, 1_000_000, P, ""),
    (2, "Admin Media Sosial Toko Daring", "marketing", "online", 16, 250_000, P, ""),
    (
        2,
        "Operator Las Listrik",
        "manufacturing",
        "offline",
        80,
        1_000_000,
        "returned",
        "Jumlah jam praktik tidak disebutkan dan tempat praktik belum jelas.",
    ),
    (3, "Bahasa Inggris untuk Perhotelan", "language", "online", 36, 550_000, P, ""),
    (3, "Bahasa Jepang Dasar untuk Pekerja Migran", "language", "blended", 72, 1_000_000, P, ""),
    (3, "Pelayanan Kamar Hotel", "hospitality", "offline", 40, 700_000, P, ""),
]


# Providers waiting in the verification queue: (name, regency, status, reason).
PENDING = [
    ("LPK Karya Mandiri Surabaya", "3578", "submitted", ""),
    ("LPK Terampil Kediri", "3571", "approved_once", ""),
    (
        "PLK Wira Usaha Madiun",
        "3577",
        "changes_requested",
        "Izin operasional sudah kedaluwarsa: unggah izin yang berlaku.",
    ),
]
DEMO_PDF = b"%PDF-1.4\n% dokumen demo\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _pending_providers() -> None:
    from prakerja.accounts.models import User

    operator = User.objects.filter(username="lpk").first()
    reviewer = User.objects.filter(username="datajatim").first()
    if operator is None or reviewer is None:
        return
    for name, regency, status, reason in PENDING:
        if Provider.objects.filter(name=name).exists():
            continue
        provider = Provider(
            name=name,
            kind="plk" if name.startswith("PLK") else "lpk",
            regency_id=regency,
            address=f"Jl. Pendidikan 17, {Regency.objects.get(pk=regency).name}",
            status=status,
            status_reason=reason,
            submitted_at=timezone.now(),
            yearly_capacity=240,
        )
        audit_as(provider, actor=None, reason="data demo")
        provider.save()
        ProviderCapacity.objects.create(provider=provider, field="digital", yearly_capacity=240)
        ProviderDocument.objects.create(
            provider=provider,
            kind="permit",
            original_name="izin-operasional.pdf",
            content_type="application/pdf",
            size=len(DEMO_PDF),
            sha256=hashlib.sha256(DEMO_PDF).hexdigest(),
            content_encrypted=encrypt_bytes(DEMO_PDF),
            uploaded_by=operator,
        )
        if status in ("approved_once", "changes_requested"):
            ProviderReview.objects.create(
                provider=provider,
                reviewer=reviewer,
                decision="approve" if status == "approved_once" else "request_changes",
                documents_valid=status == "approved_once",
                site_visited_on=timezone.localdate() - timedelta(days=3),
                capacity_plausible=True,
                reason=reason,
            )


def training_demo_courses() -> int:
    """Make the demo catalogue; returns how many courses it holds."""
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        providers = []
        for name, kind, regency, address, phone in PROVIDERS:
            provider = Provider.objects.filter(name=name).first() or Provider(
                name=name, kind=kind, regency=Regency.objects.get(pk=regency)
            )
            provider.address = provider.address or address
            provider.contact_phone = provider.contact_phone or phone
            if provider.status != Provider.Status.VERIFIED:
                provider.status = Provider.Status.VERIFIED
                provider.verified_at = now
            audit_as(provider, actor=None, reason="data demo")
            provider.save()
            providers.append(provider)
        for index, (who, title, field, mode, hours, price, status, reason) in enumerate(COURSES):
            provider = providers[who]
            if Course.objects.filter(provider=provider, title=title).exists():
                continue
            course = Course(
                provider=provider,
                title=title,
                field=field,
                mode=mode,
                regency_id=provider.regency_id,
                place="" if mode == "online" else provider.address,
                hours=hours,
                price=price,
                description=(
                    f"{title}: materi praktis dari dasar sampai siap kerja atau membuka usaha. "
                    "Cocok untuk pekerja yang terdampak dan pencari kerja tanpa pengalaman."
                ),
                status=status,
                status_reason=reason,
                published_at=now if status == P else None,
            )
            audit_as(course, actor=None, reason="data demo")
            course.save()
            for offset in (14 + index % 10, 45 + index % 10):
                starts = today + timedelta(days=offset)
                CourseBatch.objects.create(
                    course=course,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=max(hours // 8, 1)),
                    seats=20 + 5 * (index % 4),
                )
    _pending_providers()
    return Course.objects.count()
