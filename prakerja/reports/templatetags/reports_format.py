"""``{{ value|cell }}``: a table cell in the Indonesian way (543.000; 17 Agustus 2020)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.formats import date_format

from prakerja.reports.charts import number

register = template.Library()


@register.filter
def cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, dt.date):
        return date_format(value, "j F Y")
    return str(value)
