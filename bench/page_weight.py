"""What a phone downloads: the bytes on the wire for the registration pages at 360×740 (issue 16).

Starts gunicorn on 127.0.0.1 with the static files as production serves them (hashed names,
gzip/brotli, ``STATIC_COMPRESSED=1`` after ``collectstatic``) on a fresh SQLite database of
its own, then opens each page in Debian's Chromium (Playwright, 360×740, a new browser context
per page, so nothing is cached) and adds up what was transferred: every response's headers
and its body as sent (compressed), the page itself and every asset it loads. A second load of
the same page in the same context shows what a returning visitor pays (assets from the cache).

Pages: the home page, the "sign in or sign up with your phone" page, and the wizard's first
step (signed in as a new applicant). Goal: the registration page under 60 KB compressed.

Usage: .venv/bin/python bench/page_weight.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registration_surge import free_port

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PAGES = [
    ("beranda (/)", "/", False),
    ("masuk / daftar dengan nomor HP", "/accounts/login/code/", False),
    ("langkah pertama pendaftaran", "/daftar/", True),
]


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


SESSION_SCRIPT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from prakerja.accounts.models import Role, User
user = User.objects.create_user(username="hp-bench-weight", role=Role.APPLICANT,
                                phone="+6281299990001")
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(store.session_key)
"""


def measure(base: str, session_key: str) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        for label, path, signed_in in PAGES:
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
            )
            if signed_in:
                context.add_cookies([{"name": "sessionid", "value": session_key, "url": base}])
            page = context.new_page()
            loads = []
            for _visit in range(2):
                rows: list[dict[str, Any]] = []

                def on_finished(request: Any, rows: list[dict[str, Any]] = rows) -> None:
                    sizes = request.sizes()
                    response = request.response()
                    rows.append(
                        {
                            "url": request.url.removeprefix(base),
                            "status": response.status if response else None,
                            "encoding": (
                                response.headers.get("content-encoding", "") if response else ""
                            ),
                            "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                            "body": sizes["responseBodySize"],
                        }
                    )

                page.on("requestfinished", on_finished)
                page.goto(base + path, wait_until="networkidle")
                page.remove_listener("requestfinished", on_finished)
                loads.append(rows)
            first, again = loads
            results.append(
                {
                    "page": label,
                    "path": path,
                    "final_url": page.url.removeprefix(base),
                    "requests": len(first),
                    "transferred_bytes": sum(r["bytes"] for r in first),
                    "transferred_bytes_again": sum(r["bytes"] for r in again),
                    "responses": first,
                }
            )
            context.close()
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="prakerja-weight-"))
    env = {
        **os.environ,
        "PRAKERJA_ENV": "demo",
        "STATIC_COMPRESSED": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'weight.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    for command in (("migrate",), ("regions_load",), ("registry_seed_load",), ("demo_load",)):
        manage(env, *command)
    manage(env, "collectstatic", "--noinput")
    session_key = manage(env, "shell", "-c", SESSION_SCRIPT).strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/livez", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.2)
        results = measure(base, session_key)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for row in results:
        print(
            f"{row['page']:<34} {row['requests']:>2} requests  "
            f"{row['transferred_bytes'] / 1024:6.1f} KB  (again: "
            f"{row['transferred_bytes_again'] / 1024:5.1f} KB)  -> {row['final_url']}"
        )
        for response in row["responses"]:
            print(
                f"    {response['status']} {response['bytes']:>7} B "
                f"{response['encoding'] or '-':<4} {response['url'][:70]}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
