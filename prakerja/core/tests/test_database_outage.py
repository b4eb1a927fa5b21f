"""A real database outage: pages and the API answer 503 + Retry-After while PostgreSQL is down
and recover by themselves when it is back.

The test starts a PostgreSQL cluster of its own (initdb into a temporary directory, a free port
on 127.0.0.1), migrates it, serves the app with gunicorn against it (persistent connections
with CONN_HEALTH_CHECKS, as in production), then stops and starts that cluster. The shared
cluster on 5432 is never touched. initdb refuses to run as root, so as root the cluster runs
as the ``postgres`` user (runuser).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres

BASE_DIR = Path(settings.BASE_DIR)
VENV_BIN = BASE_DIR / ".venv" / "bin"
RETRY_AFTER = "17"
START_TIMEOUT_SECONDS = 60


def _postgres_bin(name: str) -> str | None:
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[4]) if Path(path).parts[4].isdigit() else 0,
    )
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    pg_ctl: str
    run_as: list[str]
    data: Path
    log: Path
    socket_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603 (fixed argument lists, no user input)
            [*self.run_as, self.pg_ctl, "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT_SECONDS + 10,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.socket_dir} "
            "-c fsync=off -c full_page_writes=off"
        )
        timeout = str(START_TIMEOUT_SECONDS)
        self._ctl("-l", str(self.log), "-w", "-t", timeout, "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")


@pytest.fixture
def second_cluster() -> Iterator[Cluster]:
    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are absent")
    root = Path(tempfile.mkdtemp(prefix="prakerja-outage-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            pytest.skip("running as root and there is no 'postgres' user to run initdb as")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(
        pg_ctl=pg_ctl,
        run_as=run_as,
        data=root / "data",
        log=root / "postgres.log",
        socket_dir=root,
        port=_free_port(),
    )
    subprocess.run(  # noqa: S603
        [*run_as, initdb, "-D", str(cluster.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


# Load shedding off (each thread's own connection) and on (its slots' connections).
@pytest.fixture(params=["0", "2"], ids=["thread-connections", "slot-connections"])
def app_server(
    second_cluster: Cluster, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_NAME", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        PRAKERJA_ENV="demo",
        DATABASE_URL=second_cluster.url,
        CONN_MAX_AGE="60",
        DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS=RETRY_AFTER,
        SHED_MAX_CONCURRENT=request.param,
        DATABASE_SLOT_CONNECTIONS="true",
    )
    subprocess.run(  # noqa: S603
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "2",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while _get(f"{url}/livez")[0] != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start: {(tmp_path / 'gunicorn.log').read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _get(url: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers={"Accept-Language": "id"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return 0, {}, ""


PAGE = "/posko/"
API = "/api/v1/regions/provinces"


def test_pages_and_the_api_answer_503_while_the_database_is_down_and_recover(
    second_cluster: Cluster, app_server: str
) -> None:
    # Both threads of the worker (or both slots) hold an open connection before the outage.
    for _ in range(3):
        assert _get(app_server + PAGE)[0] == 200
        assert _get(app_server + API)[0] == 200

    second_cluster.stop()

    for _ in range(3):
        status, headers, body = _get(app_server + PAGE)
        assert status == 503, body[:500]
        assert headers["Retry-After"] == RETRY_AFTER
        assert "<h1>Layanan sementara tidak tersedia</h1>" in body
        assert "Basis data sedang tidak dapat dihubungi." in body
        assert "Server Error" not in body

        status, headers, body = _get(app_server + API)
        assert status == 503, body[:500]
        assert headers["Retry-After"] == RETRY_AFTER
        assert headers["Content-Type"].startswith("application/json")
        error = json.loads(body)
        assert error["code"] == "server.database_unavailable"
        assert error["field"] is None
        assert error["message"].startswith("Basis data sedang tidak dapat dihubungi.")

    second_cluster.start()

    # No restart of the app: the very next requests reconnect.
    for _ in range(3):
        assert _get(app_server + PAGE)[0] == 200
        assert _get(app_server + API)[0] == 200
