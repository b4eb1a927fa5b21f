from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.reports.selectors import DEFAULT_DAYS, MAX_DAYS, Period


class PeriodForm(forms.Form):
    default_days = DEFAULT_DAYS

    dari = forms.DateField(label=_("Dari tanggal"), required=False)
    sampai = forms.DateField(label=_("Sampai tanggal"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        default = Period.default(days=self.default_days)
        start = data.get("dari") or default.start
        end = data.get("sampai") or default.end
        if end < start:
            raise forms.ValidationError(
                _("Tanggal akhir tidak boleh sebelum tanggal awal."), code="period_reversed"
            )
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("Rentang tanggal paling panjang %(days)s hari.") % {"days": MAX_DAYS},
                code="period_too_long",
            )
        data["period"] = Period(start=start, end=end)
        return data

    @property
    def period(self) -> Period:
        if self.is_valid():
            period: Period = self.cleaned_data["period"]
            return period
        return Period.default(days=self.default_days)


class DashboardPeriodForm(PeriodForm):
    """The dashboard opens on four weeks: a trend, not a day."""

    default_days = 28
