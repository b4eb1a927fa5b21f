"""/laporan/harian/: the daily counts as tables, and the same numbers as CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role
from prakerja.core import exports
from prakerja.reports import selectors
from prakerja.reports.forms import PeriodForm

report_reader_required = role_required(Role.MANAGER, Role.VIEWER)
CSV_TABLES = ("pendaftaran", "posko", "callcenter")


@report_reader_required
@require_GET
def daily(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.period
    channel_days = selectors.registrations_per_day_by_channel(period=period)
    return render(
        request,
        "reports/daily.html",
        {
            "form": form,
            "period": period,
            "channel_days": channel_days,
            "channel_totals": {
                "online": sum(d.online for d in channel_days),
                "post": sum(d.post for d in channel_days),
                "callcentre": sum(d.callcentre for d in channel_days),
                "total": sum(d.total for d in channel_days),
            },
            "post_days": selectors.people_assisted_per_post_per_day(period=period),
            "confirmation_days": selectors.callcentre_confirmations_per_day(period=period),
            "query": request.GET.urlencode(),
        },
    )


@report_reader_required
@require_GET
def daily_csv(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.period
    table = request.GET.get("tabel", "pendaftaran")
    if table not in CSV_TABLES:
        table = "pendaftaran"
    rows: list[list[Any]]
    if table == "pendaftaran":
        rows = [[_("tanggal"), _("daring"), _("posko"), _("call center"), _("jumlah")]]
        rows += [
            [day.day, day.online, day.post, day.callcentre, day.total]
            for day in selectors.registrations_per_day_by_channel(period=period)
        ]
    elif table == "posko":
        rows = [[_("tanggal"), _("kode posko"), _("posko"), _("orang dilayani")]]
        rows += [
            [row.day, row.post_code, row.post_name, row.people]
            for row in selectors.people_assisted_per_post_per_day(period=period)
        ]
    else:
        rows = [[_("tanggal"), _("konfirmasi call center")]]
        rows += [
            [count.day, count.count]
            for count in selectors.callcentre_confirmations_per_day(period=period) or []
        ]
    return exports.csv_response(
        filename=f"harian-{table}-{period.start}-{period.end}.csv", rows=rows
    )
