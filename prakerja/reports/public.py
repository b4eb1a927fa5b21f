"""The public statistics (/statistik/): aggregates only, small counts suppressed.

Read from the pre-aggregated ``DailyCount`` like the dashboard, over the whole programme.
No figure about fewer than ``THRESHOLD`` people is published (UU PDP: a count of 3 in one
regency and week can point at a person):

* primary suppression — every count under ``THRESHOLD`` (0 included) is shown as "<10";
* secondary suppression — a table that publishes its total and has exactly one suppressed
  cell in a column would give that cell away (total minus the others), so the smallest other
  cell of that column is suppressed too; a total under ``THRESHOLD`` is itself suppressed.

The CSV holds the same shown values as the page, "<10" included, never the count behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext as _

from prakerja.regions.models import Regency
from prakerja.registry.models import Channel
from prakerja.reports.dashboard import CHANNELS, refreshed_at
from prakerja.reports.models import DailyCount, Metric

THRESHOLD = 10
SUPPRESSED = "<10"
Shown = int | str
Cell = Shown | dt.date  # a row's label may be a date (a week's Monday)


def suppress(values: list[int], *, with_total: bool = True) -> tuple[list[Shown], Shown]:
    """The values as published, and their total (see the module's docstring)."""
    hidden = {n for n, value in enumerate(values) if value < THRESHOLD}
    if with_total and len(hidden) == 1 and len(values) > 1:
        others = sorted((value, n) for n, value in enumerate(values) if n not in hidden)
        hidden.add(others[0][1])
    total = sum(values)
    shown: list[Shown] = [SUPPRESSED if n in hidden else v for n, v in enumerate(values)]
    return shown, (SUPPRESSED if total < THRESHOLD else total)


@dataclass
class PublicTable:
    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]]
    total: list[Shown]


@dataclass
class PublicStatistics:
    refreshed_at: dt.datetime | None
    first_day: dt.date | None
    last_day: dt.date | None
    tables: list[PublicTable]


def _columns(
    labels: Sequence[str | dt.date], columns: list[list[int]]
) -> tuple[list[list[Cell]], list[Shown]]:
    shown_columns, totals = [], []
    for values in columns:
        shown, total = suppress(values)
        shown_columns.append(shown)
        totals.append(total)
    rows = [[label, *(column[n] for column in shown_columns)] for n, label in enumerate(labels)]
    return rows, totals


def public_statistics_get() -> PublicStatistics:
    metrics = [Metric.COMPLETE, Metric.SELECTED, Metric.COMPLETED]
    rows = DailyCount.objects.filter(metric__in=metrics).order_by()
    names = dict(Regency.objects.filter(province_id="35").values_list("code", "name"))

    per_regency: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows.values("metric", "regency").annotate(n=Sum("value")):
        per_regency[row["regency"]][row["metric"]] += row["n"]
    codes = sorted(names, key=lambda code: names[code])
    codes += sorted(code for code in per_regency if code not in names)
    regency_rows, regency_totals = _columns(
        [names.get(code) or _("Belum diisi") for code in codes],
        [[per_regency[code][metric] for code in codes] for metric in metrics],
    )

    per_channel: dict[str, int] = defaultdict(int)
    per_week: dict[dt.date, int] = defaultdict(int)
    days = []
    for day_row in (
        rows.filter(metric=Metric.COMPLETE)
        .values("day", "channel")
        .annotate(n=Sum("value"))
        .order_by("day")
    ):
        per_channel[day_row["channel"]] += day_row["n"]
        day: dt.date = day_row["day"]
        per_week[day - dt.timedelta(days=day.weekday())] += day_row["n"]
        days.append(day)
    channel_rows, channel_total = _columns(
        [str(Channel(code).label) for code in CHANNELS],
        [[per_channel[code] for code in CHANNELS]],
    )
    weeks = sorted(per_week)
    week_rows, week_total = _columns(weeks, [[per_week[week] for week in weeks]])
    complete, selected, completed = (str(metric.label) for metric in metrics)
    tables = [
        PublicTable(
            "wilayah",
            _("Menurut kabupaten/kota domisili"),
            [_("Kabupaten/kota"), complete, selected, completed],
            regency_rows,
            [_("Jawa Timur"), *regency_totals],
        ),
        PublicTable(
            "kanal",
            _("Pendaftaran lengkap menurut kanal"),
            [_("Kanal"), complete],
            channel_rows,
            [_("Jumlah"), *channel_total],
        ),
        PublicTable(
            "minggu",
            _("Pendaftaran lengkap per minggu (Senin–Minggu, WIB)"),
            [_("Minggu mulai (Senin)"), complete],
            week_rows,
            [_("Jumlah"), *week_total],
        ),
    ]
    return PublicStatistics(
        refreshed_at=refreshed_at(),
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        tables=tables,
    )


def public_csv_rows(statistics: PublicStatistics) -> list[list[Cell]]:
    """One long table: (table, label, measure, value), the values exactly as shown."""
    rows: list[list[Cell]] = [[_("tabel"), _("baris"), _("ukuran"), _("nilai")]]
    for table in statistics.tables:
        lines: list[list[Cell]] = [*table.rows, list(table.total)]
        for row in lines:
            for measure, value in zip(table.header[1:], row[1:], strict=True):
                rows.append([table.key, row[0], measure, value])
    return rows
