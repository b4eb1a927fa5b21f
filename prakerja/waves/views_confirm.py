"""Confirmation pages for the steps that cannot be undone (issue 16, item 15).

Closing a wave, approving and publishing a selection each show first what they will do, in
numbers ("2.701 orang akan menerima SMS"), and only the button on that page takes the step
(the POST views in ``waves.views``). The approver may also refuse a dry run with a comment,
and is warned when the result selects nobody or moved sharply from the previous dry run.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from prakerja.accounts.decorators import capability_required
from prakerja.accounts.models import User
from prakerja.accounts.scopes import Capability
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import once_per_submission_token
from prakerja.waves import selectors, services
from prakerja.waves.models import SelectionRun, Wave, WaveSettings
from prakerja.waves.views import SHOWN_STATUSES, manager_required

approver_required = capability_required(Capability.SELECTION_APPROVE)


@never_cache
@manager_required
@require_GET
def wave_close_confirm(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = selectors.wave_get(wave_id=wave_id)
    if wave.status != Wave.Status.OPEN:
        return redirect("waves:wave_detail", wave.pk)
    automatic = (
        services.wave_settings_get(programme=wave.programme).join_mode
        == WaveSettings.JoinMode.AUTOMATIC
    )
    preview = selectors.wave_close_preview(wave=wave, automatic=automatic)
    return render(request, "waves/confirm_close.html", {"wave": wave, "preview": preview})


def _review_page(
    request: HttpRequest,
    run: SelectionRun,
    template: str,
    *,
    error: ApplicationError | None = None,
    comment: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    context = {
        "run": run,
        "wave": run.wave,
        "review": selectors.selection_run_review(run=run),
        "is_creator": run.created_by_id == user.pk,
        "error": error,
        "comment": comment,
    }
    return render(request, template, context, status=status)


@never_cache
@approver_required
@require_GET
def run_approve_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.selection_run_for_page(run_id=run_id)
    if run.status != SelectionRun.Status.READY:
        return redirect("waves:run_detail", run.pk)
    return _review_page(request, run, "waves/confirm_approve.html")


@never_cache
@approver_required
@require_GET
def run_publish_confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.selection_run_for_page(run_id=run_id)
    if run.status != SelectionRun.Status.APPROVED:
        return redirect("waves:run_detail", run.pk)
    return _review_page(request, run, "waves/confirm_publish.html")


@never_cache
@approver_required
@once_per_submission_token
@require_POST
def run_reject(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.selection_run_for_page(run_id=run_id)
    comment = request.POST.get("comment", "")[:2000]
    try:
        services.selection_run_reject(actor=request.user, run=run, comment=comment)
    except ApplicationError as exc:
        if exc.status not in SHOWN_STATUSES:
            raise
        run = selectors.selection_run_for_page(run_id=run_id)
        return _review_page(
            request,
            run,
            "waves/confirm_approve.html",
            error=exc,
            comment=comment,
            status=exc.status,
        )
    messages.success(request, _("Hasil uji coba ditolak. Pembuatnya dapat memulai uji coba baru."))
    return redirect("waves:run_detail", run.pk)
