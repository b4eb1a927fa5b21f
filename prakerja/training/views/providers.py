"""Provider pages: the operator's "Lembaga saya" (details, capacity per field, documents,
submission, status and reasons) and the Disnaker verification queue and review page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.errors import ApplicationError
from prakerja.identity.crypto import decrypt_bytes
from prakerja.training import selectors
from prakerja.training.errors_providers import ProviderError
from prakerja.training.models import Provider, ProviderDocument, ProviderReview, TrainingField
from prakerja.training.services import providers as services
from prakerja.training.views.common import refusal_page, shown

DETAIL_FIELDS = (
    "name",
    "kind",
    "address",
    "sisnaker_number",
    "accreditation",
    "contact_phone",
    "contact_email",
)


def _number(value: str | None) -> int | None:
    value = (value or "").replace(".", "").strip()
    return int(value) if value.isdigit() and len(value) <= 7 else None


@login_required
@require_http_methods(["GET", "POST"])
def my_provider(request: HttpRequest) -> HttpResponse:
    try:
        provider = services.provider_of_operator(request.user)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    error: ApplicationError | None = None
    values: dict[str, Any] = {name: getattr(provider, name) for name in DETAIL_FIELDS}
    capacities = {c.field: c.yearly_capacity for c in provider.capacities.all()}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "details":
                values = {name: request.POST.get(name, "") for name in DETAIL_FIELDS}
                services.provider_update(actor=request.user, data=services.ProviderInput(**values))
                messages.success(request, _("Data lembaga disimpan."))
            elif action == "capacity":
                typed = {f: request.POST.get(f"capacity_{f}", "") for f in TrainingField.values}
                parsed = {f: _number(v) if v.strip() else 0 for f, v in typed.items()}
                bad = [f for f, v in parsed.items() if v is None]
                if bad:
                    raise ApplicationError(
                        ProviderError.INVALID,
                        _("Kapasitas harus angka (orang per tahun)."),
                        field=f"capacity_{bad[0]}",
                    )
                services.provider_capacity_set(
                    actor=request.user,
                    capacities={f: v for f, v in parsed.items() if v is not None},
                )
                messages.success(request, _("Kapasitas disimpan."))
            elif action == "document":
                upload = request.FILES.get("document")
                if upload is None:
                    raise ApplicationError(
                        ProviderError.DOCUMENT_TYPE, _("Pilih berkas dokumen."), field="document"
                    )
                services.document_check(size=upload.size or 0, head=upload.read(8))
                upload.seek(0)
                services.provider_document_add(
                    actor=request.user,
                    kind=request.POST.get("kind", ""),
                    name=upload.name or "",
                    content=upload.read(services.MAX_DOCUMENT_BYTES + 1),
                )
                messages.success(request, _("Dokumen diunggah."))
            elif action == "submit":
                services.provider_submit(actor=request.user)
                messages.success(request, _("Lembaga diajukan untuk verifikasi Disnaker."))
            return redirect("providers:mine")
        except ApplicationError as caught:
            error = shown(caught)
        provider.refresh_from_db()
    return render(
        request,
        "training/provider_mine.html",
        {
            "provider": provider,
            "values": values,
            "errors": {error.field: [error.message]} if error and error.field else {},
            "error": error,
            "kinds": Provider.Kind.choices,
            "accreditations": Provider.Accreditation.choices,
            "capacity_rows": [
                (value, label, capacities.get(value, "")) for value, label in TrainingField.choices
            ],
            "document_kinds": ProviderDocument.Kind.choices,
            "editable": provider.status in services.EDITABLE,
        },
        status=error.status if error else 200,
    )


@login_required
@require_GET
def verification_queue(request: HttpRequest) -> HttpResponse:
    try:
        actor_require(request.user, Capability.PROVIDER_VERIFY)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    return render(
        request,
        "training/provider_queue.html",
        {"providers": selectors.verification_queue(actor=request.user)},
    )


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise ApplicationError(
            ProviderError.INVALID,
            _("Tulis tanggal kunjungan yang benar."),
            field="site_visited_on",
        ) from None


@login_required
@require_http_methods(["GET", "POST"])
def provider_review(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = Provider.objects.select_related("regency").filter(pk=provider_id).first()
    try:
        if provider is None:
            raise ApplicationError(
                ProviderError.NOT_FOUND, _("Lembaga pelatihan tidak ditemukan."), status=404
            )
        services.provider_review_check(request.user, provider)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    error: ApplicationError | None = None
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in ("decision", "site_visited_on", "reason")}
        try:
            services.provider_review(
                actor=request.user,
                provider_id=provider.pk,
                decision=posted["decision"],
                checklist=services.Checklist(
                    documents_valid=request.POST.get("documents_valid") == "on",
                    site_visited_on=_date(posted["site_visited_on"]),
                    capacity_plausible=request.POST.get("capacity_plausible") == "on",
                ),
                reason=posted["reason"],
            )
            provider.refresh_from_db()
            messages.success(
                request,
                _("Keputusan disimpan. Status lembaga: %(status)s.")
                % {"status": provider.get_status_display()},
            )
            return redirect("providers:queue")
        except ApplicationError as caught:
            error = shown(caught)
    return render(
        request,
        "training/provider_review.html",
        {
            "provider": provider,
            "capacities": provider.capacities.order_by("field"),
            "documents": provider.documents.defer("content_encrypted").order_by("uploaded_at"),
            "reviews": provider.reviews.select_related("reviewer").order_by("created_at"),
            "decisions": ProviderReview.Decision.choices,
            "error": error,
            "posted": posted,
        },
        status=error.status if error else 200,
    )


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        document = services.provider_document_get(actor=request.user, document_id=document_id)
    except ApplicationError as refused:
        return refusal_page(request, refused)
    response = HttpResponse(
        decrypt_bytes(bytes(document.content_encrypted)), content_type=document.content_type
    )
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
    response["Content-Disposition"] = (
        f'attachment; filename="dokumen-{document.pk}.{extension[document.content_type]}"'
    )
    return response
