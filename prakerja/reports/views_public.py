"""/statistik/: the public statistics, no sign-in, and their open-data CSV."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from prakerja.core import exports
from prakerja.reports.public import public_csv_rows, public_statistics_get


# The figures change once an hour (the refresh job): a shared cache may keep them a while.
@cache_control(public=True, max_age=300)
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/public.html", {"data": public_statistics_get()})


@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    data = public_statistics_get()
    stamp = data.refreshed_at.date().isoformat() if data.refreshed_at else "kosong"
    return exports.csv_response(
        filename=f"statistik-prakerja-jatim-{stamp}.csv", rows=public_csv_rows(data)
    )
