"""The app server as every host runs it (``scripts/app_server.sh``): started for real, it
answers, and its access log masks a NIK and a phone number like every other log line."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.app_server import app_server_ready, app_server_start, free_port

START_TIMEOUT_SECONDS = 60


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http only
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_the_app_server_answers_and_masks_its_access_log(server: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PRAKERJA_ENV": "demo",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
        "PRAKERJA_SERVER": server,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    port = free_port()
    log_path = tmp_path / "server.log"
    process = app_server_start(port, workers=1, threads=4, env=env, log_path=log_path)
    try:
        ready = app_server_ready(
            process, f"http://127.0.0.1:{port}/livez", timeout=START_TIMEOUT_SECONDS
        )
        assert ready, log_path.read_text("utf-8")
        status = _get(f"http://127.0.0.1:{port}/cek/3578015708900001/?hp=081234567890")
        assert status == 404
        # The access line is written after the response: wait for it.
        deadline = time.monotonic() + 10
        while "/cek/" not in log_path.read_text("utf-8") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    text = log_path.read_text("utf-8")
    assert "3578********0001" in text
    assert "3578015708900001" not in text
    assert "081234567890" not in text
    if server == "granian":
        # One JSON object per line, through the project's formatter.
        lines = [json.loads(line) for line in text.splitlines() if "/cek/" in line]
        access = [line for line in lines if line["logger"] == "granian.access"]
        assert access, text
        assert access[0]["message"].startswith('127.0.0.1 "GET /cek/3578********0001/" 404')
        assert access[0]["message"].endswith('query="hp=+62*******890"')
