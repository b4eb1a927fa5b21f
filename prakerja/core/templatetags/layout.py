"""The layout's repeated links, built in Python: the top bar's menu and the call-centre numbers
are on every page, and as template loops they cost about 2 ms of the app's CPU per
registration (bench/README.md, issue 17).

- ``{% menu_links menu_primary %}``: one ``<li>`` per item, the current page marked
  ``aria-current="page"``;
- ``{% phone_links call_centre_numbers " · " %}``: each number as a ``tel:`` link, joined by
  the separator;
- ``{% top_nav %}`` and ``{% site_footer %}``: the top bar and the footer of every page. As
  template markup they cost about a tenth of the app's instructions per registration (nine
  pages, each with some forty nodes: bench/README.md, issue 17). Their fixed parts are built
  once per language and script prefix; only the user's links, the current page, the CSRF
  token and the language switch's return path are filled in per request. The markup is the
  template's (``core/tests/test_layout_tags.py`` renders both and compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as _noop

from prakerja.core.context_processors import CALL_CENTRE_NUMBERS, layout_links

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
            conditional_escape(separator).join(
                format_html('<a href="tel:{}">{}</a>', number, number) for number in key[0]
            )
        )
    return links


# The layout's texts (msgids of the catalogue, as the template had them), looked up once per
# language; and the fixed markup, once per language and script prefix.
_TEXTS = {
    "nav": _noop("Navigasi utama"),
    "dashboard": _noop("Beranda saya"),
    "posts": _noop("Posko"),
    "sign_out": _noop("Keluar"),
    "nik_check": _noop("Cek NIK"),
    "training": _noop("Pelatihan"),
    "sign_in": _noop("Masuk / daftar"),
    "call_centre": _noop("Call center"),
    "region_data": _noop(
        "Data wilayah: idn-area-data 4.0.1 (Kepmendagri 300.2.2-2138/2025), lisensi ODbL 1.0."
    ),
    "about": _noop("Tentang & atribusi"),
    "statistics": _noop("Statistik terbuka"),
}
_fixed: dict[tuple[str, str], dict[str, str]] = {}


def _parts() -> dict[str, str]:
    links = layout_links()
    urls = links["urls"]
    key = (get_language() or "", urls["home"])
    found = _fixed.get(key)
    if found is None:
        # As the template showed them: a template's constant texts and their translations
        # are trusted markup, not escaped.
        t = {name: gettext(text) for name, text in _TEXTS.items()}
        u = {name: escape(url) for name, url in urls.items()}
        found = {
            "open": (
                f'<nav aria-label="{t["nav"]}">\n'
                f'<ul><li><a href="{u["home"]}"><strong>Prakerja Jatim</strong></a></li></ul>\n'
                "<ul>\n"
            ),
            "dashboard": f'<li><a href="{u["dashboard"]}"',
            "dashboard_text": f">{t['dashboard']}</a></li>\n",
            "posts": f'<li><a href="{u["posts"]}">{t["posts"]}</a></li>\n',
            "sign_out_open": f'<li><form method="post" action="{u["sign_out"]}">',
            "sign_out_close": (
                f'<button type="submit" class="secondary outline">{t["sign_out"]}</button>'
                "</form></li>\n"
            ),
            "anonymous": (
                f'<li><a href="{u["posts"]}">{t["posts"]}</a></li>\n'
                f'<li><a href="{u["nik_check"]}">{t["nik_check"]}</a></li>\n'
                f'<li><a href="{u["training"]}">{t["training"]}</a></li>\n'
                f'<li><a href="{u["sign_in"]}">{t["sign_in"]}</a></li>\n'
            ),
            "language_open": (
                f'<li>\n<form method="post" action="{u["set_language"]}" class="lang-switch">\n'
            ),
            "footer": (
                f"<small>\n{t['call_centre']}: "
                f"{phone_links(CALL_CENTRE_NUMBERS, ' · ')}\n<br>\n{t['region_data']}\n"
                f'<a href="{u["about"]}">{t["about"]}</a>\n'
                f'· <a href="{u["statistics"]}">{t["statistics"]}</a>\n</small>'
            ),
        }
        _fixed[key] = found
    return found


def _csrf_input(context: template.Context) -> str:
    """What ``{% csrf_token %}`` renders."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's "no token" marker
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


@register.simple_tag(takes_context=True)
def top_nav(context: template.Context) -> SafeString:
    """The top bar: the user's links (or the public ones), sign-out and the language switch."""
    parts = _parts()
    request = context.get("request")
    user = context.get("user")
    csrf = _csrf_input(context)
    html = [parts["open"]]
    if user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        current = getattr(match, "view_name", None)
        html.append(parts["dashboard"])
        if current == "core:dashboard":
            html.append(' aria-current="page"')
        html.append(parts["dashboard_text"])
        html.append(menu_links(context, context.get("menu_primary") or ()))
        if user.role == "applicant":
            html.append(parts["posts"])
        html += [parts["sign_out_open"], csrf, parts["sign_out_close"]]
    else:
        html.append(parts["anonymous"])
    path = request.get_full_path() if request is not None else ""
    html += [
        parts["language_open"],
        csrf,
        f'\n<input name="next" type="hidden" value="{escape(path)}">\n',
    ]
    if get_language() == "id":
        html.append(
            '<button type="submit" name="language" value="en" class="secondary outline" '
            'lang="en">English</button>\n'
        )
    else:
        html.append(
            '<button type="submit" name="language" value="id" class="secondary outline" '
            'lang="id">Bahasa Indonesia</button>\n'
        )
    html.append("</form>\n</li>\n</ul>\n</nav>")
    return mark_safe("".join(html))  # noqa: S308 - every variable part escaped above


@register.simple_tag
def site_footer() -> SafeString:
    """The footer's contents: the call centre, the region data's licence and two links."""
    return mark_safe(_parts()["footer"])  # noqa: S308 - built from escaped parts
