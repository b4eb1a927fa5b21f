"""``/data-disnaker/sisnaker/``: upload the ministry's list of training institutions, read the
reconciliation report (three groups), decide the pairs waiting for review, download the report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.scopes import Capability
from prakerja.core import exports
from prakerja.core.errors import ApplicationError
from prakerja.labourdata import sisnaker
from prakerja.labourdata.errors import SisnakerError
from prakerja.labourdata.spreadsheet import file_check_size

SHOWN = frozenset({400, 403, 404, 409, 413, 422})


@never_cache
@capability_required(Capability.PROVIDER_VERIFY)
@require_http_methods(["GET", "POST"])
def sisnaker_index(request: HttpRequest) -> HttpResponse:
    error: ApplicationError | None = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ApplicationError(
                    SisnakerError.NO_FILE,
                    _("Pilih berkas daftar lembaga (.xlsx atau .csv)."),
                    field="file",
                )
            file_check_size(upload.size or 0)  # before anything is read
            outcome = sisnaker.sisnaker_import(
                actor=request.user, data=upload.read(), name=upload.name or "sisnaker.csv"
            )
        except ApplicationError as caught:
            if caught.status not in SHOWN:
                raise
            error = caught
        else:
            messages.success(
                request,
                _("Daftar Sisnaker dibaca: %(n)d lembaga, %(rejected)d baris ditolak.")
                % {"n": outcome.institutions, "rejected": outcome.rejected},
            )
            return redirect("labourdata:sisnaker")
    latest = sisnaker.sisnaker_latest()
    report = sisnaker.sisnaker_report(actor=request.user, list_import=latest) if latest else None
    return render(
        request,
        "labourdata/sisnaker.html",
        {"report": report, "error": error},
        status=error.status if error else 200,
    )


@capability_required(Capability.PROVIDER_VERIFY)
@require_GET
def sisnaker_report_csv(request: HttpRequest) -> HttpResponse:
    latest = sisnaker.sisnaker_latest()
    if latest is None:
        return redirect("labourdata:sisnaker")
    report = sisnaker.sisnaker_report(actor=request.user, list_import=latest)
    return exports.csv_response(
        filename=f"rekonsiliasi-sisnaker-{latest.pk}.csv",
        rows=sisnaker.sisnaker_report_rows(report),
    )


@capability_required(Capability.PROVIDER_VERIFY)
@require_POST
def sisnaker_decide(request: HttpRequest, match_id: int) -> HttpResponse:
    try:
        sisnaker.sisnaker_match_decide(
            actor=request.user, match_id=match_id, same=request.POST.get("same") == "yes"
        )
    except ApplicationError as error:
        if error.status not in SHOWN:
            raise
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Keputusan disimpan."))
    return redirect("labourdata:sisnaker")
