"""The layout's repeated links, built in Python: the top bar's menu and the call-centre numbers
are on every page, and as template loops they cost about 2 ms of the app's CPU per
registration (bench/README.md, issue 17).

- ``{% menu_links menu_primary %}``: one ``<li>`` per item, the current page marked
  ``aria-current="page"``;
- ``{% phone_links call_centre_numbers " · " %}``: each number as a ``tel:`` link, joined by
  the separator.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_phone_links: dict[tuple[tuple[str, ...], str], SafeString] = {}


@register.simple_tag(takes_context=True)
def menu_links(context: template.Context, entries: Iterable[Any]) -> SafeString:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "view_name", None)
    return format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (
                entry.url,
                mark_safe(' aria-current="page"') if entry.url_name == current else "",
                entry.label,
            )
            for entry in entries
        ),
    )


@register.simple_tag
def phone_links(numbers: Iterable[str], separator: str) -> SafeString:
    # The numbers are the site's own (settings, not input): one answer per list and separator.
    key = (tuple(numbers), separator)
    links = _phone_links.get(key)
    if links is None:
        links = _phone_links[key] = mark_safe(  # noqa: S308 - each part escaped
            format_html(separator).join(
                format_html('<a href="tel:{}">{}</a>', number, number) for number in key[0]
            )
        )
    return links
