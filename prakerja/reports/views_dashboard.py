"""/laporan/dasbor/: the leaders' dashboard (managers and viewers), its CSV and XLSX."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from prakerja.core import exports
from prakerja.reports import charts
from prakerja.reports.dashboard import Dashboard, dashboard_get
from prakerja.reports.forms import DashboardPeriodForm
from prakerja.reports.tables import dashboard_tables
from prakerja.reports.views import report_reader_required


def _charts(data: Dashboard) -> dict[str, object]:
    first = data.stages[0].value or 1
    latest_wave = data.quota[0].wave if data.quota else None
    return {
        "funnel": charts.hbar(
            _("Corong pendaftaran"),
            [
                (
                    s.label,
                    s.value,
                    s.value / first,
                    charts.number(s.value)
                    + (f" ({charts.percent(s.share)})" if s.share is not None else ""),
                )
                for s in data.stages
            ],
        ),
        "days": charts.stacked_columns(
            _("Pendaftaran lengkap per hari menurut kanal"),
            [d.day for d in data.days],
            [(c.label, [getattr(d, c.key) for d in data.days]) for c in data.channels],
        ),
        "regencies": charts.hbar_counts(
            _("Pendaftaran lengkap per kabupaten/kota"),
            [(r.label or _("(belum diisi)"), r.funnel[2]) for r in data.regencies],
        ),
        "posts": charts.hbar_counts(
            _("Orang dilayani per posko"), [(p.label, p.extra) for p in data.posts if p.extra]
        ),
        "quota": charts.hbar(
            _("Keterisian kuota: %(wave)s") % {"wave": latest_wave},
            [
                (
                    q.regency,
                    q.filled,
                    q.filled / q.quota if q.quota else 0,
                    f"{charts.number(q.filled)} / {charts.number(q.quota)}"
                    f" ({charts.percent(q.percent)})",
                )
                for q in data.quota
                if q.wave == latest_wave
            ],
        ),
        "categories": charts.hbar_counts(
            _("Pekerja terdampak dilaporkan per kategori"), data.categories
        ),
    }


@report_reader_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardPeriodForm(request.GET or None)
    data = dashboard_get(period=form.period)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "data": data,
            "charts": _charts(data),
            "tables": dashboard_tables(data),
            "query": request.GET.urlencode(),
        },
    )


@report_reader_required
@require_GET
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    form = DashboardPeriodForm(request.GET or None)
    period = form.period
    tables = dashboard_tables(dashboard_get(period=period))
    table = tables.get(request.GET.get("tabel", ""), tables["harian"])
    return exports.csv_response(
        filename=f"dasbor-{table.key}-{period.start}-{period.end}.csv",
        rows=[table.header, *table.rows],
    )


@report_reader_required
@require_GET
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    form = DashboardPeriodForm(request.GET or None)
    period = form.period
    workbook = exports.XlsxWorkbook()
    bold = workbook.add_format({"bold": True})
    for table in dashboard_tables(dashboard_get(period=period)).values():
        # Sheet names: at most 31 characters, no slash.
        sheet = workbook.add_worksheet(table.key[:31])
        sheet.write_row(0, 0, [table.title], bold)
        sheet.write_row(1, 0, table.header, bold)
        for line, row in enumerate(table.rows, start=2):
            sheet.write_row(line, 0, row)
        sheet.set_column(0, 0, 28)
        sheet.freeze_panes(2, 1)
    return exports.xlsx_response(
        filename=f"dasbor-{period.start}-{period.end}.xlsx", content=workbook
    )
