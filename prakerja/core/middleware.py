from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
