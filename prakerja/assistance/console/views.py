"""The officer console at /petugas/ (SPEC §3.3): thin views over the console services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role, User
from prakerja.accounts.services import ACCESS_CODE_LIFETIME
from prakerja.assistance.console import services
from prakerja.assistance.console.forms import HandoverForm, RegisterForm, SearchForm, VisitForm
from prakerja.assistance.console.selectors import console_registrations_own
from prakerja.core.errors import ApplicationError
from prakerja.core.idempotency import once_per_submission_token
from prakerja.core.throttle import RateLimited
from prakerja.registry.models import Registration
from prakerja.registry.phone_change import phone_change_page
from prakerja.registry.selectors import registration_get_for_actor, registration_missing_steps

officer_required = role_required(Role.OFFICER)
PAGE_SIZE = 25


def wizard_url(registration: Registration) -> str:
    """The registry's wizard page for this registration, at its first missing step."""
    missing = registration_missing_steps(registration)
    step = missing[0].value if missing else "identity"
    return reverse("registry:step", kwargs={"reference": registration.reference, "step": step})


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _form_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


def _dashboard(request: HttpRequest, **context: Any) -> HttpResponse:
    own = console_registrations_own(actor=_actor(request))
    page = Paginator(own, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "console/dashboard.html",
        {
            "page": page,
            "search_form": context.pop("search_form", SearchForm()),
            "visit_form": VisitForm(),
            **context,
        },
    )


@never_cache
@officer_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request)


# POST, not GET: a NIK in a query string ends up in access logs, browser history and referrers.
@never_cache
@officer_required
@require_POST
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.POST)
    result = None
    retry_after = 0
    if form.is_valid():
        try:
            result = services.console_search(actor=_actor(request), text=form.cleaned_data["q"])
        except ApplicationError as exc:
            _form_error(form, exc)
            retry_after = getattr(exc, "retry_after", 0)
    response = _dashboard(request, search_form=form, result=result)
    if retry_after:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@officer_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            registration = services.console_registration_start(
                actor=_actor(request),
                phone=form.cleaned_data["phone"],
                nik=form.cleaned_data["nik"],
                phone_owner=form.cleaned_data["phone_owner"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
            if isinstance(exc, RateLimited):
                response = render(request, "console/register.html", {"form": form}, status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response
        else:
            messages.success(
                request,
                _("Pendaftaran %(reference)s dibuat. Lanjutkan pengisian bersama pendaftar.")
                % {"reference": registration.reference},
            )
            return redirect(wizard_url(registration))
    return render(request, "console/register.html", {"form": form})


@never_cache
@officer_required
@require_GET
def registration_detail(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_for_actor(actor=_actor(request), reference=reference)
    return render(
        request,
        "console/registration.html",
        {
            "registration": registration,
            "missing_steps": registration_missing_steps(registration),
            "wizard_url": wizard_url(registration),
            "visit_form": VisitForm(initial={"reference": registration.reference}),
        },
    )


@never_cache
@officer_required
@once_per_submission_token
@require_POST
def handover(request: HttpRequest, reference: str) -> HttpResponse:
    registration = registration_get_for_actor(actor=_actor(request), reference=reference)
    form = HandoverForm(request.POST)
    detail = reverse("console:registration", kwargs={"reference": registration.reference})
    if not form.is_valid():
        messages.error(request, _("Pilih cara menyerahkan akses."))
        return redirect(detail)
    try:
        code = services.console_access_handover(
            actor=_actor(request), registration=registration, method=form.cleaned_data["method"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(detail)
    if code is None:
        messages.success(request, _("Kode masuk dikirim lewat SMS ke nomor HP pendaftar."))
        return redirect(detail)
    # Rendered, never stored: the one-time code exists in plain text only on this printout
    # (a non-redirect answer is not kept by the submission token either).
    return render(
        request,
        "console/access_code.html",
        {
            "registration": registration,
            "code": code,
            "expires_at": timezone.now() + ACCESS_CODE_LIFETIME,
            "sign_in_url": settings.PUBLIC_BASE_URL.rstrip("/")
            + reverse("accounts:access_code_sign_in"),
            "without_phone": not registration.user.phone,
        },
    )


@never_cache
@officer_required
@once_per_submission_token
@require_POST
def visit_record(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _dashboard(request, visit_form_errors=form.errors)
    registration = None
    reference = form.cleaned_data["reference"]
    if reference:
        registration = registration_get_for_actor(actor=actor, reference=reference)
    try:
        services.console_visit_record(
            actor=actor, services=form.cleaned_data["services"], registration=registration
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Layanan yang diberikan sudah dicatat."))
    if registration is not None:
        return redirect("console:registration", reference=registration.reference)
    return redirect("console:dashboard")


@never_cache
@officer_required
@once_per_submission_token
@require_http_methods(["GET", "POST"])
def phone_change(request: HttpRequest) -> HttpResponse:
    """Lost SIM: the officer checks the applicant's KTP and moves the account to a new number."""
    return phone_change_page(request, back="console:dashboard")
