"""Each role's menu shows its own work, and only pages the role can use (issue 16, item 13)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.core.menu import all_items, items_for_role

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav aria-label="Navigasi utama">(.*?)</nav>', re.S)


def _nav_hrefs(html: str) -> list[str]:
    match = NAV.search(html)
    assert match, "the page has no main navigation"
    return re.findall(r'href="([^"]+)"', match.group(1))


@pytest.mark.parametrize("role", list(Role))
def test_every_item_in_a_roles_menu_opens_for_that_role(client: Client, role: Role) -> None:
    user = make_user(role=role)
    client.force_login(user)
    items = items_for_role(role.value)
    assert items, f"{role} has an empty menu"
    for entry in items:
        response = client.get(entry.url)
        assert response.status_code == 200, (role, entry.url_name, response.status_code)


@pytest.mark.parametrize("role", list(Role))
def test_the_top_bar_shows_the_roles_own_work_and_nothing_it_cannot_use(
    client: Client, role: Role
) -> None:
    client.force_login(make_user(role=role))
    hrefs = _nav_hrefs(client.get("/beranda/").content.decode())
    usable = {entry.url for entry in items_for_role(role.value)}
    for entry in all_items():
        if entry.url not in usable:
            assert entry.url not in hrefs, (role, entry.url_name)
    for entry in items_for_role(role.value):
        if role.value in entry.primary_for:
            assert entry.url in hrefs, (role, entry.url_name)


def test_the_menus_of_the_issue() -> None:
    def names(role: Role) -> set[str]:
        return {e.url_name for e in items_for_role(role.value) if role.value in e.primary_for}

    assert {"console:dashboard", "assistance:queue", "assistance:upcoming"} <= names(Role.OFFICER)
    assert {"waves:wave_list", "linkage:index", "reports:daily"} <= names(Role.MANAGER)
    assert "reports:daily" in names(Role.VIEWER)
    assert "linkage:index" not in {e.url_name for e in items_for_role(Role.VIEWER.value)}


def test_the_home_page_lists_every_item_of_the_role(client: Client) -> None:
    client.force_login(make_user(role=Role.DATA_OFFICER))
    html = client.get("/beranda/").content.decode()
    for entry in items_for_role(Role.DATA_OFFICER.value):
        assert f'href="{entry.url}"' in html


def test_visitors_see_the_public_pages_only(client: Client) -> None:
    hrefs = _nav_hrefs(client.get("/").content.decode())
    assert "/posko/" in hrefs
    public = {"/pelatihan/"}
    assert not any(entry.url in hrefs for entry in all_items() if entry.url not in public)


def test_an_items_link_follows_the_script_prefix_it_is_served_under() -> None:
    # Looked up once per process and prefix: an app served under a prefix links under it.
    from django.urls import get_script_prefix, reverse, set_script_prefix

    entry = all_items()[0]
    before = get_script_prefix()
    try:
        assert entry.url == reverse(entry.url_name)
        set_script_prefix("/prakerja/")
        assert entry.url.startswith("/prakerja/")
        assert entry.url == reverse(entry.url_name)
    finally:
        set_script_prefix(before)
    assert not entry.url.startswith("/prakerja/")
