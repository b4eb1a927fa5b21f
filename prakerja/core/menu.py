"""Each role's menu, declared by the apps that own the pages (issue 16, item 13).

An app lists its pages in ``<app>/menu.py`` as ``ITEMS``: the URL name, a short label for the
top bar, a sentence for the home page, and the roles that may *use* the page (the same roles
its view lets in). The top bar shows the items ``primary_for`` the role; "Beranda saya" shows
them all. ``core`` sits below the apps, so it never imports them by name: the modules are found
at run time, as Django's admin finds ``admin.py``. Roles are the role values as text for the same
reason (``accounts.Role`` is a layer above). A test signs in as every role and opens every item
of its menu: a link a role cannot use fails it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.module_loading import module_has_submodule


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: Any  # a lazy translation
    description: Any
    roles: frozenset[str]
    primary_for: frozenset[str] = frozenset()
    order: int = 100

    @property
    def url(self) -> str:
        # The top bar shows the role's items on every page: looked up once per process and
        # script prefix, as the layout's links are (core.context_processors).
        key = (get_script_prefix(), self.url_name)
        url = _urls.get(key)
        if url is None:
            url = _urls[key] = reverse(self.url_name)
        return url


# Menu items name URLs without arguments: one answer per script prefix and name.
_urls: dict[tuple[str, str], str] = {}


def item(
    url_name: str,
    label: Any,
    description: Any,
    *,
    roles: Iterable[str],
    primary_for: Iterable[str] = (),
    order: int = 100,
) -> MenuItem:
    """``primary_for``: the roles (of ``roles``) whose top bar shows the item."""
    return MenuItem(
        url_name=url_name,
        label=label,
        description=description,
        roles=frozenset(str(role) for role in roles),
        primary_for=frozenset(str(role) for role in primary_for),
        order=order,
    )


@cache
def all_items() -> tuple[MenuItem, ...]:
    found: list[MenuItem] = []
    for config in apps.get_app_configs():
        if config.name.startswith("prakerja.") and module_has_submodule(config.module, "menu"):
            found.extend(getattr(import_module(f"{config.name}.menu"), "ITEMS", ()))
    return tuple(sorted(found, key=lambda entry: (entry.order, str(entry.label))))


def items_for_role(role: str | None) -> list[MenuItem]:
    if not role:
        return []
    return [entry for entry in all_items() if role in entry.roles]


def menu(request: HttpRequest) -> dict[str, object]:
    """Context processor: ``menu_items`` (all of the role's pages) and ``menu_primary``."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu_items": [], "menu_primary": []}
    entries = items_for_role(str(getattr(user, "role", "")))
    role = str(getattr(user, "role", ""))
    return {"menu_items": entries, "menu_primary": [e for e in entries if role in e.primary_for]}
