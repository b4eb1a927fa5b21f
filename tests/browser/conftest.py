"""Shared fixtures of the browser tests: the real app server (``scripts/app_server.sh``, granian)
on a throw-away SQLite database, and Debian's Chromium driven by Playwright.

The server runs in its own process against a database this module prepares with the same
management commands an operator runs (``migrate``, ``regions_load``, ``registry_seed_load``,
``demo_load``), so the tests exercise the production path end to end: WSGI entry point,
whitenoise static files, templates, translations. Everything is session-scoped: the database
and the server are prepared once for all browser tests.

Chromium comes from Debian (``apt-get install chromium``); ``playwright install`` is never used.
Without ``/usr/bin/chromium`` the tests are skipped with a reason, except under ``CI=true`` where
a missing browser is a failure (CI installs it, so its absence means the CI script is broken).

The tests never touch the database through the ORM of the test process: Playwright's sync API
runs an event loop, and Django refuses database calls from it. They read the server's SQLite
file with :mod:`sqlite3` and change it with ``manage.py shell -c`` (:meth:`AppServer.manage`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.app_server import app_server_ready, app_server_start, free_port
from tests.browser.flow import PageWatch
from tests.browser.support import (
    BASE_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_MS,
    PHONE_CONTEXT,
    RESULTS_DIR,
    SCREENSHOTS,
    SERVER_START_TIMEOUT_SECONDS,
    SERVER_STOP_TIMEOUT_SECONDS,
    AppServer,
    run_manage,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the app server and its workers (their own process group), politely first."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
    except ProcessLookupError:
        process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so the browser test may not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def app_server(
    chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """Serve the app with the production app server on a loopback port."""
    with _serving(tmp_path_factory.mktemp("app_server")) as server:
        yield server


@pytest.fixture(scope="module")
def own_app_server(
    chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """A server and database of the module's own, for a test whose demo data (a published
    wave, participants) would change what the other browser tests count."""
    with _serving(tmp_path_factory.mktemp("own_app_server")) as server:
        yield server


@contextlib.contextmanager
def _serving(workdir: Path) -> Iterator[AppServer]:
    db_path = workdir / "browser.sqlite3"
    env = {
        **os.environ,
        "PRAKERJA_ENV": "demo",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    # The server must not share the test run's cache or PostgreSQL database.
    env.pop("REDIS_URL", None)

    run_manage(env, "migrate", "--noinput")
    run_manage(env, "regions_load")
    run_manage(env, "assistance_posts_load")
    # The programme (rules, consent text, test questions) and the demo staff accounts.
    run_manage(env, "registry_seed_load")
    run_manage(env, "demo_load")

    log_path = workdir / "app_server.log"
    # The app server as every host runs it (scripts/app_server.sh: granian), 2 workers of 8
    # threads. A free port is chosen first; if another process takes it before the server
    # binds, the server exits and the next port is tried.
    for _attempt in range(3):
        port = free_port()
        process = app_server_start(port, workers=2, threads=8, env=env, log_path=log_path)
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            if app_server_ready(process, url, timeout=SERVER_START_TIMEOUT_SECONDS):
                break
        except TimeoutError as error:
            _stop(process)
            pytest.fail(f"the app server: {error}:\n{log_path.read_text('utf-8')}")
        _stop(process)
    else:
        pytest.fail(f"the app server did not start:\n{log_path.read_text('utf-8')}")
    try:
        yield AppServer(url=f"http://127.0.0.1:{port}", log_path=log_path, db_path=db_path, env=env)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    """One headless Chromium for the whole session; each test opens its own contexts."""
    from playwright.sync_api import sync_playwright

    RESULTS_DIR.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone_context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone-sized browser with Indonesian settings (no cookies, no session)."""
    context = browser.new_context(**PHONE_CONTEXT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def watch() -> PageWatch:
    """Error answers and JavaScript errors seen by the pages a test attaches it to."""
    return PageWatch()


@pytest.fixture(autouse=True)
def _screenshots_in_report(record_property: Any) -> Iterator[None]:
    """Each screenshot a test took (360 px phone or desktop, in test-results/) is attached to
    its case in the JUnit report as a ``screenshot`` property."""
    SCREENSHOTS.clear()
    yield
    for path in SCREENSHOTS:
        record_property("screenshot", str(path.relative_to(BASE_DIR)))
    SCREENSHOTS.clear()
