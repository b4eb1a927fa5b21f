"""Masking filters for templates: ``{{ registration.phone|phone_masked }}``."""

from __future__ import annotations

from django import template

from prakerja.identity.phones import phone_mask

register = template.Library()


@register.filter
def phone_masked(value: object) -> str:
    text = str(value or "")
    return phone_mask(text) if text else ""
