from __future__ import annotations

import sys
from dataclasses import asdict

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prakerja.core.context_processors import CALL_CENTRE_NUMBERS
from prakerja.core.selectors import health_check


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own; send them to the hashed, cached copy."""
    response = HttpResponsePermanentRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    health = health_check()
    body = {"status": "ok" if health.ok else "error", **asdict(health)}
    return JsonResponse(body, status=200 if health.ok else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness for a load balancer: this app server can reach the database.

    Unlike /healthz it ignores the job queue, so stopped workers (which make every server's
    /healthz 503 at once) never take the whole site out of the balancer.
    """
    health = health_check(include_tasks=False)
    return JsonResponse(
        {"status": "ok" if health.database == "ok" else "error", "database": health.database},
        status=200 if health.database == "ok" else 503,
    )


# Database errors that mean "cannot reach the database right now" (refused, dropped, restarting,
# SQLite busy), not a bug: the client should come back later, not report a crash.
_DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, _DATABASE_UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the site's own 500 page, or 503 + Retry-After when the database is down.

    Rendered without the request and its context processors: they read the session and the
    user from the database, which may be what failed. Django calls this inside its ``except``
    block, so ``sys.exc_info()`` is the exception that got here, whichever middleware or view
    raised it. Connections that failed are closed at the end of the request (CONN_HEALTH_CHECKS
    and Django's close_old_connections), so the site recovers by itself once the database is
    back.
    """
    if not _database_unavailable(sys.exc_info()[1]):
        return HttpResponseServerError(
            loader.get_template("500.html").render({"call_centre_numbers": CALL_CENTRE_NUMBERS})
        )
    return database_unavailable_response(request)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 + Retry-After: the API's JSON error under /api/, the Indonesian page elsewhere."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "server.database_unavailable",
                "message": _(
                    "Basis data sedang tidak dapat dihubungi. Data Anda belum dikirim; "
                    "silakan coba lagi beberapa saat lagi."
                ),
                "field": None,
            },
            status=503,
        )
    else:
        response = HttpResponse(
            loader.get_template("503.html").render({"call_centre_numbers": CALL_CENTRE_NUMBERS}),
            status=503,
        )
    response["Retry-After"] = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS)
    return response


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True
