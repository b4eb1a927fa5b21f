from __future__ import annotations

from typing import Any

from django import template

from prakerja.core.templatetags.fields import value_for

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``values|get:name``: a dict lookup by a variable key (empty string when missing)."""
    return value_for(mapping, key)
