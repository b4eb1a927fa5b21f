"""The layout's menu and call-centre links (``{% load layout %}``): the markup the template
loops they replace gave, the current page marked, every part escaped."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from django.utils.html import escape

from prakerja.accounts.models import Role, User
from prakerja.core.context_processors import site
from prakerja.core.menu import item, menu

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


# The top bar and footer as templates/base.html had them before ``{% top_nav %}`` and
# ``{% site_footer %}`` (layout_reference.html: the reference the tags are held to).
_LAYOUT_AS_TEMPLATE = Template((Path(__file__).parent / "layout_reference.html").read_text())
_LAYOUT_TAGS = Template("{% load layout %}{% top_nav %}|{% site_footer %}")


def _squeezed(html: str) -> str:
    """Whitespace between and inside tags collapsed (the layout's indentation differs)."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html.strip())).replace("> ", ">")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("who", ["anonymous", "applicant", "manager"])
def test_top_nav_and_footer_show_what_the_layout_template_showed(
    language: str, who: str, rf: RequestFactory
) -> None:
    request = rf.get('/daftar/?kembali="<x>"&a=1')
    request.resolver_match = SimpleNamespace(view_name="core:dashboard")  # type: ignore[assignment]
    user: Any = AnonymousUser()
    if who != "anonymous":
        user = User(username=who, role=Role.APPLICANT if who == "applicant" else Role.MANAGER)
    context = {
        "request": request,
        "user": user,
        "csrf_token": "tok<en>",
        **site(request),
        **menu(SimpleNamespace(user=user)),  # type: ignore[arg-type]
    }
    with translation.override(language):
        shown = _LAYOUT_TAGS.render(Context(context))
        expected = _LAYOUT_AS_TEMPLATE.render(Context(context))
    assert _squeezed(shown) == _squeezed(expected)
    assert shown.count('value="tok&lt;en&gt;"') == (2 if who != "anonymous" else 1)
    assert f'name="next" type="hidden" value="{escape(request.get_full_path())}"' in shown
    assert "&amp;a=1" in shown and "<x>" not in shown
    assert ("aria-current" in shown) == (who != "anonymous")


def test_without_a_csrf_token_the_forms_have_no_token_input(rf: RequestFactory) -> None:
    request = rf.get("/")
    context = {
        "request": request,
        "user": AnonymousUser(),
        "csrf_token": "NOTPROVIDED",
        **site(request),
    }
    shown = _LAYOUT_TAGS.render(Context(context))
    assert "csrfmiddlewaretoken" not in shown
    assert _squeezed(shown) == _squeezed(_LAYOUT_AS_TEMPLATE.render(Context(context)))
