"""Start the app server as every host runs it (``scripts/app_server.sh``) for a test."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from config.settings import BASE_DIR


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_server_start(
    port: int, *, workers: int, threads: int, env: dict[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """``scripts/app_server.sh`` on 127.0.0.1:``port`` in a process group of its own, its
    output (the access log included) in ``log_path``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            ["bash", "scripts/app_server.sh", "127.0.0.1", str(port), str(workers), str(threads)],  # noqa: S607
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def app_server_ready(process: subprocess.Popen[bytes], url: str, *, timeout: float) -> bool:
    """Wait until ``url`` answers 200 (True) or the server exits (False, e.g. its port was
    taken); ``TimeoutError`` when neither happens within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http only
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {timeout} s")
        time.sleep(0.2)
    return False
