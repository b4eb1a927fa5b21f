"""/laporan/harian/: the daily counts as tables, and the same numbers as CSV."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from prakerja.accounts.decorators import role_required
from prakerja.accounts.models import Role
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="harian-{table}-{period.start}-{period.end}.csv"'
    )
    writer = csv.writer(response)
    if table == "pendaftaran":
        writer.writerow([_("tanggal"), _("daring"), _("posko"), _("call center"), _("jumlah")])
        for day in selectors.registrations_per_day_by_channel(period=period):
            writer.writerow([day.day.isoformat(), day.online, day.post, day.callcentre, day.total])
    elif table == "posko":
        writer.writerow([_("tanggal"), _("kode posko"), _("posko"), _("orang dilayani")])
        for row in selectors.people_assisted_per_post_per_day(period=period):
            writer.writerow([row.day.isoformat(), row.post_code, row.post_name, row.people])
    else:
        writer.writerow([_("tanggal"), _("konfirmasi call center")])
        for count in selectors.callcentre_confirmations_per_day(period=period) or []:
            writer.writerow([count.day.isoformat(), count.count])
    return response
