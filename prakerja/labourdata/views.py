"""Pages of the labour-data imports: upload, progress (htmx polling), rejected rows, counts.

Thin: the services upload and import, the selectors read. The progress fragment is the same
view with ``?fragment=progress``; htmx polls it every two seconds while the batch runs, and a
``<noscript>`` refresh does the same for a browser without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.scopes import Capability
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import once_per_submission_token
from prakerja.labourdata import selectors, services
from prakerja.labourdata.forms import UploadForm
from prakerja.labourdata.models import Kind, Source

RECENT_BATCHES = 20
DOWNLOAD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


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
    context = {"batch": batch, "sources": dict(Source.choices)}
    if request.GET.get("fragment") == "progress":
        return render(request, "labourdata/batch_detail.html#progress", context)
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
    body: str | bytes
    if file_type == "csv":
        body = "\ufeff" + selectors.rejected_rows_csv(batch=batch)  # BOM: Excel reads UTF-8
    else:
        body = selectors.rejected_rows_xlsx(batch=batch)
    response = HttpResponse(body, content_type=DOWNLOAD_TYPES[file_type])
    stem = batch.original_name.rsplit(".", 1)[0][:80] or "impor"
    response["Content-Disposition"] = (
        f'attachment; filename="ditolak-{batch.pk}-{_ascii(stem)}.{file_type}"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in text)


@capability_required(Capability.LABOUR_DATA_IMPORT)
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404
    response = HttpResponse(selectors.template_xlsx(kind=kind), content_type=DOWNLOAD_TYPES["xlsx"])
    name = "templat-pekerja-terdampak" if kind == Kind.WORKERS else "templat-penerima-jps"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


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
