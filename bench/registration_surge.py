"""Surge benchmark: final submissions of complete registrations against the real app server.

What it does (loopback only, stops by itself):
1. creates a fresh PostgreSQL database ``prakerja_bench`` and migrates it;
2. prepares, in bulk, applicants whose registrations are complete and ready to submit
   (encrypted NIK/KK, consent, test done) and one API token each; all NIKs are generated;
3. starts gunicorn (gthread) on 127.0.0.1 against that database;
4. for each concurrency level runs ``wrk`` for ``--duration`` seconds, every request a
   ``POST /api/v1/registrations/{reference}/submit`` for a different applicant, and records
   requests/s, p50/p95/p99 latency, non-2xx and 503 (shed) counts;
5. measures the raw rate of an equivalent INSERT through ``pgbench`` on the same server, the
   physical limit we are measured against;
6. prints a Markdown table for ``bench/README.md`` and writes ``bench/results/…json``.

Usage: .venv/bin/python bench/registration_surge.py [--levels 16,64,256] [--duration 60]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth), wrk and pgbench (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "prakerja_bench"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"

LUA = r"""
local lines = {}
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  local nthreads = tonumber(args[2])
  local i = 0
  for line in io.lines(file) do
    if i % nthreads == tid then table.insert(lines, line) end
    i = i + 1
  end
  non2xx = 0
  shed = 0
  wrapped = 0
end

function request()
  counter = counter + 1
  if counter > #lines then wrapped = wrapped + 1 end
  local line = lines[((counter - 1) % #lines) + 1]
  local token, reference = line:match("(%S+) (%S+)")
  return wrk.format("POST", "/api/v1/registrations/" .. reference .. "/submit",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, "")
end

function response(status, headers, body)
  if status == 503 then shed = shed + 1 end
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local non, sh, wr = 0, 0, 0
  for _, t in ipairs(threads) do
    non = non + t:get("non2xx"); sh = sh + t:get("shed"); wr = wr + t:get("wrapped")
  end
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"p50_ms\": %.2f, \"p95_ms\": %.2f, " ..
    "\"p99_ms\": %.2f, \"max_ms\": %.2f, \"non2xx\": %d, \"shed\": %d, \"wrapped\": %d, " ..
    "\"socket_errors\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    non, sh, wr,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def sh(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT)
    if check and result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def app_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DB_URL,
        PRAKERJA_ENV="demo",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        SHED_MAX_CONCURRENT=os.environ.get("SHED_MAX_CONCURRENT", "8"),
    )
    return env


def database_create() -> None:
    sh("psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    sh("psql", PG_ADMIN, "-qc", f"CREATE DATABASE {DB_NAME}")
    env = app_env()
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["regions_load"],
        ["assistance_posts_load"],
        ["registry_seed_load"],
    ):
        sh(PY, "manage.py", *command, env=env)


def applicants_prepare(count: int, seed: int = 2020) -> list[tuple[str, str]]:
    """Bulk-create ``count`` ready-to-submit registrations; returns (token, reference) pairs."""
    os.environ.update(app_env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from prakerja.accounts.models import Role, User
    from prakerja.identity.crypto import blind_index, encrypt
    from prakerja.identity.models import Person
    from prakerja.registry.models import ApiToken, ConsentText, Programme, Registration
    from prakerja.registry.references import reference_generate

    rng = random.Random(seed)
    programme = Programme.objects.get(code="prakerja-jatim")
    consent = ConsentText.objects.order_by("-published_at").first()
    districts = {"3578": "357801", "3507": "350701", "3509": "350901", "3515": "351501"}
    now = timezone.now()
    unusable = make_password(None)
    pairs: list[tuple[str, str]] = []
    seen_niks: set[str] = set()
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        users, persons, regs, tokens = [], [], [], []
        for i in range(start, start + size):
            while True:
                regency = rng.choice(list(districts))
                born = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
                female = rng.random() < 0.5
                day = born.day + (40 if female else 0)
                nik = f"{districts[regency]}{day:02d}{born:%m%y}{rng.randrange(1, 10000):04d}"
                if nik not in seen_niks:
                    seen_niks.add(nik)
                    break
            kk = f"{districts[regency]}{i + 1:010d}"  # one family card per applicant
            users.append(
                User(username=f"bench{i}", role=Role.APPLICANT, password=unusable, phone=None)
            )
            persons.append(
                Person(
                    nik_encrypted=encrypt(nik),
                    nik_index=blind_index(nik, purpose="nik"),
                    kk_encrypted=encrypt(kk),
                    kk_index=blind_index(kk, purpose="kk"),
                )
            )
            regs.append((i, regency, born, female, blind_index(kk, purpose="kk")))
        User.objects.bulk_create(users)
        Person.objects.bulk_create(persons)
        saved_users = list(User.objects.filter(username__in=[u.username for u in users]))
        by_name = {u.username: u for u in saved_users}
        saved_persons = list(
            Person.objects.filter(nik_index__in=[p.nik_index for p in persons]).only(
                "pk", "nik_index"
            )
        )
        person_by_index = {p.nik_index: p for p in saved_persons}
        registrations = []
        for (i, regency, born, female, kk_index), person in zip(regs, persons, strict=True):
            reference = reference_generate()
            registrations.append(
                Registration(
                    reference=reference,
                    programme=programme,
                    user=by_name[f"bench{i}"],
                    person=person_by_index[person.nik_index],
                    kk_index=kk_index,
                    full_name=f"Pendaftar Uji {i}",
                    birth_place="Surabaya",
                    birth_date=born,
                    gender="P" if female else "L",
                    phone=f"+6281{i:09d}",
                    domicile_regency_id=regency,
                    domicile_district_id=districts[regency],
                    address="Jl. Uji Beban 1",
                    employment_status="laid_off",
                    occupation="none",
                    not_in_education=True,
                    consent_text=consent,
                    consent_at=now,
                    truthfulness_at=now,
                    test_completed_at=now,
                    test_score=2,
                    channel="online",
                )
            )
            key = f"pkj_bench{i}_{rng.getrandbits(64):016x}"
            tokens.append((key, by_name[f"bench{i}"]))
            pairs.append((key, reference))
        Registration.objects.bulk_create(registrations)
        ApiToken.objects.bulk_create(
            [
                ApiToken(user=user, key_hash=hashlib.sha256(key.encode()).hexdigest(), name="bench")
                for key, user in tokens
            ]
        )
        print(f"  prepared {start + size}/{count}", flush=True)
    return pairs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_start(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=app_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("gunicorn did not start")


def wrk_run(port: int, lines: Path, concurrency: int, duration: int, script: Path) -> dict:
    threads = 2
    out = sh(
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
        "--",
        str(lines),
        str(threads),
    )
    match = re.search(r"RESULT (\{.*\})", out)
    if not match:
        sys.exit(f"wrk printed no result:\n{out}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["ok_rps"] = (result["requests"] - result["non2xx"]) / (result["duration_us"] / 1e6)
    result["concurrency"] = concurrency
    return result


def pgbench_insert(seconds: int = 15, clients: int = 16) -> float:
    """Raw INSERT rate of a registration-shaped row (with its history row) via pgbench."""
    setup = (
        "DROP TABLE IF EXISTS bench_raw; "
        "CREATE TABLE bench_raw (LIKE registry_registration INCLUDING ALL); "
        "DROP TABLE IF EXISTS bench_raw_history; "
        "CREATE TABLE bench_raw_history (LIKE registry_historicalregistration INCLUDING ALL);"
    )
    sh("psql", DB_URL, "-qc", setup)
    row = (
        "programme_id, user_id, kk_index, status, full_name, birth_place, gender, phone, email, "
        "email_verified, address, employment_status, migrant_reason, occupation, last_employer, "
        "has_disability, disability_note, nik_warnings, ineligibility_reasons, channel, "
        "created_at, updated_at, submitted_at"
    )
    values = (
        "1, (random() * 2e9)::int, md5(random()::text), 'submitted', 'Pendaftar Uji', "
        "'Surabaya', 'L', "
        "'+6281234567890', '', false, 'Jl. Uji', 'laid_off', '', 'none', '', false, '', "
        "'[]', '[]', 'online', now(), now(), now()"
    )
    script = (
        "BEGIN;\n"
        f"INSERT INTO bench_raw (reference, {row}) VALUES "
        f"(substr(md5(random()::text), 1, 12), {values});\n"
        f"INSERT INTO bench_raw_history (id, reference, {row}, history_date, history_type) "
        f"VALUES (1, 'X', {values}, now(), '~');\n"
        "END;\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
    out = sh(
        "pgbench",
        "-n",
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(seconds),
        "-f",
        handle.name,
        DB_URL,
    )
    match = re.search(r"tps = ([\d.]+)", out)
    return float(match.group(1)) if match else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="16,64,256")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--per-level", type=int, default=0, help="registrations per level")
    args = parser.parse_args()
    for tool in ("wrk", "pgbench", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install -y wrk postgresql-client")
    levels = [int(level) for level in args.levels.split(",")]
    per_level = args.per_level or 400 * args.duration

    print(f"database {DB_NAME}: create and migrate", flush=True)
    database_create()
    print(f"preparing {per_level * len(levels)} complete registrations", flush=True)
    pairs = applicants_prepare(per_level * len(levels))

    port = free_port()
    server = server_start(port, args.workers, args.threads)
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "submit.lua"
            script.write_text(LUA)
            for n, level in enumerate(levels):
                lines = Path(tmp) / f"level{level}.txt"
                chunk = pairs[n * per_level : (n + 1) * per_level]
                lines.write_text("".join(f"{token} {ref}\n" for token, ref in chunk))
                print(f"wrk: {level} connections for {args.duration}s", flush=True)
                results.append(wrk_run(port, lines, level, args.duration, script))
                print("  ", results[-1], flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print("pgbench: raw INSERT rate", flush=True)
    raw = pgbench_insert()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%MZ")
    machine = f"{platform.node()}: {os.cpu_count()} cores, {platform.python_version()}"
    report = {
        "date": stamp,
        "machine": machine,
        "args": vars(args),
        "wrk": results,
        "pgbench_insert_tps": raw,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"registration_surge-{stamp}.json").write_text(json.dumps(report, indent=2))

    print()
    print(
        "| connections | submissions/s (2xx) | p50 ms | p95 ms | p99 ms | non-2xx | of which 503 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['concurrency']} | {r['ok_rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['non2xx']} | {r['shed']} |"
        )
    print(f"\npgbench raw INSERT (registration + history row, 16 clients): {raw:.0f} tx/s")


if __name__ == "__main__":
    main()
