from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prakerja.core.selectors import health_check


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html")


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
