"""The Content-Security-Policy in a real browser: pages that use script (htmx, the site's own
static/js, Swagger UI) work under the policy, and Chromium reports no violation.

A blocked inline script or eval does not raise a page error: Chromium only writes
"Refused to … because it violates the following Content Security Policy directive" to the
console (and fires ``securitypolicyviolation``), so both are collected here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.support import PAGE_TIMEOUT_MS, RESULTS_DIR, AppServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

NIK = "3578015708900001"  # well-formed, fake (serial 0001), as in the identity tests

# Collects the violation events that the console message may not carry (e.g. report-only).
_LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_pages_with_script_work_without_csp_violations(
    browser: Browser, app_server: AppServer
) -> None:
    context = browser.new_context(locale="id-ID")
    context.add_init_script(_LISTEN_FOR_VIOLATIONS)
    console: list[str] = []
    page_errors: list[str] = []
    violations: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        try:
            for check in (_nik_check_as_you_type, _api_docs):
                check(page, app_server.url)
                violations += page.evaluate("window.__cspViolations")
        except BaseException:
            page.screenshot(path=RESULTS_DIR / "csp-failure.png", full_page=True)
            print(f"--- app server log (last lines) ---\n{app_server.log_tail()}")
            raise
    finally:
        context.close()

    policy_messages = [line for line in console if "Content Security Policy" in line]
    assert policy_messages == [], policy_messages
    assert violations == [], violations
    assert page_errors == [], page_errors


def _nik_check_as_you_type(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    with page.expect_response(lambda r: "/identitas/cek-nik/hasil/" in r.url) as answered:
        page.goto(f"{base_url}/identitas/cek-nik/")
        page.get_by_label("NIK", exact=True).press_sequentially(NIK)
    response = answered.value
    assert response.request.method == "POST"
    assert NIK not in response.url
    expect(page.locator("#nik-result")).to_contain_text("Kota Surabaya")
    expect(page.locator("#nik-result")).to_contain_text("3578********0001")


def _api_docs(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/api/v1/docs")
    # Swagger UI renders the document's title from /api/v1/openapi.json: its script ran.
    expect(page.get_by_text("Prakerja Jatim API").first).to_be_visible()
