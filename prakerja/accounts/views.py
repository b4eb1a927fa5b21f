from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from prakerja.accounts import ratelimits
from prakerja.accounts.forms import AccessCodeSignInForm
from prakerja.accounts.services import applicant_access_code_redeem
from prakerja.accounts.stages import ACCESS_CODE_LOGIN
from prakerja.core.errors import ApplicationError


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def access_code_sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with the phone number (or, without a phone, the registration reference) and
    the one-time access code an officer handed over."""
    if request.user.is_authenticated:
        return redirect(get_adapter(request).get_login_redirect_url(request))
    form = AccessCodeSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        # Per address and per number, before the code is even looked at: guessing codes
        # across many numbers from one place, or at one number from many, both hit a wall.
        if not ratelimits.consume(request, action="access_code", key=phone):
            form.add_error(None, get_adapter(request).validation_error("too_many_login_attempts"))
            return render(request, "accounts/access_code.html", {"form": form}, status=429)
        try:
            user = applicant_access_code_redeem(phone=phone, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code" if error.field == "code" else None, str(error.message))
        else:
            # Through allauth's own login, so its stages, signals and session handling apply
            # as for any sign-in (the phone stage is skipped: see ``stages``).
            record_authentication(
                request, user, method="code", phone=str(user.phone) if user.phone else ""
            )
            login = Login(user=user)
            login.state[ACCESS_CODE_LOGIN] = True
            return perform_login(request, login)
    return render(request, "accounts/access_code.html", {"form": form})
