"""NIK first (issue 16): while the person types their NIK on the identity step, what it says
(birth date, sex, where it was issued) is shown, the birth date and sex are filled in from it
when still empty, so the person only confirms them, and a contradiction with what they state
is shown at once, on that step, rather than discovered after submission.

An htmx fragment of the identity step. The NIK travels in the POST body only (never a URL);
the answer is never cached.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from prakerja.core.forms import MONTHS, date_parts
from prakerja.identity.nik import nik_parse
from prakerja.registry.forms import IdentityForm
from prakerja.registry.models import Gender, Registration
from prakerja.registry.nik_prefill import nik_decoded
from prakerja.registry.selectors import registration_get_for_actor
from prakerja.registry.steps import Step
from prakerja.registry.views import NIK_CHECK_PARAMS, STEP_FIELDS, nik_check_url, step_post_data

MAX_NIK_INPUT = 64


def _stated_birth_date(value: Any) -> date | None:
    try:
        return IdentityForm.base_fields["birth_date"].clean(value)  # type: ignore[no-any-return]
    except ValidationError:
        return None


@never_cache
@login_required
@require_POST
def identity_nik_check(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_for_actor(actor=request.user, reference=reference)
    return _nik_check(request, registration)


@never_cache
@login_required
@require_POST
def entry_nik_check(request: HttpRequest) -> HttpResponse:
    """The same check on the entry page, which shows the first page's questions before the
    registration exists (only the typed values are read)."""
    return _nik_check(request, None)


def _nik_check(request: HttpRequest, registration: Registration | None) -> HttpResponse:
    values = step_post_data(Step.IDENTITY, request.POST)
    nik = str(values.get("nik") or "")[:MAX_NIK_INPUT].strip()
    if (
        not nik
        and registration is not None
        and registration.person_id
        and registration.person is not None
    ):
        nik = registration.person.nik  # the stored one, kept when the input is left empty
    context: dict[str, Any] = {
        "registration": registration,
        "nik_check_url": nik_check_url(registration),
        "months": MONTHS,
        "values": {name: values.get(name, "") for name in STEP_FIELDS[Step.IDENTITY]},
        "errors": {},
        "gender_choices": Gender.choices,
        "nik_check_params": NIK_CHECK_PARAMS,
        "birth_date_parts": date_parts(values.get("birth_date")),
        "result": None,
    }
    if not nik:
        return render(request, "registry/_nik_check.html", context)
    stated_gender = str(values.get("gender") or "")
    stated_gender = stated_gender if stated_gender in Gender.values else ""
    birth_date = values.get("birth_date")
    parts = date_parts(birth_date)
    birth_date_empty = not any(parts.values())
    result = nik_parse(
        nik,
        stated_birth_date=_stated_birth_date(birth_date) if not birth_date_empty else None,
        stated_gender=stated_gender or None,
    )
    context["result"] = result
    if result.ok:
        decoded = nik_decoded(result)
        context["decoded"] = decoded
        # Filled in from the NIK only where the person has not answered yet: a value they
        # chose is never overwritten, a difference is shown as a contradiction instead.
        if birth_date_empty and decoded["birth_date"]:
            context["prefill_birth_date"] = True
            context["birth_date_parts"] = date_parts(decoded["birth_date"])
        if not stated_gender and decoded["gender"]:
            context["prefill_gender"] = True
            context["values"]["gender"] = decoded["gender"]
    return render(request, "registry/_nik_check.html", context)
