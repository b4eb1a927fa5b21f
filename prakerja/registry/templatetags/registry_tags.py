from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``values|get:name``: a dict lookup by a variable key (empty string when missing)."""
    if isinstance(mapping, dict):
        value = mapping.get(key, mapping.get(str(key), ""))
        return "" if value is None else value
    return ""
