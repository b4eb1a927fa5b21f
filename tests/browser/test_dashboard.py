"""The viewer's dashboard and the public statistics on a phone, checked by axe-core
(issue 16, items 19–21)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.support import RESULTS_DIR, AppServer, page_check, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_the_viewer_reads_the_dashboard_and_anyone_the_public_statistics(
    phone_context: BrowserContext, app_server: AppServer
) -> None:
    from playwright.sync_api import expect

    page = phone_context.new_page()
    page.goto(f"{app_server.url}/statistik/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page_check(page, RESULTS_DIR / "dashboard-1-public-statistics.png")

    staff_sign_in(page, app_server, "pemantau")
    page.get_by_role("link", name="Dasbor", exact=True).click()
    expect(page).to_have_url(f"{app_server.url}/laporan/dasbor/")
    expect(page.locator("svg").first).to_be_visible()
    page_check(page, RESULTS_DIR / "dashboard-2-viewer.png")
    # The viewer's menu holds their own work only: no waves, no matching.
    nav = page.get_by_role("navigation", name="Navigasi utama")
    expect(nav.get_by_role("link", name="Gelombang")).to_have_count(0)
    expect(nav.get_by_role("link", name="Pencocokan")).to_have_count(0)
