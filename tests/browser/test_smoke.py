"""Browser smoke test: the real app server (gunicorn) driven by Debian's Chromium.

The server runs in its own process against a throw-away SQLite database that this module
prepares with the same management commands an operator runs, so the test exercises the
production path end to end: WSGI entry point, whitenoise static files, templates, translations.

Chromium comes from Debian (``apt-get install chromium``); ``playwright install`` is never used.
Without ``/usr/bin/chromium`` the test is skipped with a reason, except under ``CI=true`` where a
missing browser is a failure (CI installs it, so its absence means the CI script is broken).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS_DIR = BASE_DIR / "test-results"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EAST_JAVA_POSTS = 56
COMMAND_TIMEOUT_SECONDS = 300
SERVER_START_TIMEOUT_SECONDS = 45
SERVER_STOP_TIMEOUT_SECONDS = 15
PAGE_TIMEOUT_MS = 20_000
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def _venv_executable(name: str) -> str:
    """A console script of the environment running the tests (the project's .venv in CI)."""
    for candidate in (BASE_DIR / ".venv" / "bin" / name, Path(sys.executable).with_name(name)):
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{name} not found in .venv/bin or beside {sys.executable}")


def _manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            command,
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"manage.py {' '.join(args)} took longer than {exc.timeout} s")
    if completed.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} exited {completed.returncode}\n"
            f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers (their own process group), politely first."""
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


@pytest.fixture(scope="module")
def chromium_executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so the browser test may not be skipped)")
    pytest.skip(reason)


@dataclass(frozen=True)
class AppServer:
    url: str
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text("utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _listening_port(log_path: Path) -> int | None:
    match = LISTENING.search(log_path.read_text("utf-8", errors="replace"))
    return int(match.group(1)) if match else None


@pytest.fixture(scope="module")
def app_server(
    chromium_executable: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """Serve the app with gunicorn on a loopback port of its own choosing."""
    workdir = tmp_path_factory.mktemp("app_server")
    env = {
        **os.environ,
        "PRAKERJA_ENV": "demo",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'smoke.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
    # The server must not share the test run's cache or PostgreSQL database.
    env.pop("REDIS_URL", None)

    _manage(env, "migrate", "--noinput")
    _manage(env, "regions_load")
    _manage(env, "assistance_posts_load")

    log_path = workdir / "gunicorn.log"
    with log_path.open("wb") as log:
        # Port 0: the kernel picks a free port when gunicorn binds, so no other process on the
        # machine can take it between choosing and binding; gunicorn logs the one it got.
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                _venv_executable("gunicorn"),
                "config.wsgi:application",
                "--bind",
                "127.0.0.1:0",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--log-level",
                "info",
                "--access-logfile",
                "-",
                "--logger-class",
                "prakerja.core.gunicorn_logger.RedactingAccessLogger",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        port: int | None = None
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited with {process.returncode}:\n{log_path.read_text('utf-8')}"
                )
            port = port or _listening_port(log_path)
            if port is not None:
                try:
                    url = f"http://127.0.0.1:{port}/healthz"
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"gunicorn did not answer /healthz within {SERVER_START_TIMEOUT_SECONDS} s:\n"
                    f"{log_path.read_text('utf-8')}"
                )
            time.sleep(0.2)
        yield AppServer(url=f"http://127.0.0.1:{port}", log_path=log_path)
    finally:
        _stop(process)


def test_home_and_post_list(chromium_executable: Path, app_server: AppServer) -> None:
    from playwright.sync_api import sync_playwright

    RESULTS_DIR.mkdir(exist_ok=True)
    bad_responses: list[str] = []
    page_errors: list[str] = []

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            # An Indonesian phone: the site must answer in Indonesian.
            context = browser.new_context(locale="id-ID", viewport={"width": 412, "height": 915})
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
                print(f"--- gunicorn log (last lines) ---\n{app_server.log_tail()}")
                raise
            context.close()
        finally:
            browser.close()

    assert bad_responses == [], f"responses with an error status: {bad_responses}"
    assert page_errors == [], f"JavaScript errors: {page_errors}"


def _walk_home_to_post_list(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kartu Prakerja Jawa Timur")
    page.screenshot(path=RESULTS_DIR / "smoke-home.png", full_page=True)

    page.get_by_role("link", name="Lihat daftar posko pendampingan").click()
    page.wait_for_url(f"{base_url}/posko/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_text("Kota Surabaya").first).to_be_visible()
    expect(page.locator(".post")).to_have_count(EAST_JAVA_POSTS)
    page.screenshot(path=RESULTS_DIR / "smoke-posko.png", full_page=True)
