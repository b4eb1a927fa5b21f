from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
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
