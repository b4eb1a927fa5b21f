"""Pages of the labour-data imports: upload, progress (htmx polling), rejected rows, counts.

Thin: the services upload and import, the selectors read. The progress fragment is the same
view with ``?fragment=progress``; htmx polls it every two seconds while the batch runs, and a
``<noscript>`` refresh does the same for a browser without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.scopes import Capability
from prakerja.core import exports
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import once_per_submission_token
from prakerja.labourdata import retention, selectors, services
from prakerja.labourdata.forms import UploadForm
from prakerja.labourdata.models import ImportBatch, Kind, Source

RECENT_BATCHES = 20
DOWNLOAD_TYPES = ("xlsx", "csv")


def _index_context(request: HttpRequest, form: UploadForm) -> dict[str, Any]:
    return {
        "form": form,
        "batches": selectors.batch_list_for_actor(actor=request.user)[:RECENT_BATCHES],
        "scope_regency": getattr(request.user, "regency", None),
    }


@never_cache
@capability_required(Capability.LABOUR_DATA_IMPORT)
@require_http_methods(["GET", "POST"])
@once_per_submission_token
def index(request: HttpRequest) -> HttpResponse:
    """Upload a list; see the recent imports."""
    if request.method != "POST":
        return render(request, "labourdata/index.html", _index_context(request, UploadForm()))
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_batch_upload(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                source=form.cleaned_data.get("source") or "",
                name=upload.name,
                upload=upload,
                size=upload.size,
                sheet=form.cleaned_data.get("sheet") or "",
            )
        except ApplicationError as error:
            form.add_error("source" if error.field == "source" else "file", str(error.message))
        else:
            messages.info(request, result.message)
            return redirect("labourdata:batch_detail", batch_id=result.batch.pk)
    return render(request, "labourdata/index.html", _index_context(request, form), status=400)


@never_cache
@capability_required(Capability.LABOUR_DATA_IMPORT)
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    """One import: progress while it runs, then its figures and the rejected-rows download."""
    try:
        batch = selectors.batch_get_for_actor(actor=request.user, batch_id=batch_id)
    except ApplicationError as error:
        if error.status == 404:
            raise Http404(str(error.message)) from None
        return render(request, "core/error.html", {"message": error.message}, status=error.status)
    context = {
        "batch": batch,
        "sources": dict(Source.choices),
        "kept_until": retention.data_kept_until(batch),
        "rejected_downloadable": retention.rejected_rows_downloadable_by(
            actor=request.user, batch=batch
        ),
    }
    if request.GET.get("fragment") == "progress":
        return render(request, "labourdata/batch_detail.html#progress", context)
    if (
        batch.status == ImportBatch.Status.COMPLETED
        and batch.rows_rejected
        and not batch.data_deleted_at
        and context["rejected_downloadable"]
    ):
        # The same people who may download the rejected rows see them here, a page at a time.
        context["rejected_page"] = selectors.rejected_rows_page(
            batch=batch, page_number=request.GET.get("halaman")
        )
    return render(request, "labourdata/batch_detail.html", context)


@capability_required(Capability.LABOUR_DATA_IMPORT)
@require_GET
def batch_rejected(request: HttpRequest, batch_id: int, file_type: str) -> HttpResponse:
    """The rejected rows as they were uploaded, plus an "Alasan" column: fix, then upload."""
    if file_type not in DOWNLOAD_TYPES:
        raise Http404
    try:
        batch = selectors.batch_get_for_actor(actor=request.user, batch_id=batch_id)
    except ApplicationError as error:
        if error.status == 404:
            raise Http404(str(error.message)) from None
        return render(request, "core/error.html", {"message": error.message}, status=error.status)
    stem = _ascii(batch.original_name.rsplit(".", 1)[0][:80] or "impor")
    filename = f"ditolak-{batch.pk}-{stem}.{file_type}"
    try:
        # One transaction: the access log row is written before the rows are read, and the
        # batch's row lock keeps the retention job from emptying them half-way through.
        with transaction.atomic():
            retention.rejected_rows_download_record(
                actor=request.user, batch=batch, file_format=file_type
            )
            if file_type == "csv":
                return exports.csv_response(
                    filename=filename, rows=list(selectors.rejected_rows_table(batch=batch))
                )
            return exports.xlsx_response(
                filename=filename, content=selectors.rejected_rows_xlsx(batch=batch)
            )
    except ApplicationError as error:
        return render(request, "core/error.html", {"message": error.message}, status=error.status)


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in text)


@capability_required(Capability.LABOUR_DATA_IMPORT)
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404
    name = "templat-pekerja-terdampak" if kind == Kind.WORKERS else "templat-penerima-jps"
    return exports.xlsx_response(
        filename=f"{name}.xlsx", content=selectors.template_xlsx(kind=kind)
    )


@capability_required(Capability.REPORT_VIEW)
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """People reported per category and regency, in the actor's regencies."""
    source = request.GET.get("sumber") or None
    if source not in (None, *Source.values):
        source = None
    figures = selectors.worker_counts(actor=request.user, source=source)
    return render(
        request,
        "labourdata/counts.html",
        {
            "figures": figures,
            "sources": Source.choices,
            "source": source or "",
            "title": _("Rekap"),
        },
    )
