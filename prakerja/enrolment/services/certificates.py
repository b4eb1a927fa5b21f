"""Certificates: issued on completion with an unguessable public number, as a PDF with a QR code
that opens the public verification page ``/sertifikat/<number>``, which shows only the masked
name, the course, the provider and the date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, actor_role
from prakerja.assistance.console.selectors import name_mask
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound, PermissionDenied
from prakerja.core.randomness import random_string
from prakerja.enrolment.errors import CompletionError
from prakerja.enrolment.models import Certificate, Enrolment

# Crockford's base32 without look-alikes: readable over the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_LENGTH = 10


def certificate_number_generate(*, year: int) -> str:
    return f"PKJ-{year}-" + random_string(NUMBER_LENGTH, ALPHABET)


def certificate_issue(*, enrolment: Enrolment, actor: Actor | None) -> Certificate:
    """The certificate of a completed enrolment (once; the caller holds the transaction)."""
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        certificate = Certificate(
            enrolment=enrolment,
            number=certificate_number_generate(
                year=(enrolment.completed_at or datetime.now()).year
            ),
        )
        audit_as(certificate, actor=actor, reason="sertifikat terbit")
        try:
            with transaction.atomic():
                certificate.save()
            return certificate
        except IntegrityError:  # a number already taken: draw again
            continue
    raise RuntimeError("certificate number space exhausted")  # pragma: no cover


def certificate_url(number: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "certificates:verify", kwargs={"number": number}
    )


@dataclass(frozen=True)
class CertificatePublic:
    """All the public page tells: nothing that identifies the person beyond a masked name."""

    number: str
    name_masked: str
    course: str
    provider: str
    completed_on: datetime
    hours: int


def _public(certificate: Certificate) -> CertificatePublic:
    enrolment = certificate.enrolment
    course = enrolment.batch.course
    return CertificatePublic(
        number=certificate.number,
        name_masked=name_mask(enrolment.participant.registration.full_name),
        course=course.title,
        provider=course.provider.name,
        completed_on=enrolment.completed_at or certificate.issued_at,
        hours=course.hours,
    )


def _certificates():  # type: ignore[no-untyped-def]
    return Certificate.objects.select_related(
        "enrolment__batch__course__provider", "enrolment__participant__registration"
    )


def certificate_verify(*, number: str) -> CertificatePublic:
    certificate = _certificates().filter(number=number.strip().upper()[:32]).first()
    if certificate is None:
        raise NotFound(
            CompletionError.CERTIFICATE_NOT_FOUND,
            _("Nomor sertifikat tidak terdaftar. Periksa lagi nomor yang tertulis."),
        )
    return _public(certificate)


def certificate_get_for_actor(*, actor: Actor | None, enrolment_id: int) -> Certificate:
    """A participant's own certificate, or one of the provider's participants."""
    enrolment = (
        Enrolment.objects.select_related("participant__registration", "batch__course")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise NotFound(CompletionError.ENROLMENT_NOT_FOUND, _("Pendaftaran tidak ditemukan."))
    role = actor_role(actor)
    own = isinstance(actor, User) and enrolment.participant.registration.user_id == actor.pk
    operator = (
        role == Role.PROVIDER
        and isinstance(actor, User)
        and enrolment.batch.course.provider_id == actor.provider_id
    )
    if not (own or operator or role == Role.SUPERADMIN):
        raise PermissionDenied(
            CompletionError.FORBIDDEN, _("Anda tidak berhak atas sertifikat ini.")
        )
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise ApplicationError(
            CompletionError.CERTIFICATE_NOT_COMPLETED,
            _("Sertifikat hanya untuk peserta yang lulus pelatihan ini."),
            status=409,
        )
    certificate = _certificates().filter(enrolment=enrolment).first()
    if certificate is None:  # pragma: no cover - issued in the completing transaction
        raise NotFound(CompletionError.CERTIFICATE_NOT_FOUND, _("Sertifikat belum terbit."))
    return certificate


def certificate_qr_svg(number: str) -> str:
    """The QR code (SVG markup) that opens the verification page of ``number``."""
    return segno.make(certificate_url(number), error="m").svg_inline(scale=4)


def certificate_pdf(*, certificate: Certificate) -> bytes:
    from weasyprint import HTML  # imported here, as for the receipt

    html = render_to_string(
        "enrolment/certificate_pdf.html",
        {
            "certificate": certificate,
            "public": _public(certificate),
            "full_name": certificate.enrolment.participant.registration.full_name,
            "qr_svg": certificate_qr_svg(certificate.number),
            "url": certificate_url(certificate.number),
        },
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
