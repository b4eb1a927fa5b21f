"""Pages after enrolment: the provider's batch page (attendance, score, completion, CSV upload),
the participant's certificate and rating, the public certificate check, and the managers'
training table. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.accounts.scopes import Capability, actor_require
from prakerja.assistance.console.selectors import name_mask
from prakerja.core import throttle
from prakerja.core.errors import ApplicationError
from prakerja.core.exports import csv_response
from prakerja.enrolment import selectors_stats
from prakerja.enrolment.errors import CompletionError
from prakerja.enrolment.models import Enrolment
from prakerja.enrolment.services import certificates, completion, ratings

SHOWN = frozenset({400, 403, 404, 409, 413, 422, 429})
CERTIFICATE_CHECK_RATE = "30/m"


def _problem(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    if error.status not in SHOWN:
        raise error
    return render(request, "enrolment/problem.html", {"error": error}, status=error.status)


def _number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 6 else None


# --- Provider ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def batch_participants(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        batch = completion.batch_get_for_operator(actor=request.user, batch_id=batch_id)
    except ApplicationError as refused:
        return _problem(request, refused)
    error: ApplicationError | None = None
    row_problems: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ApplicationError(
                        CompletionError.UPLOAD_INVALID, _("Pilih berkas CSV untuk diunggah.")
                    )
                if upload.size and upload.size > completion.MAX_UPLOAD_BYTES:
                    raise ApplicationError(
                        CompletionError.UPLOAD_TOO_LARGE,
                        _("Berkas terlalu besar: paling besar 1 MB."),
                        status=413,
                    )
                result = completion.completion_upload(
                    actor=request.user,
                    batch_id=batch.pk,
                    content=upload.read(completion.MAX_UPLOAD_BYTES + 1),
                )
                messages.success(
                    request,
                    _("Berkas diproses: %(completed)d lulus, %(failed)d tidak lulus.")
                    % {"completed": result.completed, "failed": result.failed},
                )
            else:
                enrolment = completion.completion_record(
                    actor=request.user,
                    enrolment_id=_number(request.POST.get("enrolment")) or 0,
                    attendance_percent=_number(request.POST.get("attendance_percent")),
                    final_score=_number(request.POST.get("final_score")),
                )
                messages.success(
                    request,
                    _("Tercatat: %(status)s.") % {"status": enrolment.get_status_display()},
                )
            return redirect("training_console:batch_participants", batch_id=batch.pk)
        except completion.UploadRejected as rejected:
            error, row_problems = rejected, rejected.rows
        except ApplicationError as caught:
            if caught.status not in SHOWN:
                raise
            error = caught
    enrolments = [
        (e, name_mask(e.participant.registration.full_name))
        for e in Enrolment.objects.filter(batch=batch)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("participant__registration")
        .order_by("pk")
    ]
    return render(
        request,
        "enrolment/batch_participants.html",
        {"batch": batch, "enrolments": enrolments, "error": error, "row_problems": row_problems},
        status=error.status if error else 200,
    )


# --- Participant ------------------------------------------------------------------------


@login_required
@require_GET
def certificate_download(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    try:
        certificate = certificates.certificate_get_for_actor(
            actor=request.user, enrolment_id=enrolment_id
        )
    except ApplicationError as refused:
        return _problem(request, refused)
    response = HttpResponse(
        certificates.certificate_pdf(certificate=certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{certificate.number}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rating_form(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = (
        Enrolment.objects.select_related("batch__course", "participant__registration")
        .filter(pk=enrolment_id, participant__registration__user_id=request.user.pk or 0)
        .first()
    )
    if enrolment is None:
        return _problem(
            request,
            ApplicationError(
                CompletionError.ENROLMENT_NOT_FOUND, _("Pendaftaran tidak ditemukan."), status=404
            ),
        )
    error: ApplicationError | None = None
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = {
            "stars": request.POST.get("stars", ""),
            "comment": request.POST.get("comment", ""),
        }
        try:
            ratings.rating_create(
                actor=request.user,
                enrolment_id=enrolment.pk,
                stars=_number(values["stars"]),
                comment=values["comment"],
            )
            messages.success(request, _("Terima kasih, penilaian Anda tersimpan."))
            return redirect("enrolment:my_training")
        except ApplicationError as caught:
            if caught.status not in SHOWN:
                raise
            error = caught
    return render(
        request,
        "enrolment/rating_form.html",
        {"enrolment": enrolment, "error": error, "values": values, "stars": range(1, 6)},
        status=error.status if error else 200,
    )


# --- Public -----------------------------------------------------------------------------


@require_GET
def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    usage = throttle.hit(
        group="certificate-check", key=throttle.client_address(request), rate=CERTIFICATE_CHECK_RATE
    )
    if usage.limited:
        response = render(
            request,
            "enrolment/problem.html",
            {
                "error": ApplicationError(
                    CompletionError.CERTIFICATE_RATE_LIMITED,
                    _("Terlalu banyak pemeriksaan dari alamat ini. Coba lagi sebentar lagi."),
                    status=429,
                )
            },
            status=429,
        )
        response["Retry-After"] = str(usage.retry_after)
        return response
    try:
        public = certificates.certificate_verify(number=number)
    except ApplicationError as refused:
        return _problem(request, refused)
    return render(request, "enrolment/certificate_verify.html", {"certificate": public})


# --- Managers ---------------------------------------------------------------------------


@login_required
@require_GET
def training_report(request: HttpRequest) -> HttpResponse:
    try:
        actor_require(request.user, Capability.REPORT_VIEW)
    except ApplicationError as refused:
        return _problem(request, refused)
    scope = selectors_stats.regency_scope(request.user)
    by_regency = selectors_stats.training_by_regency(regency_ids=scope)
    by_provider = selectors_stats.training_by_provider(regency_ids=scope)
    if request.GET.get("format") == "csv":
        per = request.GET.get("per", "regency")
        rows = by_provider if per == "provider" else by_regency
        return csv_response(
            filename=f"pelatihan-per-{'lembaga' if per == 'provider' else 'kabupaten'}.csv",
            rows=[
                [
                    _("Kode"),
                    _("Nama"),
                    _("Kursi ditawarkan"),
                    _("Terdaftar"),
                    _("Lulus"),
                    _("Dicabut") if per != "provider" else _("Dibatalkan"),
                    _("Rata-rata nilai"),
                ],
                *[
                    [
                        r.key,
                        r.name,
                        r.seats_offered,
                        r.enrolled,
                        r.completed,
                        r.revoked,
                        "" if r.average_rating is None else str(r.average_rating).replace(".", ","),
                    ]
                    for r in rows
                ],
            ],
        )
    return render(
        request,
        "enrolment/training_report.html",
        {"by_regency": by_regency, "by_provider": by_provider},
    )
