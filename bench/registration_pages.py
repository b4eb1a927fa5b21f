"""Whole-flow benchmark through the HTML pages, as a phone's browser does it, against a
database that already holds ``--existing`` registrations (issue 17, items 3 and 4).

Each virtual phone, over one keep-alive connection to gunicorn on loopback, runs complete
registrations back to back: the sign-in page, its phone number (an account is made and a code
texted to the outbox, read back as the phone would), the code page and the code, then
whatever page the site redirects to: the start page and its button, each wizard page (GET,
then POST of the form as the page holds it, hidden fields included, filled in for every step
the page groups), the check-answers page, the submit button, the confirmation, the status
page and the receipt. Every redirect is followed, and each stylesheet, script and icon a page
links to is fetched once per person (a new phone has an empty cache). A 503 is retried after
its Retry-After.

Measured per complete registration: requests, app CPU and PostgreSQL CPU (from /proc), the
database's transactions (``pg_stat_database.xact_commit``) and sequential scans per table
(``pg_stat_user_tables``), and p50/p99 per step.

The existing rows (users, persons, submitted registrations with their history rows) are
generated in the database by ``INSERT … SELECT`` from ``generate_series`` on the first run and
kept in ``prakerja_bench_pages`` for the next ones (``--fresh`` regenerates them).

Usage: .venv/bin/python bench/registration_pages.py [--existing 1000000] [--users 8,32]
[--duration 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import signal
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import enrolment as base  # the bench folder is not a package
import registration_flow as flow
import registration_surge as surge
from gauge import speed_gauge

DB_NAME = "prakerja_bench_pages"
base.PG_DB = DB_NAME
base.PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
base.PG_PSQL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
surge.DB_NAME = DB_NAME
surge.DB_URL = base.PG_URL

HIDDEN = re.compile(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"')
QUESTION = re.compile(rb'name="(q_\d+)" value="([^"]+)"')
ASSET = re.compile(rb'(?:href|src)="(/static/[^"]+)"')
FORM = re.compile(rb'<form method="post".*?</form>', re.S)
SUBMIT_ACTION = re.compile(rb'action="(/daftar/[^"]+/kirim/)"')
# The steps a wizard page holds (its form marks each with a hidden input).
STEPS_MARKED = re.compile(rb'<input type="hidden" name="steps" value="([a-z_]+)"')
STEP_URL = re.compile(
    r"/daftar/[^/]+/(identity|contact|domicile|work|education_disability|"
    r"consent|test)/$"
)


# --- The existing registrations ---------------------------------------------------------------


def existing_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_registration WHERE status = 'submitted'")
        return int(cursor.fetchone()[0])


def existing_generate(total: int) -> float:
    """``total`` applicants who registered before: account, person, submitted registration
    and its history row, spread over East Java. Returns the seconds it took."""
    from django.db import connection, transaction

    from prakerja.accounts.models import User
    from prakerja.identity.models import Person
    from prakerja.registry.models import Programme, Registration

    started = time.perf_counter()
    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_registration, registry_historicalregistration, identity_person "
            "CASCADE"
        )
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'hp-bench-%%'")
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        user_base = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT code, regency_id FROM regions_district WHERE code LIKE '35%%' ORDER BY code"
        )
        districts = cursor.fetchall()
        cursor.execute(
            "CREATE TEMP TABLE bench_district (idx int PRIMARY KEY, code text, regency text)"
        )
        cursor.executemany(
            "INSERT INTO bench_district VALUES (%s, %s, %s)",
            [(i, code, regency) for i, (code, regency) in enumerate(districts)],
        )
    n = len(districts)
    with transaction.atomic():
        base._fill(
            User,
            f"generate_series(1, {total}) AS s(i)",
            {
                "id": f"{user_base} + i",
                "username": "'hp-bench-' || i",
                "password": "'!'",
                "role": "'applicant'",
                "phone": "'+62811' || lpad(CAST(i AS TEXT), 8, '0')",
                "phone_verified_at": "now()",
                "is_active": "TRUE",
                "date_joined": "now() - (i % 40) * interval '1 day'",
            },
        )
        base._fill(
            Person,
            f"generate_series(1, {total}) AS s(i)",
            {
                "id": "i",
                "nik_encrypted": "'bench'",
                "nik_index": "md5('nik' || i) || md5('n' || i)",
                "kk_encrypted": "'bench'",
                "kk_index": "md5('kk' || (i / 3)) || md5('k' || (i / 3))",
            },
        )
        base._fill(
            Registration,
            f"generate_series(1, {total}) AS s(i) JOIN bench_district d ON d.idx = i % {n}",
            {
                "id": "i",
                "reference": "'PX-' || upper(lpad(to_hex(i), 9, '0'))",
                "programme_id": str(programme.pk),
                "user_id": f"{user_base} + i",
                "person_id": "i",
                "kk_index": "md5('kk' || (i / 3)) || md5('k' || (i / 3))",
                "status": "'submitted'",
                "full_name": "'Pendaftar Lama ' || i",
                "birth_place": "'Surabaya'",
                "birth_date": "date '1980-01-01' + (i % 7000)",
                "gender": "CASE WHEN i % 2 = 0 THEN 'P' ELSE 'L' END",
                "phone": "'+62811' || lpad(CAST(i AS TEXT), 8, '0')",
                "domicile_regency_id": "d.regency",
                "domicile_district_id": "d.code",
                "address": "'Jl. Lama ' || i",
                "employment_status": "'laid_off'",
                "occupation": "'none'",
                "not_in_education": "TRUE",
                "channel": "'online'",
                "created_at": "now() - (i % 40) * interval '1 day'",
                "updated_at": "now() - (i % 40) * interval '1 day'",
                "submitted_at": "now() - (i % 40) * interval '1 day'",
            },
        )
        with connection.cursor() as cursor:
            for table in ("identity_person", "registry_registration"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), "
                "(SELECT MAX(id) FROM accounts_user))"
            )
    from prakerja.core.history import history_bulk_insert

    with transaction.atomic():
        history_bulk_insert(
            Registration,
            Registration.objects.all(),
            actor=None,
            reason="data benchmark",
            history_type="+",
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


# --- A phone going through the pages ---------------------------------------------------------


def _location(headers: dict[str, str]) -> str:
    parts = urllib.parse.urlsplit(headers.get("location", ""))
    return parts.path + ("?" + parts.query if parts.query else "")


class Phone:
    def __init__(self, browser: flow.Browser, outbox: flow.Outbox) -> None:
        self.browser = browser
        self.outbox = outbox
        self.assets: set[str] = set()

    def get(self, step: str, path: str) -> tuple[int, dict[str, str], bytes]:
        status, headers, page = self.browser.request(step, "GET", path)
        for asset in ASSET.findall(page):
            name = asset.decode()
            if name not in self.assets:
                self.assets.add(name)
                self.browser.request("asset", "GET", name)
        return status, headers, page

    def post(self, step: str, path: str, page: bytes, fields: dict[str, str]) -> str:
        """POST the page's form with its hidden fields and ``fields``; the redirect target."""
        # The hidden fields of the form being sent: the one holding the first field typed
        # (a page may have a second form, e.g. "send the code again").
        forms = FORM.findall(page) or [page]
        key = next(iter(fields), "").encode()
        action = b'action="' + path.split("?")[0].encode() + b'"'
        chosen = next(
            (f for f in forms if key and b'name="' + key + b'"' in f),
            next((f for f in forms if action in f), forms[-1]),
        )
        # Pairs, not a dict: a wizard page repeats the hidden "steps" input, once per step.
        form = [
            (k.decode(), v.decode()) for k, v in HIDDEN.findall(chosen) if k.decode() not in fields
        ]
        form.extend(fields.items())
        body = urllib.parse.urlencode(form).encode()
        status, headers, data = self.browser.request(
            step,
            "POST",
            path,
            body,
            **{"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"},
        )
        if status != 302:
            raise flow.FlowError(f"{step}: HTTP {status} {data[:160]!r}")
        return _location(headers)


# Fresh numbers per run (a random district, and a birth date drawn for the run for the NIKs).
Identities = flow.Identities


def step_fields(step: str, page: bytes, person: tuple[str, str, str, str]) -> dict[str, str]:
    nik, kk, phone, _address = person
    if step == "identity":
        day, month, year = int(nik[6:8]) - 40, int(nik[8:10]), 1900 + int(nik[10:12])
        return {
            "nik": nik,
            "kk": kk,
            "full_name": "Pendaftar Halaman Uji",
            "birth_place": "Surabaya",
            "birth_date_day": str(day),
            "birth_date_month": str(month),
            "birth_date_year": str(year if year > 1930 else year + 100),
            "gender": "P",
        }
    if step == "contact":
        return {"phone": phone, "email": ""}
    if step == "domicile":
        return {
            "province": "35",
            "regency": "3578",
            "district": "357801",
            "address": "Jl. Uji Halaman 1",
        }
    if step == "work":
        return {"employment_status": "laid_off", "occupation": "none", "last_employer": ""}
    if step == "education_disability":
        return {"not_in_education": "yes"}
    if step == "consent":
        return {"consent": "on", "truthfulness": "on"}
    first: dict[str, str] = {}
    for name, value in QUESTION.findall(page):
        first.setdefault(name.decode(), value.decode())
    return first


def page_fields(page: bytes, person: tuple[str, str, str, str], step: str) -> dict[str, str]:
    """What a person fills in on a wizard page: the fields of every step the page marks (a
    page groups steps, e.g. contact and domicile); an unmarked page (one step per page, before
    issue 17) holds the URL's step."""
    fields: dict[str, str] = {}
    for marked in STEPS_MARKED.findall(page) or [step.encode()]:
        fields.update(step_fields(marked.decode(), page, person))
    return fields


def one_flow(phone: Phone, ids: flow.Identities) -> int:
    """One registration from the sign-in page to the receipt; returns its request count."""
    person = ids.next()
    _nik, _kk, number, address = person
    browser = phone.browser
    browser.address = address
    browser.cookies.clear()
    phone.assets.clear()
    before = sum(len(v) for v in browser.timings.values())
    status, _h, page = phone.get("code_page", "/accounts/login/code/")
    if status != 200:
        raise flow.FlowError(f"code_page: HTTP {status}")
    path = phone.post("code_request", "/accounts/login/code/", page, {"phone": number})
    code = flow.outbox_code(phone.outbox, number)
    _s, _h, page = phone.get("confirm_page", path)
    path = phone.post("sign_in", path, page, {"code": code})
    reference = ""
    for _hop in range(30):
        status, headers, page = phone.get(_name(path), path)
        if status == 302:
            path = _location(headers)
            continue
        if status != 200:
            raise flow.FlowError(f"{_name(path)}: HTTP {status}")
        if path == "/daftar/" and not reference:
            # The start page holds the first page's questions (an older one only its button):
            # filled in and sent with the button, as a person does.
            path = phone.post("start", "/daftar/", page, page_fields(page, person, "start"))
            reference = path.split("/")[2]
            continue
        match = STEP_URL.search(path)
        if match:
            step = match.group(1)
            path = phone.post(f"post_{step}", path, page, page_fields(page, person, step))
            continue
        if path.endswith("/periksa/"):
            action = SUBMIT_ACTION.search(page)
            if action is None:
                raise flow.FlowError("check answers: no submit form")
            path = phone.post("submit", action.group(1).decode(), page, {})
            continue
        if path.endswith("/terkirim/"):
            phone.get("status", f"/daftar/{reference}/")
            phone.get("receipt", f"/daftar/{reference}/bukti/")
            return sum(len(v) for v in browser.timings.values()) - before
        raise flow.FlowError(f"unexpected page {path}")
    raise flow.FlowError("too many pages")


def _name(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "home"
    if parts[0] == "daftar" and len(parts) >= 3:
        return "get_" + parts[2]
    if parts[0] == "daftar" and len(parts) == 2:
        return "get_status"
    return "get_" + parts[-1]


def run_level(
    port: int, users: int, duration: int, ids: flow.Identities
) -> tuple[list[float], list[int], dict[str, list[float]], dict[str, int], float]:
    outbox = flow.Outbox()
    timings: dict[str, list[float]] = defaultdict(list)
    flows: list[float] = []
    requests: list[int] = []
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def user() -> None:
        local: dict[str, list[float]] = defaultdict(list)
        phone = Phone(flow.Browser(port, "", local), outbox)
        mine: list[float] = []
        counts: list[int] = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                counts.append(one_flow(phone, ids))
            except flow.FlowError as exc:
                with lock:
                    errors[str(exc)[:70]] += 1
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            flows.extend(mine)
            requests.extend(counts)
            for step, values in local.items():
                timings[step].extend(values)

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outbox.connection.close()
    return flows, requests, timings, dict(errors), time.perf_counter() - started


def db_counters(outbox: flow.Outbox) -> dict[str, Any]:
    commits = flow.transactions(outbox)
    scans = outbox.execute("SELECT relname, seq_scan, n_live_tup FROM pg_stat_user_tables", [])
    return {
        "xacts": commits,
        "seq": {r[0]: (int(r[1]), int(r[2])) for r in scans},
        "statements": flow.statements(outbox),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=1_000_000)
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
    parser.add_argument("--fresh", action="store_true", help="generate the existing rows again")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy over the first level (make bench-deps)"
    )
    args = parser.parse_args()

    base.database_prepare()
    base.django_setup()
    generated = None
    if args.fresh or existing_count() < args.existing:
        print(f"generating {args.existing:,} existing registrations", flush=True)
        generated = existing_generate(args.existing)
        print(f"generated in {generated:.0f} s", flush=True)
    existing = existing_count()

    os.environ["AXES_PROXY_COUNT"] = "1"  # each phone's X-Forwarded-For is its address
    outbox = flow.Outbox()
    districts = [
        r[0]
        for r in outbox.execute(
            "SELECT code FROM regions_district WHERE code LIKE '35%%' ORDER BY code", []
        )
    ]
    seed = int(time.time())
    ids = Identities(random.Random(seed).choice(districts), seed)
    port = surge.free_port()
    server = surge.server_start(port, args.workers, args.threads, "gthread", args.server)
    results: list[dict[str, Any]] = []
    try:
        print("warm-up (15 s)", flush=True)
        run_level(port, max(4, 2 * args.workers), 15, ids)
        for users in [int(u) for u in args.users.split(",")]:
            print(f"{users} phones for {args.duration} s", flush=True)
            cpu_before = surge.cpu_seconds(server.pid)
            db_before = db_counters(outbox)
            gauge_before = speed_gauge()
            own = resource.getrusage(resource.RUSAGE_SELF)
            load_before = os.getloadavg()
            profile_out = base.RESULTS / f"registration_pages-profile-{users}.txt"
            profiler = (
                surge.profile_start(server.pid, args.duration, profile_out)
                if args.profile and not results
                else None
            )
            flows, requests, timings, errors, seconds = run_level(port, users, args.duration, ids)
            if profiler is not None:
                profiler.wait(timeout=60)
                print(surge.profile_summary(profile_out), flush=True)
            cpu_after = surge.cpu_seconds(server.pid)
            db_after = db_counters(outbox)
            own_after = resource.getrusage(resource.RUSAGE_SELF)
            count = max(len(flows), 1)
            seq = {
                table: (after[0] - db_before["seq"].get(table, (0, 0))[0], after[1])
                for table, after in db_after["seq"].items()
            }
            result = {
                "phones": users,
                "server": args.server,
                "existing_registrations": existing,
                "flows": len(flows),
                "flows_per_s": round(len(flows) / seconds, 2),
                "requests_per_flow": round(sum(requests) / max(len(requests), 1), 1),
                "flow_p50_ms": round(flow.pct(flows, 0.5)),
                "flow_p99_ms": round(flow.pct(flows, 0.99)),
                "errors": errors,
                "cpu_ms_per_flow": {
                    "app": round(1000 * (cpu_after["app"] - cpu_before["app"]) / count, 1),
                    "postgres": round(
                        1000 * (cpu_after["postgres"] - cpu_before["postgres"]) / count, 1
                    ),
                    "redis": round(
                        1000 * (cpu_after.get("redis", 0) - cpu_before.get("redis", 0)) / count, 2
                    ),
                    "load_generator": round(
                        1000
                        * (own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime)
                        / count,
                        1,
                    ),
                },
                "transactions_per_flow": round((db_after["xacts"] - db_before["xacts"]) / count, 1),
                "statements_per_flow": flow.statements_per_flow(
                    db_before["statements"], db_after["statements"], count
                )
                if db_after["statements"]
                else None,
                "seq_scans_per_flow": {
                    table: round(n / count, 2) for table, (n, _rows) in seq.items() if n
                },
                "seq_scans_on_tables_over_10k_rows": {
                    table: n for table, (n, rows) in seq.items() if n and rows > 10_000
                },
                "step_p50_ms": {k: round(flow.pct(v, 0.5), 1) for k, v in sorted(timings.items())},
                "step_p99_ms": {k: round(flow.pct(v, 0.99), 1) for k, v in sorted(timings.items())},
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
    base.RESULTS.mkdir(exist_ok=True)
    (base.RESULTS / f"registration_pages-{stamp}.json").write_text(
        json.dumps(
            {
                "date": stamp,
                "command": " ".join(sys.argv),
                "generated_s": generated,
                "levels": results,
            },
            indent=2,
        )
    )
    print(
        "\n| phones | existing | flows/s | requests/flow | flow p50 ms | p99 ms | errors "
        "| CPU ms per flow: app + PostgreSQL | transactions/flow | seq scans on big tables "
        "| gauge ms before/after |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        cpu = r["cpu_ms_per_flow"]
        print(
            f"| {r['phones']} | {r['existing_registrations']:,} | {r['flows_per_s']} | "
            f"{r['requests_per_flow']} | {r['flow_p50_ms']} | {r['flow_p99_ms']} | "
            f"{sum(r['errors'].values())} | {cpu['app']} + {cpu['postgres']} | "
            f"{r['transactions_per_flow']} | {r['seq_scans_on_tables_over_10k_rows'] or 'none'} | "
            f"{' / '.join(str(g) for g in r['speed_gauge_ms'])} |"
        )


if __name__ == "__main__":
    main()
