"""The end of the wizard (GOV.UK's "check answers" and "confirmation" patterns): every answer
with an "Ubah" link to its step before the person submits, then the reference in large type,
what happens next and what to keep.

Thin like the wizard's views: fetched through ``registration_get_for_actor`` (an officer of the
assisting post sees the same pages), read through ``registration_answers``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prakerja.core.idempotency import form_token_issue
from prakerja.identity.phones import phone_mask
from prakerja.registry.answers import registration_answers
from prakerja.registry.models import Registration
from prakerja.registry.selectors import registration_get_for_actor, registration_missing_steps


@never_cache
@login_required
@require_GET
def check_answers(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_for_actor(actor=request.user, reference=reference)
    if registration.status != Registration.Status.DRAFT:
        return redirect("registry:status", registration.reference)
    missing = registration_missing_steps(registration)
    if missing:
        # Nothing to check yet: the first step still missing comes first.
        return redirect("registry:step", registration.reference, missing[0].value)
    context = {
        "registration": registration,
        "sections": registration_answers(registration=registration),
        "submission_token": form_token_issue(request),
    }
    return render(request, "registry/check_answers.html", context)


@never_cache
@login_required
@require_GET
def confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_for_actor(actor=request.user, reference=reference)
    if registration.status != Registration.Status.SUBMITTED:
        # A draft has nothing to confirm; an ineligible result is explained on the status page.
        return redirect("registry:status", registration.reference)
    context = {
        "registration": registration,
        "phone_masked": phone_mask(str(registration.phone)) if registration.phone else "",
    }
    return render(request, "registry/confirmation.html", context)
