"""Graceful load shedding: answer 503 + Retry-After instead of letting requests pile up.

In April 2020 the national system slowed until submissions took 20 minutes. Here each app
process lets at most ``SHED_MAX_CONCURRENT`` requests work at once (the app server runs more
threads than that, so waiting requests reach this middleware); a request that cannot start within
``SHED_WAIT_SECONDS`` is refused at once with 503 and a Retry-After header, which phones and
the posts' browsers retry, and which a client's idempotency key makes safe to retry.
Health probes and static files are never shed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_EXEMPT_PREFIXES = ("/healthz", "/livez", "/static/")
# One warning per process at most this often, with the count since the last one: under
# overload, an ERROR line per refused request would spend the CPU the shedding just saved.
_LOG_EVERY_SECONDS = 10.0

logger = logging.getLogger(__name__)


class LoadSheddingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.SHED_MAX_CONCURRENT
        self.wait = settings.SHED_WAIT_SECONDS
        self.retry_after = settings.SHED_RETRY_AFTER_SECONDS
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit > 0 else None
        self.shed_count = 0
        self.logged_at = 0.0
        self.log_lock = threading.Lock()

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
        # Django's request logger would log every 503 as an error; counted here instead.
        response._has_been_logged = True  # type: ignore[attr-defined]
        self._count_shed()
        return response

    def _count_shed(self) -> None:
        with self.log_lock:
            self.shed_count += 1
            now = time.monotonic()
            if now - self.logged_at < _LOG_EVERY_SECONDS:
                return
            count, self.shed_count, self.logged_at = self.shed_count, 0, now
        logger.warning(
            "load shedding: %d requests refused with 503",
            count,
            extra={"shed": count, "limit": self.limit},
        )
