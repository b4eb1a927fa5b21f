"""Graceful load shedding: answer 503 + Retry-After instead of letting requests pile up.

In April 2020 the national system slowed until submissions took 20 minutes. Here each app
process lets at most ``SHED_MAX_CONCURRENT`` requests work at once (gunicorn runs more threads
than that, so waiting requests reach this middleware); a request that cannot start within
``SHED_WAIT_SECONDS`` is refused at once with 503 and a Retry-After header, which phones and
the posts' browsers retry, and which a client's idempotency key makes safe to retry.
Health probes and static files are never shed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_EXEMPT_PREFIXES = ("/healthz", "/livez", "/static/")


class LoadSheddingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.SHED_MAX_CONCURRENT
        self.wait = settings.SHED_WAIT_SECONDS
        self.retry_after = settings.SHED_RETRY_AFTER_SECONDS
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit > 0 else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.slots is None or request.path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        if not self.slots.acquire(timeout=self.wait):
            return self._overloaded(request)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    def _overloaded(self, request: HttpRequest) -> HttpResponse:
        message = _("Server sedang sibuk. Data Anda belum dikirim; silakan coba lagi sebentar.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": "server.busy", "message": message, "field": None}, status=503
            )
        else:
            response = HttpResponse(
                f'<!doctype html><html lang="id"><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>503</title><p>{message}</p></html>",
                status=503,
            )
        response["Retry-After"] = str(self.retry_after)
        return response
