"""Programme manager's pages for waves, quotas and selection runs, and the applicant's "join".

Thin, like every HTML view here: parse, call one service of ``prakerja.waves.services``, render
the page (or its htmx fragment). The services decide (quotas that do not add up, overlapping
waves, four-eyes approval…) and raise ``ApplicationError``; a refused form comes back with the
service's Indonesian message next to the field and everything the manager typed kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.models import User
from prakerja.accounts.scopes import Capability, actor_can
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.core.idempotency import form_token_issue, once_per_submission_token
from prakerja.regions.models import Regency
from prakerja.registry.selectors import registration_get_for_actor
from prakerja.registry.services.programme import programme_default
from prakerja.waves import selectors, services
from prakerja.waves.errors import WavesError
from prakerja.waves.forms import WaveForm, quota_parse, quota_sum, quota_values
from prakerja.waves.models import SelectionRun, Wave
from prakerja.waves.selectors import selection_outcome_per_regency

manager_required = capability_required(Capability.WAVE_MANAGE)
# Refusals a page shows next to the form (bad input, a state that forbids the step, four-eyes).
SHOWN_STATUSES = frozenset({400, 403, 409, 422})
ALLOCATED_MESSAGE = _(
    "Kuota dialokasikan otomatis. Periksa pembagiannya, ubah bila perlu, lalu simpan."
)


def _shown(error: ApplicationError) -> ApplicationError:
    if error.status not in SHOWN_STATUSES:
        raise error
    return error


def _field_error(error: ApplicationError, errors: dict[str, list[str]]) -> ApplicationError | None:
    """Put a service error next to its input; None when it is shown there (not on top)."""
    if error.field and error.field in WaveForm.base_fields:
        errors[error.field] = [str(error.message)]
        return None
    return error


# --- Waves ---------------------------------------------------------------------------------


@never_cache
@manager_required
@require_GET
def wave_list(request: HttpRequest) -> HttpResponse:
    programme = programme_default()
    waves = selectors.wave_list_with_entry_counts(programme=programme)
    return render(request, "waves/wave_list.html", {"programme": programme, "waves": waves})


def _sum_context(quotas: dict[str, str], total_raw: Any) -> dict[str, Any]:
    """The running sum against the total: ``over``/``short`` say by how much it is off."""
    typed = quota_sum(quotas)
    total_text = str(total_raw or "").replace(".", "").strip()
    total = int(total_text) if total_text.isascii() and total_text.isdigit() else None
    return {
        "quota_sum": typed,
        "total": total,
        "over": max(typed - total, 0) if total is not None else 0,
        "short": max(total - typed, 0) if total is not None else 0,
    }


def _form_context(
    request: HttpRequest,
    *,
    regencies: list[Regency],
    values: dict[str, Any],
    quotas: dict[str, str],
    errors: dict[str, list[str]] | None = None,
    quota_errors: dict[str, str] | None = None,
    error: ApplicationError | None = None,
) -> dict[str, Any]:
    return {
        **_sum_context(quotas, values.get("total_quota")),
        "values": values,
        "errors": errors or {},
        # A refusal about the quotas (they do not add up…) goes above the quota table.
        "error": error if error is not None and error.field != "regency_quotas" else None,
        "quota_error": error if error is not None and error.field == "regency_quotas" else None,
        "rows": [
            (regency, quotas.get(regency.code, ""), (quota_errors or {}).get(regency.code))
            for regency in regencies
        ],
        "submission_token": form_token_issue(request),
    }


@never_cache
@manager_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def wave_create(request: HttpRequest) -> HttpResponse:
    """A wave with one quota per East Java regency, typed or allocated by the service."""
    regencies = selectors.east_java_regencies()
    if request.method != "POST":
        context = _form_context(request, regencies=regencies, values={}, quotas={})
        return render(request, "waves/wave_form.html", context)

    values = {name: request.POST.get(name, "").strip() for name in WaveForm.base_fields}
    quotas_typed = quota_values(request.POST, regencies)
    # "543.000" as Indonesians write thousands.
    form = WaveForm({**values, "total_quota": values["total_quota"].replace(".", "")})
    errors: dict[str, list[str]] = {} if form.is_valid() else form.errors_by_field()
    quota_numbers, quota_errors = quota_parse(quotas_typed)
    programme = programme_default()

    allocate = request.POST.get("action") == "allocate"
    service_error: ApplicationError | None = None
    if allocate and not errors:
        # "Alokasikan otomatis": the wave is created as a draft and its quotas allocated, in
        # the one transaction of the service;
        # the manager then checks or changes them on the quota page before opening.
        try:
            wave = services.wave_create(
                actor=request.user,
                programme=programme,
                name=form.cleaned_data["name"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                total_quota=form.cleaned_data["total_quota"],
                allocate=True,
            )
        except ApplicationError as exc:
            service_error = _field_error(_shown(exc), errors)
        else:
            messages.success(request, ALLOCATED_MESSAGE)
            return redirect("waves:wave_quotas", wave.pk)
    if not allocate and not errors and not quota_errors:
        try:
            wave = services.wave_create(
                actor=request.user,
                programme=programme,
                name=form.cleaned_data["name"],
                opens_at=form.cleaned_data["opens_at"],
                closes_at=form.cleaned_data["closes_at"],
                total_quota=form.cleaned_data["total_quota"],
                regency_quotas={code: n for code, n in quota_numbers.items() if n > 0},
            )
        except ApplicationError as exc:
            service_error = _field_error(_shown(exc), errors)
        else:
            messages.success(request, _("Gelombang %(name)s dibuat.") % {"name": wave.name})
            return redirect("waves:wave_detail", wave.pk)
    context = _form_context(
        request,
        regencies=regencies,
        values=values,
        quotas=quotas_typed,
        errors=errors,
        quota_errors=quota_errors,
        error=service_error,
    )
    return render(request, "waves/wave_form.html", context, status=422)


@manager_required
@require_GET
def quota_total(request: HttpRequest) -> HttpResponse:
    """htmx: the running sum under the quota table, as the manager types."""
    values = quota_values(request.GET, selectors.east_java_regencies())
    context = _sum_context(values, request.GET.get("total_quota", "")[:12])
    return render(request, "waves/_quota_table.html#quota_sum", context)


@never_cache
@manager_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def wave_quotas(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Change a draft or open wave's quotas by hand, or allocate them again automatically."""
    wave = selectors.wave_get(wave_id=wave_id)
    regencies = selectors.east_java_regencies()
    values = {"total_quota": wave.total_quota}
    if request.method != "POST":
        stored = selectors.wave_quotas_stored(wave=wave)
        quotas = {r.code: str(stored[r.code]) if r.code in stored else "" for r in regencies}
        context = _form_context(request, regencies=regencies, values=values, quotas=quotas)
        return render(request, "waves/wave_quotas.html", {**context, "wave": wave, **_inputs(wave)})
    quotas_typed = quota_values(request.POST, regencies)
    quota_numbers, quota_errors = quota_parse(quotas_typed)
    service_error: ApplicationError | None = None
    try:
        if request.POST.get("action") == "allocate":
            services.wave_quotas_allocate(actor=request.user, wave=wave)
            done = ALLOCATED_MESSAGE
        elif request.POST.get("action") == "allocate_capacity":
            services.wave_quotas_allocate_by_capacity(actor=request.user, wave=wave)
            done = _(
                "Kuota dibagi menurut jumlah pendaftar dan kapasitas pelatihan terverifikasi "
                "(metode sisa terbesar)."
            )
        elif not quota_errors:
            services.wave_quotas_set(
                actor=request.user,
                wave=wave,
                regency_quotas={code: n for code, n in quota_numbers.items() if n > 0},
            )
            done = _("Kuota kabupaten/kota disimpan.")
    except ApplicationError as exc:
        service_error = _shown(exc)
    else:
        if not quota_errors or request.POST.get("action") in ("allocate", "allocate_capacity"):
            messages.success(request, done)
            return redirect("waves:wave_quotas", wave.pk)
    context = _form_context(
        request,
        regencies=regencies,
        values=values,
        quotas=quotas_typed,
        quota_errors=quota_errors,
        error=service_error,
    )
    return render(
        request, "waves/wave_quotas.html", {**context, "wave": wave, **_inputs(wave)}, status=422
    )


def _inputs(wave: Wave) -> dict[str, Any]:
    """Registrations and verified training capacity per regency, shown beside the quotas."""
    return {"inputs": selectors.quota_inputs(wave=wave)}


def _wave_context(request: HttpRequest, wave: Wave, **extra: Any) -> dict[str, Any]:
    runs = selectors.wave_runs(wave=wave)
    entries = selectors.wave_entry_counts(wave=wave)
    return {
        "wave": wave,
        "quotas": selectors.wave_quotas_with_regency(wave=wave),
        "quota_sum": selectors.wave_quota_sum(wave=wave),
        "runs": runs,
        "entries": entries,
        "now": timezone.now(),
        "can_manage": actor_can(request.user, Capability.WAVE_MANAGE),
        **extra,
    }


@never_cache
@manager_required
@require_GET
def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_get(wave_id=wave_id)
    return render(request, "waves/wave_detail.html", _wave_context(request, wave))


def _wave_step(request: HttpRequest, wave_id: int, step: str) -> HttpResponse:
    wave = selectors.wave_get(wave_id=wave_id)
    try:
        if step == "open":
            services.wave_open(actor=request.user, wave=wave)
            done = _("Gelombang dibuka untuk pendaftar.")
        else:
            services.wave_close(actor=request.user, wave=wave)
            done = _("Gelombang ditutup. Pendaftaran yang belum lengkap masuk daftar tunggu.")
    except ApplicationError as exc:
        context = _wave_context(request, selectors.wave_get(wave_id=wave_id), error=_shown(exc))
        return render(request, "waves/wave_detail.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("waves:wave_detail", wave.pk)


@never_cache
@manager_required
@once_per_submission_token
@require_POST
def wave_open(request: HttpRequest, wave_id: int) -> HttpResponse:
    return _wave_step(request, wave_id, "open")


@never_cache
@manager_required
@once_per_submission_token
@require_POST
def wave_close(request: HttpRequest, wave_id: int) -> HttpResponse:
    return _wave_step(request, wave_id, "close")


# --- Selection runs ------------------------------------------------------------------------


@never_cache
@manager_required
@once_per_submission_token
@require_POST
def run_create(request: HttpRequest, wave_id: int) -> HttpResponse:
    """Start a dry run: the seed is drawn and published on the run page before the job runs."""
    wave = selectors.wave_get(wave_id=wave_id)
    seed = request.POST.get("seed", "")[:200].strip()
    try:
        run = services.selection_run_create(actor=request.user, wave=wave, seed=seed or None)
    except ApplicationError as exc:
        context = _wave_context(request, wave, error=_shown(exc), seed_value=seed)
        return render(request, "waves/wave_detail.html", context, status=exc.status)
    return redirect("waves:run_detail", run.pk)


def _run_context(request: HttpRequest, run: SelectionRun, **extra: Any) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    finished = run.status in {
        SelectionRun.Status.READY,
        SelectionRun.Status.APPROVED,
        SelectionRun.Status.PUBLISHED,
        SelectionRun.Status.SUPERSEDED,
        SelectionRun.Status.REJECTED,
    }
    rows = list(selection_outcome_per_regency(run=run)) if finished else []
    announced = (
        selectors.announcement_counts(wave_id=run.wave_id)
        if run.status == SelectionRun.Status.PUBLISHED
        else None
    )
    return {
        "announced": announced,
        "run": run,
        "wave": run.wave,
        "in_progress": run.status in {SelectionRun.Status.QUEUED, SelectionRun.Status.RUNNING},
        "finished": finished,
        "rows": rows,
        "totals": _totals(rows),
        "is_creator": run.created_by_id == user.pk,
        "can_approve": actor_can(user, Capability.SELECTION_APPROVE),
        **extra,
    }


def _totals(rows: list[Any]) -> dict[str, int]:
    keys = ("quota", "eligible", "selected", "reserved_used", "reserved_seats")
    return {key: sum(int(getattr(row, key, 0) or 0) for row in rows) for key in keys}


@never_cache
@manager_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run: seed and parameters first, then progress (polled) or the outcome per regency."""
    run = selectors.selection_run_for_page(run_id=run_id)
    context = _run_context(request, run)
    if request.GET.get("fragment") == "progress":
        if not context["in_progress"]:
            # Done: reload the whole page to show the outcome (htmx follows HX-Refresh).
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "waves/run_detail.html#progress", context)
    return render(request, "waves/run_detail.html", context)


def _run_step(request: HttpRequest, run_id: int, step: str) -> HttpResponse:
    run = selectors.selection_run_for_page(run_id=run_id)
    try:
        if step == "approve":
            services.selection_run_approve(actor=request.user, run=run)
            done = _("Hasil seleksi disetujui. Hasil dapat diumumkan.")
        else:
            services.selection_run_publish(actor=request.user, run=run)
            done = _("Hasil seleksi diumumkan. SMS dan email dikirim lewat antrean.")
    except ApplicationError as exc:
        context = _run_context(
            request, selectors.selection_run_for_page(run_id=run_id), error=_shown(exc)
        )
        return render(request, "waves/run_detail.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("waves:run_detail", run.pk)


@never_cache
@capability_required(Capability.SELECTION_APPROVE)
@once_per_submission_token
@require_POST
def run_approve(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_step(request, run_id, "approve")


@never_cache
@capability_required(Capability.SELECTION_APPROVE)
@once_per_submission_token
@require_POST
def run_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_step(request, run_id, "publish")


# --- Applicant -----------------------------------------------------------------------------


@never_cache
@login_required
@once_per_submission_token
@require_POST
def wave_join(request: HttpRequest, reference: str) -> HttpResponse:
    """The applicant joins the open wave (when the programme asks applicants to join)."""
    registration = registration_get_for_actor(actor=request.user, reference=reference)
    wave_id = request.POST.get("wave", "")
    if not (wave_id.isascii() and wave_id.isdigit()):
        raise NotFound(WavesError.WAVE_NOT_FOUND, _("Gelombang tidak ditemukan."))
    wave = selectors.wave_get(wave_id=int(wave_id))
    try:
        services.wave_join(actor=request.user, wave=wave, registration=registration)
    except ApplicationError as exc:
        _shown(exc)
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Anda sudah bergabung ke %(wave)s.") % {"wave": wave.name})
    return redirect("registry:status", registration.reference)
