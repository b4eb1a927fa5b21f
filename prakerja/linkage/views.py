"""/pencocokan/: linkage runs, the review queue, link evidence, regional vs ministry report,
outreach export and SMS invitations, JPS review cases and their monitoring. Thin: parse, call
one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import polars as pl
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.decorators import capability_required, role_required
from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Capability, actor_can, regency_list_for_actor
from prakerja.core import exports
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import once_per_submission_token
from prakerja.labourdata.models import Category
from prakerja.linkage import evidence, matching, selectors
from prakerja.linkage.errors import LinkageError
from prakerja.linkage.models import JpsReviewCase
from prakerja.linkage.services.decisions import link_accept, link_reject, link_unlink
from prakerja.linkage.services.jps import jps_case_resolve
from prakerja.linkage.services.outreach import (
    outreach_export_record,
    outreach_invitations_start,
)
from prakerja.linkage.services.runs import linkage_run_start


def _once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``once_per_submission_token`` (a double-clicked form runs once), typed for the
    decorators around it; every answer it gives is an ``HttpResponse``."""
    return cast(Callable[..., HttpResponse], once_per_submission_token(view))


data_staff_required = role_required(Role.DATA_OFFICER, Role.MANAGER)
report_staff_required = role_required(Role.DATA_OFFICER, Role.MANAGER, Role.VIEWER)

GROUP_LABELS = {
    "both": _("Ada di keduanya"),
    "only_ministry": _("Hanya di daftar Kemnaker"),
    "only_regional": _("Hanya di daftar daerah"),
    "conflicting": _("Bertentangan (kategori/wilayah beda)"),
}


def _regency_param(request: HttpRequest) -> str | None:
    code = request.GET.get("kabupaten", "").strip()
    return code if code.isdigit() and len(code) == 4 else None


# --- Runs -------------------------------------------------------------------------------


@data_staff_required
@require_http_methods(["GET", "POST"])
@_once
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        linkage_run_start(actor=request.user)
        messages.success(request, _("Pencocokan dimulai. Kemajuannya tampil di bawah."))
        return redirect("linkage:index")
    context = {
        "run": selectors.linkage_run_latest(),
        "can_run": actor_can(request.user, Capability.LABOUR_DATA_IMPORT),
        "pending": selectors.review_queue_for_actor(actor=request.user).count(),
        "open_cases": selectors.jps_cases_for_actor(
            actor=request.user, status=JpsReviewCase.Status.OPEN
        ).count(),
    }
    template = "linkage/index.html#progress" if request.htmx else "linkage/index.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- Review queue and evidence ----------------------------------------------------------


@data_staff_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    links = selectors.review_queue_for_actor(
        actor=request.user, regency_code=_regency_param(request)
    )
    page = Paginator(links, 50).get_page(request.GET.get("halaman"))
    return render(request, "linkage/review_queue.html", {"page": page})


@data_staff_required
@require_http_methods(["GET", "POST"])
@_once
def link_detail(request: HttpRequest, link_id: int) -> HttpResponse:
    error = None
    if request.method == "POST":
        action = request.POST.get("keputusan", "")
        reason = request.POST.get("alasan", "")
        decide = {
            "terima": link_accept,
            "tolak": link_reject,
            "lepas": link_unlink,
        }.get(action)
        try:
            if decide is None:
                raise ApplicationError(
                    LinkageError.LINKAGE_ACTION_INVALID,
                    _("Pilih terima atau tolak."),
                    field="keputusan",
                )
            decide(actor=request.user, link_id=link_id, reason=reason)
        except ApplicationError as exc:
            if exc.status in (403, 404):
                raise
            error = exc.message
        else:
            messages.success(request, _("Keputusan disimpan."))
            return redirect("linkage:review_queue")
    pair = evidence.link_evidence(actor=request.user, link_id=link_id)
    return render(
        request,
        "linkage/link_detail.html",
        {
            "evidence": pair,
            "error": error,
            "can_decide": actor_can(request.user, Capability.LABOUR_DATA_IMPORT),
            "auto_threshold": matching.AUTO_LINK_PROBABILITY,
            "category_labels": dict(Category.choices),
        },
        status=400 if error else 200,
    )


# --- Regional vs ministry ---------------------------------------------------------------


@report_staff_required
@require_GET
def regional_ministry(request: HttpRequest) -> HttpResponse:
    report = selectors.regional_vs_ministry(
        actor=request.user, regency_code=_regency_param(request)
    )
    group = request.GET.get("kelompok", "conflicting")
    if group not in GROUP_LABELS:
        group = "conflicting"
    people = report.people.filter(pl.col("group") == group).drop("worker_id")
    if request.GET.get("format") == "csv":
        header = [
            _("Nama lengkap"),
            _("Kabupaten/kota"),
            _("Kategori Kemnaker"),
            _("Wilayah Kemnaker"),
            _("Kategori daerah"),
            _("Wilayah daerah"),
        ]
        columns = (
            "full_name",
            "regency",
            "ministry_category",
            "ministry_regency",
            "regional_category",
            "regional_regency",
        )
        rows = ([row[column] for column in columns] for row in people.iter_rows(named=True))
        return exports.csv_response(filename=f"daerah-kemnaker-{group}.csv", rows=[header, *rows])
    return render(
        request,
        "linkage/regional_ministry.html",
        {
            "counts": report.counts.to_dicts(),
            "totals": report.totals(),
            "group": group,
            "group_label": GROUP_LABELS[group],
            "groups": GROUP_LABELS,
            "people": people.head(200).to_dicts(),
            "people_total": people.height,
        },
    )


# --- Outreach ---------------------------------------------------------------------------


def _outreach_file(frame: pl.DataFrame, file_format: str) -> HttpResponse:
    labels = dict(Category.choices)
    rows = [
        [str(h) for h in selectors.OUTREACH_HEADERS],
        *(
            [
                row["regency"],
                row["full_name"],
                row["phone"] or "",
                str(labels.get(row["category"] or "", "")),
                row["company"] or "",
            ]
            for row in frame.iter_rows(named=True)
        ),
    ]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "csv":
        return exports.csv_response(filename=f"penjangkauan-{stamp}.csv", rows=rows)
    # Text cells: a phone number must not become a number.
    return exports.xlsx_response(
        filename=f"penjangkauan-{stamp}.xlsx",
        content=exports.xlsx_table(sheet_name="Penjangkauan", rows=rows),
    )


@capability_required(Capability.LABOUR_DATA_EXPORT)
@require_GET
def outreach(request: HttpRequest) -> HttpResponse:
    file_format = request.GET.get("format", "")
    if file_format in ("csv", "xlsx"):
        regency_code = _regency_param(request)
        frame = selectors.outreach_rows(actor=request.user, regency_code=regency_code)
        with transaction.atomic():
            outreach_export_record(
                actor=request.user,
                file_format=file_format,
                regency_code=regency_code,
                row_count=frame.height,
            )
        return _outreach_file(frame, file_format)
    return render(request, "linkage/outreach.html", _outreach_context(request))


def _outreach_context(request: HttpRequest) -> dict[str, Any]:
    # Only those who may export reach the page (the tab is shown to them only).
    return {
        "counts": selectors.outreach_counts(actor=request.user),
        "regencies": regency_list_for_actor(actor=request.user),
        "waves": list(selectors.outreach_waves()),
    }


@capability_required(Capability.LABOUR_DATA_EXPORT)
@require_http_methods(["POST"])
@_once
def outreach_invite(request: HttpRequest) -> HttpResponse:
    regency = request.POST.get("kabupaten", "").strip() or None
    try:
        outreach_invitations_start(
            actor=request.user, wave_id=request.POST.get("gelombang", ""), regency_code=regency
        )
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        # The page again, with the reason and the request's 4xx status.
        messages.error(request, str(exc.message))
        return render(
            request, "linkage/outreach.html", _outreach_context(request), status=exc.status
        )
    messages.success(
        request,
        _("Undangan SMS sedang dikirim. Setiap orang menerima paling banyak satu per gelombang."),
    )
    return redirect("linkage:outreach")


# --- JPS --------------------------------------------------------------------------------


@report_staff_required
@require_GET
def jps_cases(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", JpsReviewCase.Status.OPEN)
    if status not in JpsReviewCase.Status.values:
        status = JpsReviewCase.Status.OPEN
    cases = selectors.jps_cases_for_actor(
        actor=request.user, status=status, regency_code=_regency_param(request)
    )
    page = Paginator(cases, 50).get_page(request.GET.get("halaman"))
    return render(
        request,
        "linkage/jps_cases.html",
        {"page": page, "status": status, "statuses": JpsReviewCase.Status.choices},
    )


@report_staff_required
@require_http_methods(["GET", "POST"])
@_once
def jps_case(request: HttpRequest, case_id: int) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            jps_case_resolve(
                actor=request.user,
                case_id=case_id,
                decision=request.POST.get("keputusan", ""),
                reason=request.POST.get("alasan", ""),
            )
        except ApplicationError as exc:
            if exc.status in (403, 404):
                raise
            error = exc.message
        else:
            messages.success(request, _("Keputusan kasus JPS disimpan."))
            return redirect("linkage:jps_cases")
    case = selectors.jps_case_get_for_actor(actor=request.user, case_id=case_id)
    return render(
        request,
        "linkage/jps_case.html",
        {
            "case": case,
            "nik_masked": selectors.jps_case_registrant_nik_masked(case),
            "decisions": JpsReviewCase.Decision.choices,
            "can_decide": request.user.role != Role.VIEWER,  # type: ignore[union-attr]
            "error": error,
        },
        status=400 if error else 200,
    )


@report_staff_required
@require_GET
def jps_monitoring(request: HttpRequest) -> HttpResponse:
    rows = selectors.jps_monitoring(actor=request.user)
    if request.GET.get("format") == "csv":
        header = [
            _("kode"),
            _("kabupaten/kota"),
            _("kasus"),
            _("terbuka"),
            _("dilanjutkan"),
            _("dihentikan"),
            _("disesuaikan"),
            _("terbuka sejak"),
        ]
        lines = (
            [
                row["regency_id"],
                row["regency__name"],
                row["total"],
                row["open"],
                row["continued"],
                row["stopped"],
                row["adjusted"],
                timezone.localtime(row["oldest_open"]).date() if row["oldest_open"] else "",
            ]
            for row in rows
        )
        return exports.csv_response(filename="pemantauan-jps.csv", rows=[header, *lines])
    return render(request, "linkage/jps_monitoring.html", {"rows": rows})
