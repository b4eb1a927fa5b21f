"""Providers (LPK, PLK, BLK): the operator fills in the institution, its capacity per field and
its legal documents and submits it; Disnaker verifies it with a checklist (SPEC §3.6).

Operator accounts are made by staff (``accounts`` staff accounts, role PROVIDER) and bound to
one provider, created as a draft; the operator then fills it in, here. Verification: a data
officer of the provider's regency (or the province) or a manager ticks the checklist
(documents valid, site visited on a date, capacity plausible) and approves, asks for changes or
rejects, each with a reason the operator sees. Approval is four-eyes: the first approval
leaves the provider ``approved_once``; a second approval by another staff member verifies it.
Every decision is a ``ProviderReview`` row plus a history row; the operator is told by SMS.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import (
    Actor,
    Capability,
    actor_require,
    actor_role,
    scope_denied,
)
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.identity.crypto import encrypt_bytes
from prakerja.identity.phones import phone_normalise
from prakerja.notifications.services import sms_send_on_commit
from prakerja.training.errors_providers import ProviderError
from prakerja.training.models import (
    Provider,
    ProviderCapacity,
    ProviderDocument,
    ProviderReview,
    TrainingField,
)
from prakerja.training.scopes import verifier_check

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
EDITABLE = (Provider.Status.DRAFT, Provider.Status.CHANGES_REQUESTED)
UNDER_REVIEW = (Provider.Status.SUBMITTED, Provider.Status.APPROVED_ONCE)


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError(ProviderError.INVALID, message, field=field)


def provider_of_operator(actor: Actor | None) -> Provider:
    """The operator's own provider (the only one they see or change)."""
    actor_require(actor, Capability.PROVIDER_MANAGE_OWN)
    if actor_role(actor) != Role.PROVIDER:
        raise scope_denied(ProviderError.FORBIDDEN)
    assert isinstance(actor, User)
    return Provider.objects.select_related("regency").get(pk=actor.provider_id or 0)


def _editable(provider: Provider) -> None:
    if provider.status not in EDITABLE:
        raise ApplicationError(
            ProviderError.NOT_EDITABLE,
            _("Data lembaga tidak dapat diubah saat berstatus “%(status)s”.")
            % {"status": provider.get_status_display()},
            status=409,
        )


@dataclass(frozen=True)
class ProviderInput:
    name: str
    kind: str
    address: str
    sisnaker_number: str = ""
    accreditation: str = Provider.Accreditation.NONE
    contact_phone: str = ""
    contact_email: str = ""


def provider_update(*, actor: Actor | None, data: ProviderInput) -> Provider:
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider_of_operator(actor).pk)
        _editable(provider)
        name = data.name.strip()
        if not 5 <= len(name) <= 200:
            raise _invalid(_("Nama lembaga harus 5 sampai 200 huruf."), "name")
        if data.kind not in Provider.Kind.values:
            raise _invalid(_("Pilih jenis lembaga: LPK, PLK atau BLK."), "kind")
        address = data.address.strip()
        if not 10 <= len(address) <= 300:
            raise _invalid(_("Tulis alamat lengkap lembaga (10 sampai 300 huruf)."), "address")
        if data.accreditation not in Provider.Accreditation.values:
            raise _invalid(_("Pilih status akreditasi dari daftar."), "accreditation")
        phone = ""
        if data.contact_phone.strip():
            try:
                phone = phone_normalise(data.contact_phone)
            except ApplicationError as error:
                raise _invalid(str(error.message), "contact_phone") from None
        provider.name, provider.kind, provider.address = name, data.kind, address
        provider.sisnaker_number = data.sisnaker_number.strip()[:50]
        provider.accreditation = data.accreditation
        provider.contact_phone = phone
        provider.contact_email = data.contact_email.strip()[:254]
        audit_as(provider, actor=actor)
        provider.save()
    return provider


def provider_capacity_set(*, actor: Actor | None, capacities: dict[str, int]) -> Provider:
    """The yearly capacity per training field (0 removes a field); the total is kept too."""
    for field, value in capacities.items():
        if field not in TrainingField.values:
            raise _invalid(_("Bidang pelatihan tidak dikenal."), "capacity")
        if not 0 <= value <= 100_000:
            raise _invalid(
                _("Kapasitas per bidang harus 0 sampai 100.000 orang per tahun."),
                f"capacity_{field}",
            )
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider_of_operator(actor).pk)
        _editable(provider)
        existing = {c.field: c for c in provider.capacities.all()}
        for field, value in capacities.items():
            row = existing.get(field)
            if value == 0:
                if row is not None:
                    audit_as(row, actor=actor)
                    row.delete()
                continue
            row = row or ProviderCapacity(provider=provider, field=field, yearly_capacity=value)
            row.yearly_capacity = value
            audit_as(row, actor=actor)
            row.save()
        provider.yearly_capacity = sum(
            provider.capacities.values_list("yearly_capacity", flat=True)
        )
        audit_as(provider, actor=actor)
        provider.save(update_fields=["yearly_capacity"])
    return provider


def document_check(*, size: int, head: bytes) -> str:
    """The content type of a legal document, or a refusal: checked on the size the upload
    declares before the file is read, and on its first bytes (not its name)."""
    if size > MAX_DOCUMENT_BYTES:
        raise ApplicationError(
            ProviderError.DOCUMENT_TOO_LARGE,
            _("Berkas terlalu besar: paling besar 5 MB."),
            field="document",
            status=413,
        )
    for magic, content_type in DOCUMENT_TYPES.items():
        if head.startswith(magic):
            return content_type
    raise ApplicationError(
        ProviderError.DOCUMENT_TYPE,
        _("Dokumen harus berupa PDF, PNG atau JPEG."),
        field="document",
        status=415,
    )


def provider_document_add(
    *, actor: Actor | None, kind: str, name: str, content: bytes
) -> ProviderDocument:
    content_type = document_check(size=len(content), head=content[:8])
    if kind not in ProviderDocument.Kind.values:
        raise _invalid(_("Pilih jenis dokumen dari daftar."), "kind")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider_of_operator(actor).pk)
        _editable(provider)
        assert isinstance(actor, User)
        document = ProviderDocument(
            provider=provider,
            kind=kind,
            original_name=(name or "dokumen")[:200],
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content_encrypted=encrypt_bytes(content),
            uploaded_by=actor,
        )
        audit_as(document, actor=actor)
        document.save()
    return document


def provider_submit(*, actor: Actor | None) -> Provider:
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider_of_operator(actor).pk)
        _editable(provider)
        missing = []
        if len(provider.address) < 10:
            missing.append(_("alamat"))
        if not provider.capacities.exists():
            missing.append(_("kapasitas per bidang"))
        if not provider.documents.exists():
            missing.append(_("dokumen legalitas"))
        if missing:
            raise ApplicationError(
                ProviderError.INCOMPLETE,
                _("Lengkapi dahulu: %(missing)s.") % {"missing": ", ".join(missing)},
                status=409,
            )
        provider.status = Provider.Status.SUBMITTED
        provider.submitted_at = timezone.now()
        audit_as(provider, actor=actor, reason="diajukan untuk verifikasi")
        provider.save(update_fields=["status", "submitted_at"])
        _tell(provider, _("Prakerja Jatim: %(name)s diajukan untuk verifikasi Disnaker."))
    return provider


# --- Verification -----------------------------------------------------------------------


def provider_review_check(actor: Actor | None, provider: Provider) -> None:
    verifier_check(actor, regency_id=provider.regency_id, denied_code=ProviderError.FORBIDDEN)


@dataclass(frozen=True)
class Checklist:
    documents_valid: bool
    site_visited_on: date | None
    capacity_plausible: bool


def provider_review(
    *,
    actor: Actor | None,
    provider_id: int,
    decision: str,
    checklist: Checklist,
    reason: str = "",
) -> Provider:
    reason = reason.strip()
    if decision not in ProviderReview.Decision.values:
        raise _invalid(_("Pilih keputusan: setujui, minta perbaikan, atau tolak."), "decision")
    if checklist.site_visited_on and checklist.site_visited_on > timezone.localdate():
        raise ApplicationError(
            ProviderError.SITE_VISIT_FUTURE,
            _("Tanggal kunjungan lapangan tidak boleh di masa depan."),
            field="site_visited_on",
        )
    approve = decision == ProviderReview.Decision.APPROVE
    if approve and not (
        checklist.documents_valid and checklist.site_visited_on and checklist.capacity_plausible
    ):
        raise ApplicationError(
            ProviderError.CHECKLIST_INCOMPLETE,
            _(
                "Untuk menyetujui, semua butir daftar periksa harus terpenuhi: dokumen sah, "
                "tanggal kunjungan lapangan, dan kapasitas wajar."
            ),
            field="documents_valid",
        )
    if not approve and not 5 <= len(reason) <= 500:
        raise ApplicationError(
            ProviderError.REASON_REQUIRED,
            _("Tulis alasan (5 sampai 500 huruf): lembaga membacanya untuk memperbaiki."),
            field="reason",
        )
    with transaction.atomic():
        provider = Provider.objects.select_for_update().filter(pk=provider_id).first()
        if provider is None:
            raise NotFound(ProviderError.NOT_FOUND, _("Lembaga pelatihan tidak ditemukan."))
        provider_review_check(actor, provider)
        if provider.status not in UNDER_REVIEW:
            raise ApplicationError(
                ProviderError.NOT_UNDER_REVIEW,
                _("Lembaga ini tidak sedang menunggu verifikasi (status: %(status)s).")
                % {"status": provider.get_status_display()},
                status=409,
            )
        assert isinstance(actor, User)
        if approve and provider.status == Provider.Status.APPROVED_ONCE:
            first = provider.reviews.filter(decision=ProviderReview.Decision.APPROVE).last()
            if first is not None and first.reviewer_id == actor.pk:
                raise ApplicationError(
                    ProviderError.SAME_APPROVER,
                    _(
                        "Anda sudah menyetujui lembaga ini. Persetujuan kedua harus oleh petugas "
                        "lain (empat mata)."
                    ),
                    status=409,
                )
        ProviderReview.objects.create(
            provider=provider,
            reviewer=actor,
            decision=decision,
            documents_valid=checklist.documents_valid,
            site_visited_on=checklist.site_visited_on,
            capacity_plausible=checklist.capacity_plausible,
            reason=reason,
        )
        if approve and provider.status == Provider.Status.SUBMITTED:
            provider.status, provider.status_reason = Provider.Status.APPROVED_ONCE, ""
            text = _(
                "Prakerja Jatim: %(name)s disetujui petugas pertama; menunggu persetujuan kedua."
            )
        elif approve:
            provider.status, provider.status_reason = Provider.Status.VERIFIED, ""
            provider.verified_at = timezone.now()
            text = _("Prakerja Jatim: %(name)s terverifikasi. Anda dapat menawarkan pelatihan.")
        elif decision == ProviderReview.Decision.REQUEST_CHANGES:
            provider.status, provider.status_reason = Provider.Status.CHANGES_REQUESTED, reason
            text = _("Prakerja Jatim: %(name)s perlu perbaikan: ") + reason[:200]
        else:
            provider.status, provider.status_reason = Provider.Status.REJECTED, reason
            text = _("Prakerja Jatim: %(name)s ditolak: ") + reason[:200]
        audit_as(provider, actor=actor, reason=f"verifikasi: {decision}")
        provider.save(update_fields=["status", "status_reason", "verified_at"])
        _tell(provider, text)
    return provider


def _tell(provider: Provider, text: str) -> None:
    if provider.contact_phone:
        sms_send_on_commit(to=provider.contact_phone, body=text % {"name": provider.name[:80]})


def provider_document_get(*, actor: Actor | None, document_id: int) -> ProviderDocument:
    """A document for its operator or for staff who may verify the provider."""
    document = ProviderDocument.objects.select_related("provider").filter(pk=document_id).first()
    if document is None:
        raise NotFound(ProviderError.DOCUMENT_NOT_FOUND, _("Dokumen tidak ditemukan."))
    if actor_role(actor) == Role.PROVIDER:
        assert isinstance(actor, User)
        if document.provider_id != actor.provider_id:
            raise scope_denied(ProviderError.FORBIDDEN)
    else:
        provider_review_check(actor, document.provider)
    return document
