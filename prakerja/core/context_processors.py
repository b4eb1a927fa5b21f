from __future__ import annotations

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

# Also on the 500 and 503 pages, which are rendered without context processors.
CALL_CENTRE_NUMBERS = ("031-8293097", "031-8280254")

# The links and assets of the layout (templates/base.html): the same on every page, so each
# process looks them up once per script prefix instead of once per page (``{% url %}`` and
# ``{% static %}`` cost about 4 % of the app's CPU per registration, bench/README.md).
_LAYOUT_URLS = {
    "home": "core:home",
    "dashboard": "core:dashboard",
    "about": "core:about",
    "statistics": "statistics:index",
    "posts": "assistance:post_list",
    "nik_check": "identity:nik_check_page",
    "training": "training:catalogue",
    "sign_in": "account_request_login_code",
    "sign_out": "account_logout",
    "set_language": "set_language",
}
_LAYOUT_ASSETS = {
    "favicon_ico": "favicon.ico",
    "favicon_svg": "favicon.svg",
    "pico_css": "vendor/pico/pico.min.css",
    "site_css": "css/prakerja.css",
    "htmx_js": "vendor/htmx/htmx.min.js",
    "site_js": "js/prakerja.js",
}
_layout: dict[str, dict[str, dict[str, str]]] = {}


def layout_links() -> dict[str, dict[str, str]]:
    prefix = get_script_prefix()
    links = _layout.get(prefix)
    if links is None:
        # Two threads may both build it: the same values, so the last write is as good.
        links = {
            "urls": {key: reverse(name) for key, name in _LAYOUT_URLS.items()},
            "assets": {key: static(path) for key, path in _LAYOUT_ASSETS.items()},
        }
        _layout[prefix] = links
    return links


def site(request: HttpRequest) -> dict[str, object]:
    return {"call_centre_numbers": CALL_CENTRE_NUMBERS, "layout": layout_links()}
