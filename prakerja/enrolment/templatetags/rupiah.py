"""``{{ amount|rupiah }}`` → ``Rp 1.000.000``; ``{{ amount|rupiah_signed }}`` → ``+Rp 1.000.000``
(Indonesian grouping whatever the page's language: the programme's currency and format)."""

from __future__ import annotations

from django import template

from prakerja.enrolment.money import rupiah as _rupiah

register = template.Library()


@register.filter
def rupiah(amount: int | None) -> str:
    return "" if amount is None else _rupiah(amount)


@register.filter
def rupiah_signed(amount: int | None) -> str:
    return "" if amount is None else _rupiah(amount, signed=True)
