"""The layout's menu and call-centre links (``{% load layout %}``): the markup the template
loops they replace gave, the current page marked, every part escaped."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.test import RequestFactory

from prakerja.core.menu import item

_AS_LOOPS = Template(
    '{% for entry in menu_primary %}<li><a href="{{ entry.url }}"'
    '{% if request.resolver_match.view_name == entry.url_name %} aria-current="page"{% endif %}>'
    "{{ entry.label }}</a></li>{% endfor %}|{% for number in call_centre_numbers %}"
    '<a href="tel:{{ number }}">{{ number }}</a>{% if not forloop.last %} · {% endif %}'
    "{% endfor %}"
)
_TAGS = Template(
    '{% load layout %}{% menu_links menu_primary %}|{% phone_links call_centre_numbers " · " %}'
)


def test_menu_and_phone_links_show_what_the_loops_showed() -> None:
    request = RequestFactory().get("/beranda/")
    request.resolver_match = SimpleNamespace(view_name="core:dashboard")  # type: ignore[assignment]
    context = {
        "request": request,
        "menu_primary": [
            item("core:dashboard", "Beranda <saya>", "", roles=["applicant"]),
            item("core:about", "Tentang", "", roles=["applicant"]),
        ],
        "call_centre_numbers": ("031-8293097", "031-8280254"),
    }
    shown = _TAGS.render(Context(context))
    assert shown == _AS_LOOPS.render(Context(context))
    assert '<a href="/beranda/" aria-current="page">Beranda &lt;saya&gt;</a>' in shown
    assert shown.count("aria-current") == 1
    assert shown.endswith(
        '<a href="tel:031-8293097">031-8293097</a> · <a href="tel:031-8280254">031-8280254</a>'
    )


def test_no_request_no_current_page_and_other_separators() -> None:
    shown = Template(
        '{% load layout %}{% menu_links items %}{% phone_links numbers ", " %}'
    ).render(
        Context(
            {
                "items": [item("core:about", "Tentang", "", roles=["applicant"])],
                "numbers": ["1<2"],
            }
        )
    )
    assert shown == '<li><a href="/tentang/">Tentang</a></li><a href="tel:1&lt;2">1&lt;2</a>'
