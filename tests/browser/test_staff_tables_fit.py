"""Staff pages whose tables are wider than a 360 px phone: the page itself stays 360 px wide and
the table scrolls sideways in its own box (Pico's ``overflow-auto`` region, as on every other
staff list), so no column is cut off by the screen's edge.

These are the pages a walk through every staff menu at 360 x 740 found running off the screen:
the daily counts (five columns), the training report by regency and by provider (six), the
curation queue (four) and the provider's own course list (three, with long titles). The
labour-office counts and the regional-against-ministry comparison are checked with them: their
totals rows were all header cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.support import (
    PAGE_TIMEOUT_MS,
    PHONE_CONTEXT,
    RESULTS_DIR,
    AppServer,
    page_check,
    staff_sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

# Each persona with the pages of their menu that hold a wide table, and the tables on them.
PAGES = {
    "pemantau": [
        ("/laporan/harian/", "daily", ["main table"]),
        ("/penyelenggaraan/laporan/", "training-report", ["#by-regency", "#by-provider"]),
        # Totals rows: a row header, then data cells (axe: th-has-data-cells).
        ("/data-disnaker/rekap/", "labour-counts", ["#counts"]),
        ("/pencocokan/daerah-kemnaker/", "regional-ministry", ["main table"]),
    ],
    "datajatim": [("/pelatihan/kurasi/", "curation-queue", ["main table"])],
    "lpk": [("/pelatihan/lembaga/pelatihan/", "operator-courses", ["main table"])],
}

# Elements whose right edge is past the screen and that no sideways-scrolling box holds: what a
# person on the phone cannot see without scrolling the whole page.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("main *")]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !scrolls(el))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()} ${el.getBoundingClientRect().right}px: `
      + (el.textContent || "").trim().slice(0, 40));
}"""


def _check(page: Page, name: str, tables: list[str]) -> None:
    from playwright.sync_api import expect

    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    assert page.evaluate(OFF_SCREEN) == [], page.url
    for selector in tables:
        found = page.locator(selector).all()
        assert found, f"no {selector} on {page.url}"
        for table in found:
            expect(table.locator("xpath=..")).to_have_class("overflow-auto")
    page_check(page, RESULTS_DIR / f"staff-tables-{name}.png")


def test_wide_staff_tables_scroll_in_their_own_box_on_a_phone(
    browser: Browser, own_app_server: AppServer
) -> None:
    # The demo catalogue: courses with seats (the training report), courses waiting for
    # curation and the provider's own courses.
    own_app_server.manage("training_demo_courses")
    for username, pages in PAGES.items():
        context = browser.new_context(**PHONE_CONTEXT)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        try:
            page = context.new_page()
            staff_sign_in(page, own_app_server, username)
            for path, name, tables in pages:
                response = page.goto(f"{own_app_server.url}{path}")
                assert response is not None and response.status == 200, path
                _check(page, name, tables)
        finally:
            context.close()
