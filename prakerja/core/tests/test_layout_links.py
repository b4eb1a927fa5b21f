"""The layout's links and assets (``core.context_processors.layout_links``): looked up once per
process, the same as ``{% url %}`` and ``{% static %}`` would give, on every kind of page."""

from __future__ import annotations

import re

import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.core.context_processors import layout_links

pytestmark = pytest.mark.django_db


def _hrefs(page: str) -> set[str]:
    return set(re.findall(r'(?:href|src|action)="([^"]*)"', page))


def test_the_links_are_what_url_and_static_give() -> None:
    links = layout_links()
    assert links["urls"]["about"] == reverse("core:about")
    assert links["urls"]["sign_out"] == reverse("account_logout")
    assert links["assets"]["pico_css"] == static("vendor/pico/pico.min.css")
    assert layout_links() is links  # built once


def test_a_visitors_page_links_the_layout(client: Client) -> None:
    hrefs = _hrefs(client.get("/").content.decode())
    assert {
        reverse("core:home"),
        reverse("core:about"),
        reverse("statistics:index"),
        reverse("account_request_login_code"),
        reverse("set_language"),
        static("css/prakerja.css"),
        static("vendor/htmx/htmx.min.js"),
    } <= hrefs
    assert "" not in hrefs


def test_a_signed_in_applicants_page_and_an_error_page_link_it_too(
    client: Client, applicant: User
) -> None:
    client.force_login(applicant)
    hrefs = _hrefs(client.get(reverse("core:dashboard")).content.decode())
    assert {
        reverse("core:dashboard"),
        reverse("account_logout"),
        reverse("assistance:post_list"),
    } <= hrefs
    missing = client.get("/tidak-ada-halaman-ini/")
    assert missing.status_code == 404
    assert reverse("account_logout") in _hrefs(missing.content.decode())
