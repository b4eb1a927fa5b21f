"""``{% if user|can:"labourdata.export" %}``: show a link only to those who can use it."""

from __future__ import annotations

from typing import Any

from django import template

from prakerja.accounts.scopes import Capability, actor_can

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and actor_can(
        user, Capability(capability)
    )
