"""Browser smoke test: the real app server (granian) driven by Debian's Chromium.

The server and the browser come from ``conftest.py``: the app server against a throw-away SQLite
database prepared with the same management commands an operator runs, so the test exercises the
production path end to end: WSGI entry point, whitenoise static files, templates, translations.

Chromium comes from Debian (``apt-get install chromium``); ``playwright install`` is never used.
Without ``/usr/bin/chromium`` the test is skipped with a reason, except under ``CI=true`` where a
missing browser is a failure (CI installs it, so its absence means the CI script is broken).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.support import PAGE_TIMEOUT_MS, RESULTS_DIR, AppServer, page_check

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

EAST_JAVA_POSTS = 56


def test_home_and_post_list(browser: Browser, app_server: AppServer) -> None:
    bad_responses: list[str] = []
    page_errors: list[str] = []

    # An Indonesian phone: the site must answer in Indonesian.
    context = browser.new_context(locale="id-ID", viewport={"width": 412, "height": 915})
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on(
            "response",
            lambda response: (
                bad_responses.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        try:
            _walk_home_to_post_list(page, app_server.url)
        except BaseException:
            page.screenshot(path=RESULTS_DIR / "smoke-failure.png", full_page=True)
            print(f"--- app server log (last lines) ---\n{app_server.log_tail()}")
            raise
    finally:
        context.close()

    assert bad_responses == [], f"responses with an error status: {bad_responses}"
    assert page_errors == [], f"JavaScript errors: {page_errors}"


def _walk_home_to_post_list(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kartu Prakerja Jawa Timur")
    page_check(page, RESULTS_DIR / "smoke-home.png")

    page.get_by_role("link", name="Lihat daftar posko pendampingan").click()
    page.wait_for_url(f"{base_url}/posko/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".post")).to_have_count(EAST_JAVA_POSTS)
    # 38 regencies folded: the page stays short on a phone; the search opens the matches.
    expect(page.locator("details.post-regency[open]")).to_have_count(0)
    page_check(page, RESULTS_DIR / "smoke-posko.png")
    page.get_by_label("Cari posko menurut nama atau kabupaten/kota").fill("surabaya")
    page.get_by_role("button", name="Cari").click()
    expect(page.locator("#post-count")).to_contain_text("posko ditemukan")
    expect(page.locator("details.post-regency[open] .post").first).to_be_visible()
    expect(page.locator("details.post-regency summary").first).to_contain_text("Kota Surabaya")
    page_check(page, RESULTS_DIR / "smoke-posko-search.png")
    # The public pages a visitor reaches from the header.
    for path, name in (
        ("/accounts/login/code/", "sign-in"),
        ("/identitas/cek-nik/", "nik-check"),
        ("/pelatihan/", "catalogue"),
        ("/tentang/", "about"),
    ):
        page.goto(f"{base_url}{path}")
        page_check(page, RESULTS_DIR / f"smoke-{name}.png")
