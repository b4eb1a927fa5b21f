"""Scale-out on one machine: three app hosts behind HAProxy, PgBouncer in transaction mode,
one PostgreSQL and one Redis (issue 17, item 5). Starts everything, checks, stops everything.

Hosts are loopback addresses 127.0.0.2, .3 and .4, each running the app server
(``scripts/app_server.sh``: granian), a ``db_worker`` and a ``scheduler`` in a process group
of its own (so a host can be killed as a whole). The web tier and the workers reach
PostgreSQL through PgBouncer (``DATABASE_POOL_MODE=transaction``);
the selection's extra sessions would go straight to PostgreSQL (``DATABASE_DIRECT_URL``).
HAProxy balances round-robin, health-checks ``/livez`` every 0.5 s, and retries a request
whose connection failed on another host. Database ``prakerja_scale`` is created and dropped.

What it shows, each as a line of the results table:

1. a person whose requests alternate between the three hosts completes the whole flow
   (sessions, CSRF and the SMS code live in PostgreSQL, not in a host);
2. a rate limit counts across hosts (allauth's, in Redis): the 11th wrong access code for
   one number is refused wherever it lands;
3. an idempotency key replayed on another host gets the first answer again, one draft;
4. three schedulers (one per host) claim each periodic job's period once;
5. load shedding is per host: a host flooded directly answers 503 + Retry-After while the
   others serve;
6. one host killed (SIGKILL, its whole process group) during a load run through HAProxy:
   flows in progress complete by retry through the others, and the submitted registrations
   in the database are exactly the acknowledged ones, none twice.

Usage: ``make scale-demo`` or ``.venv/bin/python bench/scale_demo.py [--phones 8]
[--duration 40]``. Needs haproxy and pgbouncer (Debian packages; ``make scale-demo``
installs them). Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registration_flow as flow  # the bench folder is not a package
import registration_surge as surge

ROOT = surge.ROOT
PY = surge.PY
DB_NAME = "prakerja_scale"
DIRECT_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
REDIS_DB = "7"  # a Redis database of its own, flushed at the start


def free_port() -> int:
    return surge.free_port()


def wait_port(host: str, port: int, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on {host}:{port} after {seconds} s")


class Stack:
    """Every process this demo started, stopped in reverse order by ``stop``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.groups: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        self.groups[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.groups.get(name)
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)

    def stop(self) -> None:
        for name in reversed(list(self.groups)):
            self.kill(name, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, process in self.groups.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.kill(name)


def database_create() -> None:
    surge.sh("psql", surge.PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    surge.sh("psql", surge.PG_ADMIN, "-qc", f"CREATE DATABASE {DB_NAME}")
    env = {**surge.app_env(), "DATABASE_URL": DIRECT_URL}
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["regions_load"],
        ["assistance_posts_load"],
        ["registry_seed_load"],
    ):
        surge.sh(PY, "manage.py", *command, env=env)


def database_drop() -> None:
    surge.sh(
        "psql",
        surge.PG_ADMIN,
        "-qc",
        f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)",
        check=False,
    )


def pgbouncer_start(stack: Stack, port: int) -> None:
    """Transaction pooling for the web tier and workers; it refuses to run as root, so it
    runs as postgres with its files readable by that user."""
    conf = stack.workdir / "pgbouncer.ini"
    users = stack.workdir / "userlist.txt"
    users.write_text('"postgres" ""\n')
    conf.write_text(
        "[databases]\n"
        f"{DB_NAME} = host=127.0.0.1 port=5432 dbname={DB_NAME}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        "pool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 20\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {stack.workdir / 'pgbouncer-own.log'}\n"
    )
    for path in (stack.workdir, conf, users):
        path.chmod(0o777 if path.is_dir() else 0o644)
    command = ["pgbouncer", str(conf)]
    if os.geteuid() == 0:
        command = ["pgbouncer", "-u", "postgres", str(conf)]
    stack.start("pgbouncer", command)
    wait_port("127.0.0.1", port)


def haproxy_start(stack: Stack, port: int, app_port: int) -> None:
    servers = "\n".join(
        f"    server h{i} {host}:{app_port} check inter 500 fall 2 rise 2"
        for i, host in enumerate(HOSTS, start=2)
    )
    conf = stack.workdir / "haproxy.cfg"
    conf.write_text(
        f"global\n    maxconn 2000\n    stats socket {stack.workdir / 'haproxy.sock'}\n"
        "defaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n"
        "    timeout server 60s\n    retries 3\n    option redispatch 1\n"
        "    retry-on conn-failure empty-response response-timeout\n"
        f"frontend web\n    bind 127.0.0.1:{port}\n    default_backend app\n"
        # The balancer appends the address it saw, as in production; the phones' own
        # X-Forwarded-For entry stands for their address (AXES_PROXY_COUNT=1 trusts one proxy).
        "backend app\n    balance roundrobin\n    option forwardfor\n"
        "    option httpchk\n"
        "    http-check send meth GET uri /livez ver HTTP/1.1 hdr Host 127.0.0.1\n"
        "    http-check expect status 200\n"
        f"{servers}\n"
    )
    stack.start("haproxy", ["haproxy", "-db", "-f", str(conf)])
    wait_port("127.0.0.1", port)


def haproxy_stats(stack: Stack) -> dict[str, dict[str, str]]:
    """``show stat`` from HAProxy's socket: per server, its status, retries and redispatches."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(stack.workdir / "haproxy.sock"))
        sock.sendall(b"show stat\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    lines = data.decode().lstrip("# ").splitlines()
    header = lines[0].split(",")
    rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
    return {f"{row['pxname']}/{row['svname']}": row for row in rows}


def host_env(pgbouncer_port: int) -> dict[str, str]:
    env = surge.app_env()
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{pgbouncer_port}/{DB_NAME}",
        DATABASE_POOL_MODE="transaction",
        DATABASE_DIRECT_URL=DIRECT_URL,
        CONN_MAX_AGE="0",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        AXES_PROXY_COUNT="1",
    )
    return env


def host_start(stack: Stack, host: str, app_port: int, env: dict[str, str]) -> None:
    """The app server as every host runs it (scripts/app_server.sh: granian, or gunicorn with
    PRAKERJA_SERVER=gunicorn), a job worker and a scheduler: one process group, killed as one."""
    script = (
        f"{PY} manage.py db_worker --no-startup-delay & "
        f"{PY} manage.py scheduler --interval 1 & "
        f"exec bash scripts/app_server.sh {host} {app_port} 1 16"
    )
    stack.start(f"host-{host}", ["bash", "-c", script], env=env)


# --- The clients -----------------------------------------------------------------------------


class RetryingBrowser(flow.Browser):
    """A phone that keeps trying: a refused connection, a reset, 502/503/504 are sent again
    (to the balancer, which picks a live host), as the pages tell people to.

    Each person connects from a loopback address of their own (10.a.b.c → 127.a.b.c), which
    the balancer appends to X-Forwarded-For: the hosts count per-address limits per person,
    and the made-up entry the phone itself sends (10.a.b.c) is never trusted."""

    def __init__(self, port: int, timings: dict[str, list[float]], host: str = "127.0.0.1"):
        super().__init__(port, "", timings, host=host)
        self.port, self.host = port, host
        self.resent = 0
        self.source = ""

    def _connect(self) -> None:
        self.connection.close()
        self.source = "127." + self.address.split(".", 1)[1]
        self.connection = http.client.HTTPConnection(
            self.host, self.port, timeout=30, source_address=(self.source, 0)
        )

    def request(
        self, step: str, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        if self.address and self.source != "127." + self.address.split(".", 1)[1]:
            self._connect()
        for _attempt in range(60):
            try:
                status, got, data = super().request(step, method, path, body, **headers)
            except flow.FlowError:
                status, got, data = 599, {}, b""
            if status not in (502, 503, 504, 599):
                return status, got, data
            self.resent += 1
            self._connect()
            time.sleep(0.2)
        raise flow.FlowError(f"{step}: no answer after 60 tries")


class AlternatingBrowser(flow.Browser):
    """A phone whose every request goes to the next host in turn."""

    def __init__(self, app_port: int, timings: dict[str, list[float]]) -> None:
        super().__init__(app_port, "10.9.9.9", timings, host=HOSTS[0])
        self.connections = [
            http.client.HTTPConnection(host, app_port, timeout=30) for host in HOSTS
        ]
        self.turn = 0
        self.hosts_used: list[str] = []

    def request(
        self, step: str, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        self.connection = self.connections[self.turn % len(HOSTS)]
        self.hosts_used.append(HOSTS[self.turn % len(HOSTS)])
        self.turn += 1
        return super().request(step, method, path, body, **headers)


class SameIdentity(flow.Identities):
    """``one_flow`` asks for an identity: a retried flow is the same person starting again."""

    def __init__(self, identity: tuple[str, str, str, str]) -> None:
        super().__init__(identity[0][:6], 0)
        self.identity = identity

    def next(self) -> tuple[str, str, str, str]:
        return self.identity


def test_answers(outbox: flow.Outbox) -> dict[str, int]:
    rows = outbox.execute(
        "SELECT q.id, coalesce(q.correct_choice, 0) FROM registry_testquestion q "
        "JOIN registry_programme p ON p.id = q.programme_id "
        "WHERE q.is_active AND p.code = 'prakerja-jatim'",
        [],
    )
    return {str(row[0]): int(row[1]) for row in rows}


def ids_new(outbox: flow.Outbox, seed: int) -> flow.Identities:
    districts = [
        row[0]
        for row in outbox.execute(
            "SELECT code FROM regions_district WHERE code LIKE '35%%' ORDER BY code", []
        )
    ]
    return flow.Identities(random.Random(seed).choice(districts), seed)


# --- The checks ------------------------------------------------------------------------------


def check_alternating_flow(
    app_port: int, outbox: flow.Outbox, ids: flow.Identities, answers: dict[str, int]
) -> dict[str, Any]:
    browser = AlternatingBrowser(app_port, defaultdict(list))
    nik, kk, phone, _address = ids.next()
    flow.one_flow(browser, outbox, SameIdentity((nik, kk, phone, "10.9.9.9")), answers)
    rows = outbox.execute(
        "SELECT r.status FROM registry_registration r JOIN accounts_user u ON u.id = r.user_id "
        "WHERE u.phone = %s",
        [phone],
    )
    ok = rows == [("submitted",)] and set(browser.hosts_used) == set(HOSTS)
    return {
        "check": "one person's whole flow, each request on the next host",
        "ok": ok,
        "detail": f"{len(browser.hosts_used)} requests on {len(set(browser.hosts_used))} hosts, "
        f"registration {rows[0][0] if rows else 'missing'}",
    }


def check_rate_limit(app_port: int) -> dict[str, Any]:
    """allauth's ``access_code`` limit is 10 per hour per number: the 11th try is refused
    whichever host it reaches, because the counter is in Redis."""
    browser = AlternatingBrowser(app_port, defaultdict(list))
    statuses = []
    for attempt in range(12):
        status, _h, page = browser.request("page", "GET", "/accounts/kode-akses/")
        token = flow.CSRF_INPUT.search(page)
        assert token is not None, status
        browser.address = f"10.8.{attempt}.1"  # another address each time: the per-number limit
        statuses.append(
            browser.form(
                "try",
                "/accounts/kode-akses/",
                {"phone": "081299990001", "code": "AAAA-AAAA"},
                token.group(1),
            )
        )
    refused_from = statuses.index(429) + 1 if 429 in statuses else None
    return {
        "check": "rate limit (10 tries per number per hour) shared by 3 hosts",
        "ok": statuses[:10] == [200] * 10 and statuses[10:] == [429, 429],
        "detail": f"answers {statuses}; first refusal at try {refused_from}",
    }


def check_idempotency(app_port: int, outbox: flow.Outbox, ids: flow.Identities) -> dict[str, Any]:
    """Signed in on one host, the draft's POST with an Idempotency-Key is sent to host .2,
    then the same key and body to host .3: the second is the first answer replayed."""
    browser = AlternatingBrowser(app_port, defaultdict(list))
    _nik, _kk, phone, _address = ids.next()
    browser.turn = 0
    status, _h, page = browser.request("code_page", "GET", "/accounts/login/code/")
    token = flow.CSRF_INPUT.search(page)
    assert token is not None
    browser.form("code_request", "/accounts/login/code/", {"phone": phone}, token.group(1))
    code = flow.outbox_code(outbox, phone)
    _s, _h, page = browser.request("confirm_page", "GET", "/accounts/login/code/confirm/")
    token = flow.CSRF_INPUT.search(page)
    assert token is not None
    browser.form("sign_in", "/accounts/login/code/confirm/", {"code": code}, token.group(1))
    answers = []
    for host_index in (0, 1):
        browser.turn = host_index
        status, headers, data = browser.request(
            "draft",
            "POST",
            "/api/v1/registrations",
            b"{}",
            **{
                "Content-Type": "application/json",
                "X-CSRFToken": browser.cookies.get("csrftoken", ""),
                "Referer": "http://127.0.0.1/",
                "Idempotency-Key": "scale-demo-draft-1",
            },
        )
        answers.append((status, headers.get("idempotent-replayed"), json.loads(data)))
    drafts = outbox.execute(
        "SELECT count(*) FROM registry_registration r JOIN accounts_user u ON u.id = r.user_id "
        "WHERE u.phone = %s",
        [phone],
    )[0][0]
    ok = (
        answers[0][0] == answers[1][0] == 201
        and answers[1][1] == "true"
        and answers[0][2] == answers[1][2]
        and drafts == 1
    )
    return {
        "check": "an Idempotency-Key replayed on another host",
        "ok": ok,
        "detail": f"host .2 → {answers[0][0]}, host .3 → {answers[1][0]} "
        f"(Idempotent-Replayed: {answers[1][1]}), same body: {answers[0][2] == answers[1][2]}, "
        f"drafts: {drafts}",
    }


def check_scheduler(outbox: flow.Outbox) -> dict[str, Any]:
    claims = outbox.execute("SELECT name, period, count(*) FROM core_periodicrun GROUP BY 1, 2", [])
    doubled = [row for row in claims if row[2] > 1]
    tasks = outbox.execute(
        "SELECT task_path, args_kwargs->'kwargs'->>'period', count(*) "
        "FROM django_tasks_database_dbtaskresult "
        "WHERE args_kwargs->'kwargs'->>'period' IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1",
        [],
    )
    return {
        "check": "3 schedulers (1 per host, every second): one claim per job and period",
        "ok": bool(claims) and not doubled and not tasks,
        "detail": f"{len(claims)} periods claimed, {len(doubled)} claimed twice, "
        f"{len(tasks)} enqueued twice",
    }


def check_shedding(app_port: int) -> dict[str, Any]:
    """64 phones straight at host .2 for 3 s, each sending again as soon as answered (a
    process lets 4 requests work at once): it refuses the excess with 503 + Retry-After,
    while host .3 still answers at once."""
    results: list[tuple[int, str | None]] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 3

    def hit() -> None:
        while time.monotonic() < stop_at:
            connection = http.client.HTTPConnection(HOSTS[0], app_port, timeout=30)
            try:
                connection.request("GET", "/statistik/", headers={"Host": "127.0.0.1"})
                response = connection.getresponse()
                response.read()
                answer = (response.status, response.getheader("Retry-After"))
            except OSError:
                answer = (0, None)
            finally:
                connection.close()
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=hit) for _ in range(64)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    other = http.client.HTTPConnection(HOSTS[1], app_port, timeout=30)
    started = time.perf_counter()
    other.request("GET", "/livez", headers={"Host": "127.0.0.1"})
    other_status = other.getresponse().status
    other_ms = 1000 * (time.perf_counter() - started)
    for thread in threads:
        thread.join()
    shed = [r for r in results if r[0] == 503]
    served = [r for r in results if r[0] == 200]
    return {
        "check": "load shedding is per host (64 phones at host .2 for 3 s)",
        "ok": bool(shed) and all(r[1] for r in shed) and other_status == 200,
        "detail": f"host .2: {len(served)} served, {len(shed)} refused with 503 + Retry-After, "
        f"{len(results) - len(served) - len(shed)} other; host .3 meanwhile: {other_status} "
        f"in {other_ms:.0f} ms",
    }


def check_kill_a_host(
    stack: Stack,
    balancer_port: int,
    outbox: flow.Outbox,
    ids: flow.Identities,
    answers: dict[str, int],
    phones: int,
    duration: int,
) -> dict[str, Any]:
    acknowledged: list[str] = []
    phones_used: list[str] = []
    restarted = [0]
    resent = [0]
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def phone_user() -> None:
        browser = RetryingBrowser(balancer_port, defaultdict(list))
        while time.monotonic() < stop_at:
            identity = ids.next()
            with lock:
                phones_used.append(identity[2])
            for _attempt in range(4):
                try:
                    flow.one_flow(browser, outbox, SameIdentity(identity), answers)
                except flow.FlowError as exc:
                    # Lost mid-flow (a sign-in answered by the host that died): start again.
                    with lock:
                        failures.append(str(exc)[:80])
                    with lock:
                        restarted[0] += 1
                    browser.cookies.clear()
                    continue
                with lock:
                    acknowledged.append(identity[2])
                break
        with lock:
            resent[0] += browser.resent

    threads = [threading.Thread(target=phone_user) for _ in range(phones)]
    for thread in threads:
        thread.start()
    time.sleep(duration / 3)
    killed_at = time.monotonic()
    stack.kill(f"host-{HOSTS[1]}")
    for thread in threads:
        thread.join()
    elapsed_after_kill = time.monotonic() - killed_at

    submitted = {
        row[0]
        for row in outbox.execute(
            "SELECT u.phone FROM registry_registration r JOIN accounts_user u ON u.id = r.user_id "
            "WHERE r.status = 'submitted' AND u.phone = ANY(%s)",
            [phones_used],
        )
    }
    per_phone = outbox.execute(
        "SELECT u.phone, count(*) FROM registry_registration r JOIN accounts_user u "
        "ON u.id = r.user_id WHERE u.phone = ANY(%s) GROUP BY 1 HAVING count(*) > 1",
        [phones_used],
    )
    dead = stack.groups[f"host-{HOSTS[1]}"].poll() is not None
    stats = haproxy_stats(stack)
    h3 = stats.get("app/h3", {})
    backend = stats.get("app/BACKEND", {})
    frontend = stats.get("web/FRONTEND", {})
    unfinished = [p for p in phones_used if p not in set(acknowledged)]
    ok = (
        dead
        and h3.get("status", "").startswith("DOWN")
        and submitted == set(acknowledged)
        and not per_phone
        and not unfinished
    )
    return {
        "check": f"host .3 killed (SIGKILL) {duration // 3} s into a {duration} s run, "
        f"{phones} phones through HAProxy",
        "ok": ok,
        "detail": f"{len(acknowledged)} flows acknowledged, {len(submitted)} submitted in the "
        f"database (same phones: {submitted == set(acknowledged)}), {len(per_phone)} phones "
        f"with two registrations, {restarted[0]} flows restarted, {resent[0]} requests resent, "
        f"{len(unfinished)} flows unfinished when the run stopped; "
        f"{elapsed_after_kill:.0f} s on two hosts; HAProxy: host .3 {h3.get('status')}, "
        f"{backend.get('wretr')} retries and {backend.get('wredis')} redispatches to live "
        f"hosts, {frontend.get('hrsp_5xx')} 5xx answers to phones",
        "failures": dict(Counter(failures).most_common(5)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=8)
    parser.add_argument("--duration", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    for tool in ("haproxy", "pgbouncer", "redis-cli", "psql"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run `make scale-demo` (installs it)")

    print(f"database {DB_NAME}: create, migrate, load regions and seed data", flush=True)
    database_create()
    subprocess.run(["redis-cli", "-n", REDIS_DB, "flushdb"], check=True, capture_output=True)
    surge.DB_URL = DIRECT_URL  # the phones read their SMS codes from this database
    workdir = Path(tempfile.mkdtemp(prefix="prakerja-scale-"))
    stack = Stack(workdir)
    results: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        pgbouncer_port, app_port, balancer_port = free_port(), free_port(), free_port()
        pgbouncer_start(stack, pgbouncer_port)
        env = host_env(pgbouncer_port)
        for host in HOSTS:
            host_start(stack, host, app_port, env)
        for host in HOSTS:
            wait_port(host, app_port)
        haproxy_start(stack, balancer_port, app_port)
        print(
            f"up: PgBouncer :{pgbouncer_port}, hosts {', '.join(HOSTS)} :{app_port}, "
            f"HAProxy 127.0.0.1:{balancer_port} ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        outbox = flow.Outbox()
        answers = test_answers(outbox)
        ids = ids_new(outbox, int(time.time()))
        for check in (
            lambda: check_alternating_flow(app_port, outbox, ids, answers),
            lambda: check_rate_limit(app_port),
            lambda: check_idempotency(app_port, outbox, ids),
            lambda: check_shedding(app_port),
            lambda: check_kill_a_host(
                stack, balancer_port, outbox, ids, answers, args.phones, args.duration
            ),
            lambda: check_scheduler(outbox),
        ):
            result = check()
            results.append(result)
            print(("PASS " if result["ok"] else "FAIL ") + json.dumps(result), flush=True)
        outbox.connection.close()
    finally:
        stack.stop()
        if not args.keep:
            database_drop()
        shutil.rmtree(workdir, ignore_errors=True)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%MZ")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"scale_demo-{stamp}.json").write_text(
        json.dumps({"date": stamp, "command": " ".join(sys.argv), "checks": results}, indent=2)
    )
    print("\n| check | result | figures |\n|---|---|---|")
    for r in results:
        print(f"| {r['check']} | {'PASS' if r['ok'] else 'FAIL'} | {r['detail']} |")
    if not all(r["ok"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
