"""Helpers of the browser tests (fixtures are in ``conftest.py``): where things are, how the
phone-sized browser is set up, and a handle on the app server and its database."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

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
COMMAND_TIMEOUT_SECONDS = 300
SERVER_START_TIMEOUT_SECONDS = 45
SERVER_STOP_TIMEOUT_SECONDS = 15
PAGE_TIMEOUT_MS = 20_000
# A mid-range Android phone: what most applicants and many officers at a posko hold.
PHONE_CONTEXT: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
    "timezone_id": "Asia/Jakarta",
}


def run_manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``args`` against the test server's database; its stdout."""
    command = [sys.executable, str(BASE_DIR / "manage.py"), *args]
    label = " ".join(args[:2])
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
        pytest.fail(f"manage.py {label} took longer than {exc.timeout} s")
    if completed.returncode != 0:
        pytest.fail(
            f"manage.py {label} exited {completed.returncode}\n"
            f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
        )
    return completed.stdout


@dataclass(frozen=True)
class AppServer:
    url: str
    log_path: Path
    db_path: Path
    env: dict[str, str] = field(repr=False)

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text("utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def manage(self, *args: str) -> str:
        """``manage.py`` against the server's database (e.g. ``shell -c`` to set a scene)."""
        return run_manage(self.env, *args)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the server's database directly (read-only, no ORM in the test process)."""
        connection = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def latest_sms(self, phone: str, *, pattern: str, after_id: int = 0) -> tuple[int, str]:
        """The newest SMS in the outbox to ``phone`` (E.164) newer than ``after_id``, and the
        first match of ``pattern`` in it (group 1 if the pattern has one). Waits a little: a
        message sent "on commit" may land a moment after the page answered."""
        deadline = time.monotonic() + 10
        while True:
            rows = self.query(
                "SELECT id, body FROM notifications_outboxmessage"
                " WHERE channel = 'sms' AND recipient = ? AND id > ? ORDER BY id DESC LIMIT 1",
                (phone, after_id),
            )
            if rows:
                message_id, body = rows[0]
                match = re.search(pattern, body)
                if match is None:
                    pytest.fail(f"no {pattern!r} in the SMS to {phone}: {body!r}")
                return int(message_id), match.group(1) if match.groups() else match.group(0)
            if time.monotonic() > deadline:
                pytest.fail(f"no SMS to {phone} in the outbox (after id {after_id})")
            time.sleep(0.2)

    def last_sms_id(self) -> int:
        rows = self.query("SELECT COALESCE(MAX(id), 0) FROM notifications_outboxmessage")
        return int(rows[0][0])


def staff_sign_in(page: Any, server: AppServer, username: str) -> None:
    """A demo staff account signs in: username and password, then the authenticator's code.

    allauth refuses a TOTP code already used in its period (another browser test may have
    signed the same demo account in seconds ago) or one that expired under load: then the next
    period's code, which is new, is tried once."""
    from playwright.sync_api import expect

    from prakerja.accounts.totp import totp_code_lasting, totp_seconds_left
    from prakerja.assistance.demo import DEMO_PASSWORD, demo_totp_secret

    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Sandi", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    code_input = page.get_by_label("Kode:")
    expect(code_input).to_be_visible()
    code_input.fill(totp_code_lasting(demo_totp_secret(username)))
    page.get_by_role("button", name="Masuk", exact=True).click()
    if page.get_by_text("Kode salah.").count():
        time.sleep(totp_seconds_left() + 0.5)
        page.get_by_label("Kode:").fill(totp_code_lasting(demo_totp_secret(username)))
        page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


# --- Every page a person reaches: it fits the phone and axe-core finds nothing --------------

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 level A and AA (axe's tags); "best practice" rules are not a bar here.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  const brief = (list) => list.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
  return {violations: brief(result.violations), incomplete: brief(result.incomplete)};
}"""
# What axe could not decide by itself ("needs review"), one JSON line per page, for a person to
# check. Checked by hand (docs/ARCHITECTURE.md, "Pages people use"): "color-contrast" (text on
# a select's arrow image, an empty input, wrapped inline code, SVG chart labels). Any other
# rule left undecided fails the page until a person has looked at it.
AXE_INCOMPLETE = RESULTS_DIR / "axe-incomplete.jsonl"
AXE_HAND_CHECKED = {"color-contrast"}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 AA violations on the page as it is now. The script is evaluated
    through the DevTools protocol, which the page's Content-Security-Policy does not govern
    (the app never serves it). Its "incomplete" results are appended to ``AXE_INCOMPLETE``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result: dict[str, list[dict[str, Any]]] = page.evaluate(AXE_RUN, AXE_TAGS)
    if result["incomplete"]:
        RESULTS_DIR.mkdir(exist_ok=True)
        with AXE_INCOMPLETE.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"url": page.url, "incomplete": result["incomplete"]}) + "\n")
    undecided = [v for v in result["incomplete"] if v["id"] not in AXE_HAND_CHECKED]
    return result["violations"] + undecided


# The screenshots the running test took: conftest's `_screenshots_in_report` names each in the
# JUnit report (a `screenshot` property of the test case) and empties the list.
SCREENSHOTS: list[Path] = []


def page_check(page: Any, path: Path) -> None:
    """Screenshot the page into the test report, then check it as a person would meet it:
    nothing needs sideways scrolling on the phone (a wide table scrolls in its own box), and
    axe-core finds no WCAG 2.1 AA violation."""
    page.screenshot(path=path, full_page=True)
    SCREENSHOTS.append(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{page.url} is {width}px wide on a {viewport}px screen"
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )
