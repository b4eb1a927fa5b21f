from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render

from prakerja.core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """Turns an ``ApplicationError`` that escapes an HTML view into its status and message.

    Scope helpers raise ``PermissionDenied``/``NotFound`` from the error family; the API maps
    them in ``config.api``, and this is the same mapping for pages, so a refused officer sees
    an Indonesian 403 page rather than a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        return render(
            request,
            "core/error.html",
            {"code": exception.code, "message": exception.message},
            status=exception.status,
        )


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Indonesian whatever the browser says; English only when the person chose it.

    Django's ``LocaleMiddleware`` would follow the browser's ``Accept-Language``: a phone set
    to English would get an English site its owner never asked for. Here only the person's own
    choice counts (the language switch in the page header, stored in the language cookie by
    Django's ``set_language``); without one, ``LANGUAGE_CODE`` ("id"). The API follows the
    same rule.
    """

    def process_request(self, request: HttpRequest) -> None:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


# django-csp's per-view overrides; a response carrying any of them is left to django-csp.
_CSP_OVERRIDES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the header built once per process, not per response.

    The policy is one fixed set of directives (``settings.CONTENT_SECURITY_POLICY``): no view
    changes it with django-csp's decorators and no template asks for a nonce. A response that
    does either, or settings with URL exclusions or a report-only policy, go through
    django-csp's own code unchanged. Building the header cost about 2 % of the app's CPU per
    registration through the pages (bench/README.md, issue 17)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        self._fixed = not policy.get("EXCLUDE_URL_PREFIXES") and not getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None
        )
        self._header = build_policy()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            not self._fixed
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _CSP_OVERRIDES)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = self._header
        # As django-csp: a nonce asked for after this point is an error, not a silent miss.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
