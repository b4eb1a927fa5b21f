"""Whole-flow benchmark: phone number to receipt, as an applicant's phone does it (SPEC §4).

Each virtual user, over one keep-alive connection to gunicorn on loopback, runs complete
flows back to back for ``--duration`` seconds:

1. ``GET /accounts/login/code/`` (the "sign in or sign up with your phone" page, CSRF cookie);
2. ``POST`` a new phone number: an applicant account is created and a 6-digit code is texted
   (the SMS outbox; the script reads the code from the outbox table, as the phone would);
3. ``GET`` and ``POST /accounts/login/code/confirm/`` with the code: signed in (session);
4. ``POST /api/v1/registrations`` (draft), then its 7 steps (identity with a new generated NIK
   and KK, contact, domicile, work, education, consent, test) with the session and CSRF
   header: by default one ``PATCH /api/v1/registrations/{reference}`` per page of the wizard
   (identity; contact, domicile, work and education; consent and test), the save-and-resume
   points a person has on the HTML pages; with ``--per-step``, one ``PATCH …/{step}`` each;
5. ``POST …/submit`` and ``GET /daftar/{reference}/bukti/`` (the receipt page).

That is 10 requests per flow (14 with ``--per-step``). A 503 (load shedding) is retried after
its Retry-After, as the pages tell people to; the retries are counted. Every user comes from
its own client address (``X-Forwarded-For`` with ``AXES_PROXY_COUNT=1``, as behind the load
balancer), so the per-address rate limits see one person each. Receipt SMS jobs queue up (no
worker runs), as in the surge benchmark. It uses the surge benchmark's database
(``prakerja_bench``; created if missing) and fresh numbers each run (a random district for the
NIKs, a random phone prefix).

Usage: .venv/bin/python bench/registration_flow.py [--users 8,32] [--duration 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import resource
import signal
import sys
import threading
import time
from collections import defaultdict
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registration_surge as surge  # the bench folder is not a package
from gauge import speed_gauge

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CODE = re.compile(r"(\d{6})")
STEPS = ["identity", "contact", "domicile", "work", "education_disability", "consent", "test"]
# The wizard's pages (registry.steps.PAGES): one PATCH each in the default flow.
PAGES = [
    ["identity"],
    ["contact", "domicile", "work", "education_disability"],
    ["consent", "test"],
]
PER_STEP = False  # --per-step: one PATCH per step, as before the grouped save existed


class FlowError(Exception):
    pass


class Browser:
    """One phone: a keep-alive connection, its cookies and its client address."""

    def __init__(
        self, port: int, address: str, timings: dict[str, list[float]], host: str = "127.0.0.1"
    ) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.address = address
        self.timings = timings
        self.retries = 0
        self.reconnects = 0

    def request(
        self, step: str, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"X-Forwarded-For": self.address, "Host": "127.0.0.1", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reconnected = False
        for _attempt in range(20):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed the idle keep-alive connection before reading this request
                # (gunicorn's keep-alive is 2 s): send it again on a new one, as browsers do.
                self.connection.close()
                if reconnected:
                    raise FlowError(f"{step}: connection error") from None
                reconnected = True
                self.reconnects += 1
                continue
            except (OSError, http.client.HTTPException):
                self.connection.close()
                raise FlowError(f"{step}: connection error") from None
            self.timings[step].append(time.perf_counter() - started)
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    cookie: SimpleCookie = SimpleCookie(value)
                    for name, morsel in cookie.items():
                        self.cookies[name] = morsel.value
            if response.status == 503:
                self.retries += 1
                time.sleep(float(response.getheader("Retry-After") or "1"))
                continue
            # Header names in lower case: HTTP's are case-insensitive, and servers differ
            # (granian sends them in lower case, gunicorn as the app wrote them).
            headers = {name.lower(): value for name, value in response.getheaders()}
            return response.status, headers, data
        raise FlowError(f"{step}: still 503 after 20 tries")

    def form(self, step: str, path: str, fields: dict[str, str], token: bytes) -> int:
        from urllib.parse import urlencode

        body = urlencode({**fields, "csrfmiddlewaretoken": token.decode()}).encode()
        status, _headers, _data = self.request(
            step,
            "POST",
            path,
            body,
            **{"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"},
        )
        return status

    def api(self, step: str, method: str, path: str, payload: dict[str, Any] | None) -> Any:
        status, _headers, data = self.request(
            step,
            method,
            path,
            json.dumps(payload or {}).encode(),
            **{
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": "http://127.0.0.1/",
            },
        )
        if status not in (200, 201):
            raise FlowError(f"{step}: HTTP {status} {data[:200]!r}")
        return json.loads(data)


class Identities:
    """Fresh, well-formed numbers for this run: never a real person's. The NIKs are women
    born on a date drawn for the run, in the run's district: a later run on the same database
    does not meet an earlier run's NIKs (with one fixed date, two runs that drew the same
    district ended their flows on 409 at the identity step)."""

    def __init__(self, district: str, seed: int) -> None:
        self.district = district
        self.rng = random.Random(seed)
        self.born = dt.date(1975, 1, 1) + dt.timedelta(days=self.rng.randrange(9000))
        # 9,000 prefixes of up to 99,999 numbers: a run does not meet an earlier run's phones
        # (an account already registered would end its flow on the status page).
        self.prefix = f"+62813{self.rng.randrange(1000, 9999)}"
        self.counter = 0
        self.lock = threading.Lock()

    def next(self) -> tuple[str, str, str, str]:
        with self.lock:
            self.counter += 1
            n = self.counter
        # A woman (day of birth + 40) born on the run's date, serial n.
        born = self.born
        birth = f"{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}"
        nik = f"{self.district}{birth}{n % 10000:04d}"
        kk = f"{self.district}{n:010d}"
        phone = f"{self.prefix}{n:05d}"
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        return nik, kk, phone, address


class Outbox:
    """The phones' SMS inbox: one database connection shared by every virtual user (the
    server's own connections and other helpers' leave little room under max_connections)."""

    def __init__(self) -> None:
        import psycopg

        self.connection = psycopg.connect(surge.DB_URL.replace("postgres://", "postgresql://"))
        self.connection.autocommit = True
        self.lock = threading.Lock()

    def execute(self, sql: str, params: list[Any]) -> Any:
        with self.lock:
            return self.connection.execute(sql, params).fetchall()


def transactions(outbox: Outbox) -> int:
    """Transactions so far in the bench database (committed and rolled back)."""
    return int(
        outbox.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [surge.DB_NAME],
        )[0][0]
    )


def statements(outbox: Outbox) -> dict[str, tuple[int, float]]:
    """Calls and milliseconds (planning + execution) per statement text in this database,
    when the server loads pg_stat_statements (``shared_preload_libraries``); empty otherwise.
    Savepoints are one text each whatever their generated names."""
    try:
        with outbox.lock:
            outbox.connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        rows = outbox.execute(
            "SELECT query, calls, total_exec_time + total_plan_time FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s",
            [surge.DB_NAME],
        )
    except Exception:  # not loaded on this server: the count is left out
        outbox.connection.rollback()
        return {}
    totals: dict[str, tuple[int, float]] = {}
    for query, calls, ms in rows:
        query = SAVEPOINT_NAME.sub(r"\1 SAVEPOINT", query)
        before = totals.get(query, (0, 0.0))
        totals[query] = (before[0] + int(calls), before[1] + float(ms))
    return totals


SAVEPOINT_NAME = re.compile(r'^((?:RELEASE |ROLLBACK TO )?)SAVEPOINT "?[A-Za-z0-9_]+"?$')


def statements_per_flow(
    before: dict[str, tuple[int, float]], after: dict[str, tuple[int, float]], flows: int
) -> dict[str, Any]:
    """Statements per flow, in all and each (pg_stat_statements' texts, most frequent first,
    the 40 commonest), with the milliseconds PostgreSQL reports spending in them."""
    calls = {q: n - before.get(q, (0, 0.0))[0] for q, (n, _ms) in after.items()}
    spent = {q: ms - before.get(q, (0, 0.0))[1] for q, (_n, ms) in after.items()}
    calls = {q: n for q, n in calls.items() if n > 0 and "pg_stat_statements" not in q}
    top = sorted(calls.items(), key=lambda item: -item[1])
    return {
        "all": round(sum(calls.values()) / flows, 1),
        "ms": round(sum(spent[q] for q in calls) / flows, 2),
        "top": [
            (round(n / flows, 2), round(spent[q] / flows, 3), " ".join(q.split())[:120])
            for q, n in top[:40]
        ],
    }


def outbox_code(database: Outbox, phone: str) -> str:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = database.execute(
            "SELECT body FROM notifications_outboxmessage WHERE recipient = %s "
            "ORDER BY id DESC LIMIT 1",
            [phone],
        )
        row = rows[0] if rows else None
        if row:
            match = CODE.search(row[0])
            if match:
                return match.group(1)
        time.sleep(0.05)
    raise FlowError("no sign-in code in the outbox")


def one_flow(browser: Browser, database: Outbox, ids: Identities, answers: dict[str, int]) -> None:
    nik, kk, phone, address = ids.next()
    browser.address = address
    browser.cookies.clear()
    status, _h, page = browser.request("code_page", "GET", "/accounts/login/code/")
    token = CSRF_INPUT.search(page)
    if status != 200 or token is None:
        raise FlowError(f"code_page: HTTP {status}")
    status = browser.form("code_request", "/accounts/login/code/", {"phone": phone}, token.group(1))
    if status != 302:
        raise FlowError(f"code_request: HTTP {status}")
    code = outbox_code(database, phone)
    status, _h, page = browser.request("confirm_page", "GET", "/accounts/login/code/confirm/")
    token = CSRF_INPUT.search(page)
    if status != 200 or token is None:
        raise FlowError(f"confirm_page: HTTP {status}")
    confirm = "/accounts/login/code/confirm/"
    status = browser.form("sign_in", confirm, {"code": code}, token.group(1))
    if status != 302:
        raise FlowError(f"sign_in: HTTP {status}")
    reference = browser.api("draft", "POST", "/api/v1/registrations", None)["reference"]
    data: dict[str, dict[str, Any]] = {
        "identity": {
            "nik": nik,
            "kk": kk,
            "full_name": "Pendaftar Alur Uji",
            "birth_place": "Surabaya",
            "birth_date": "1990-08-17",
            "gender": "P",
        },
        "contact": {"phone": phone, "email": ""},
        "domicile": {"regency": "3578", "district": "357801", "address": "Jl. Uji Alur 1"},
        "work": {"employment_status": "laid_off", "occupation": "none"},
        "education_disability": {"not_in_education": True, "has_disability": False},
        "consent": {"consent": True, "truthfulness": True},
        "test": {"answers": answers},
    }
    if PER_STEP:
        for step in STEPS:
            path = f"/api/v1/registrations/{reference}/{step}"
            browser.api(f"step_{step}", "PATCH", path, data[step])
    else:
        for grouped in PAGES:
            body = {"steps": {step: data[step] for step in grouped}}
            browser.api(
                "page_" + "+".join(grouped), "PATCH", f"/api/v1/registrations/{reference}", body
            )
    done = browser.api("submit", "POST", f"/api/v1/registrations/{reference}/submit", None)
    if done["status"] != "submitted":
        raise FlowError(f"submit: {done['status']} {done['ineligibility_reasons']}")
    status, _h, page = browser.request("receipt", "GET", f"/daftar/{reference}/bukti/")
    if status != 200 or reference.encode() not in page:
        raise FlowError(f"receipt: HTTP {status}")


def run_level(
    port: int, users: int, duration: int, ids: Identities, answers: dict[str, int]
) -> tuple[list[float], dict[str, list[float]], dict[str, int], int, float]:
    database = Outbox()
    timings: dict[str, list[float]] = defaultdict(list)
    flows: list[float] = []
    errors: dict[str, int] = defaultdict(int)
    retries = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def user() -> None:
        local: dict[str, list[float]] = defaultdict(list)
        browser = Browser(port, "", local)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                one_flow(browser, database, ids, answers)
            except FlowError as exc:
                with lock:
                    errors[str(exc).split(":")[0] + ": " + str(exc).split(":")[1][:40]] += 1
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            flows.extend(mine)
            retries[0] += browser.retries
            for step, values in local.items():
                timings[step].extend(values)

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.connection.close()
    return flows, timings, dict(errors), retries[0], time.perf_counter() - started


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="8,32")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default="granian",
        help="the app server (scripts/app_server.sh runs granian; gunicorn: the alternative)",
    )
    parser.add_argument(
        "--database",
        default=surge.DB_NAME,
        help="e.g. prakerja_bench_pages: the page benchmark's 1,000,000 existing registrations",
    )
    parser.add_argument(
        "--per-step",
        action="store_true",
        help="one PATCH per step (7) instead of one per page of the wizard (3)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="py-spy over the first level (make bench-deps)"
    )
    args = parser.parse_args()
    global PER_STEP
    PER_STEP = args.per_step
    surge.DB_NAME = args.database
    surge.DB_URL = f"postgres://postgres@127.0.0.1:5432/{args.database}"

    exists = surge.sh(
        "psql", surge.PG_ADMIN, "-Atc", f"SELECT 1 FROM pg_database WHERE datname='{surge.DB_NAME}'"
    )
    if exists.strip() != "1":
        print(f"database {surge.DB_NAME}: create and migrate", flush=True)
        surge.database_create()
    districts = surge.sh(
        "psql",
        surge.DB_URL,
        "-Atc",
        "SELECT code FROM regions_district WHERE code LIKE '35%' ORDER BY code",
    ).split()
    questions = surge.sh(
        "psql",
        surge.DB_URL,
        "-Atc",
        "SELECT q.id, coalesce(q.correct_choice, 0) FROM registry_testquestion q "
        "JOIN registry_programme p ON p.id = q.programme_id "
        "WHERE q.is_active AND p.code = 'prakerja-jatim'",
    )
    answers = {line.split("|")[0]: int(line.split("|")[1]) for line in questions.split()}
    seed = int(time.time())
    ids = Identities(random.Random(seed).choice(districts), seed)

    # Behind the load balancer: the client address is the last X-Forwarded-For entry.
    os.environ["AXES_PROXY_COUNT"] = "1"
    port = surge.free_port()
    server = surge.server_start(port, args.workers, args.threads, "gthread", args.server)
    outbox = Outbox()  # the counters' connection
    results: list[dict[str, Any]] = []
    levels = [int(u) for u in args.users.split(",")]
    try:
        # Warm-up, not measured: imports, templates and connections of every worker.
        print("warm-up (15 s)", flush=True)
        run_level(port, max(min(levels), 2 * args.workers), 15, ids, answers)
        for users in levels:
            print(f"{users} users for {args.duration}s", flush=True)
            before = surge.cpu_seconds(server.pid)
            xacts_before, statements_before = transactions(outbox), statements(outbox)
            gauge_before = speed_gauge()
            own = resource.getrusage(resource.RUSAGE_SELF)
            load_before = os.getloadavg()
            results_dir = surge.ROOT / "bench" / "results"
            profile_out = results_dir / f"registration_flow-profile-{users}.txt"
            profile_out.parent.mkdir(exist_ok=True)
            profiler = (
                surge.profile_start(server.pid, args.duration, profile_out)
                if args.profile and not results
                else None
            )
            flows, timings, errors, retries, seconds = run_level(
                port, users, args.duration, ids, answers
            )
            if profiler is not None:
                profiler.wait(timeout=60)
                print(surge.profile_summary(profile_out), flush=True)
            after = surge.cpu_seconds(server.pid)
            xacts_after, statements_after = transactions(outbox), statements(outbox)
            own_after = resource.getrusage(resource.RUSAGE_SELF)
            count = max(len(flows), 1)
            result = {
                "users": users,
                "server": args.server,
                "flows": len(flows),
                "flows_per_s": len(flows) / seconds,
                "flow_p50_ms": pct(flows, 0.50),
                "flow_p95_ms": pct(flows, 0.95),
                "flow_p99_ms": pct(flows, 0.99),
                "errors": errors,
                "retries_after_503": retries,
                "requests": sum(len(v) for v in timings.values()),
                "step_p50_ms": {k: round(pct(v, 0.5), 1) for k, v in timings.items()},
                "step_p99_ms": {k: round(pct(v, 0.99), 1) for k, v in timings.items()},
                "cpu_ms_per_flow": {
                    "app": round(1000 * (after["app"] - before["app"]) / count, 1),
                    "postgres": round(1000 * (after["postgres"] - before["postgres"]) / count, 1),
                    "redis": round(
                        1000 * (after.get("redis", 0) - before.get("redis", 0)) / count, 2
                    ),
                    "load_generator": round(
                        1000
                        * (own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime)
                        / count,
                        1,
                    ),
                    "other_processes": round(
                        1000
                        * sum(
                            after[k] - before.get(k, 0.0) for k in after if k.startswith("other:")
                        )
                        / count,
                        1,
                    ),
                },
                "transactions_per_flow": round((xacts_after - xacts_before) / count, 1),
                "statements_per_flow": statements_per_flow(
                    statements_before, statements_after, count
                )
                if statements_after
                else None,
                "load_average_before": load_before,
                "load_average_after": os.getloadavg(),
                # bench/gauge.py before and after: divide by it to compare runs.
                "speed_gauge_ms": [gauge_before, speed_gauge()],
            }
            results.append(result)
            print(json.dumps(result), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        outbox.connection.close()

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%MZ")
    out_dir = surge.ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"registration_flow-{stamp}.json").write_text(
        json.dumps({"date": stamp, "command": " ".join(sys.argv), "levels": results}, indent=2)
    )
    print(
        "\n| users | flows/s | flow p50 ms | p95 ms | p99 ms | errors | 503 retries "
        "| CPU ms per flow: app + PostgreSQL (+ load generator) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        cpu = r["cpu_ms_per_flow"]
        print(
            f"| {r['users']} | {r['flows_per_s']:.1f} | {r['flow_p50_ms']:.0f} | "
            f"{r['flow_p95_ms']:.0f} | {r['flow_p99_ms']:.0f} | {sum(r['errors'].values())} | "
            f"{r['retries_after_503']} | {cpu['app']} + {cpu['postgres']} "
            f"(+ {cpu['load_generator']}) |"
        )
    slowest = max(results[-1]["step_p50_ms"].items(), key=lambda item: item[1]) if results else None
    if slowest:
        print(f"slowest step (p50, last level): {slowest[0]} {slowest[1]} ms")


if __name__ == "__main__":
    main()
