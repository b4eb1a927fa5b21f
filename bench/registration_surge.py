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

Each applicant's API token is marked as used a moment before its level starts, as after the
applicant filled in the steps through the API: token auth is then one SELECT, as for a real
final submission (``--cold-tokens`` measures the first use of every token instead).
CPU seconds of the app server, PostgreSQL and wrk are read from /proc around every level.
``--reuse`` resets the prepared registrations of a previous run to draft instead of preparing
them again (for tuning runs); ``--profile-level N`` records the app workers with py-spy
(``PY_SPY``, default the venv's, from ``make bench-deps``) during level N.

Usage: .venv/bin/python bench/registration_surge.py [--levels 16,64,256] [--duration 60]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth); ``make bench-deps`` (wrk, pgbench, py-spy).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
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


# Tuned on the 2-core machine (bench/README.md): 4 requests at work per process, a waiting
# request refused after 0.25 s. Threads: enough that waiting requests reach the shedding
# middleware, few enough that workers x threads persistent connections stay well under
# PostgreSQL's max_connections (100): every gthread thread keeps its own connection.
SHED_DEFAULT = "4"
SHED_WAIT_DEFAULT = "0.25"


REDIS_URL = "redis://127.0.0.1:6379/5"


def app_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DB_URL,
        PRAKERJA_ENV="demo",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        # As in production (docs/OPERATIONS.md): sessions, rate limits and the cache in Redis.
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", REDIS_URL),
        SHED_MAX_CONCURRENT=os.environ.get("SHED_MAX_CONCURRENT", SHED_DEFAULT),
        SHED_WAIT_SECONDS=os.environ.get("SHED_WAIT_SECONDS", SHED_WAIT_DEFAULT),
    )
    return env


def registrations_reset(count: int) -> list[tuple[str, str]] | None:
    """Back to draft for a tuning run on the database a previous run prepared; None when it
    does not hold ``count`` bench applicants (the keys are rebuilt from the same seed)."""
    exists = sh("psql", PG_ADMIN, "-Atc", f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'")
    if exists.strip() != "1":
        return None
    have = sh("psql", DB_URL, "-Atc", "SELECT count(*) FROM registry_apitoken WHERE name='bench'")
    if int(have.strip() or 0) < count:
        return None
    sh(
        "psql",
        DB_URL,
        "-qc",
        "UPDATE registry_registration SET status='draft', submitted_at=NULL, "
        "ineligibility_reasons='[]' WHERE status <> 'draft'; "
        "TRUNCATE registry_familycardcount, registry_historicalregistration, "
        "django_tasks_database_dbtaskresult;",
    )
    sh("psql", DB_URL, "-qc", "VACUUM ANALYZE")
    pairs = sh(
        "psql",
        DB_URL,
        "-Atc",
        "SELECT u.username, r.reference FROM registry_registration r "
        "JOIN accounts_user u ON u.id = r.user_id WHERE u.username LIKE 'bench%' "
        "ORDER BY substr(u.username, 6)::int",
    )
    rows = [line.split("|") for line in pairs.splitlines() if line]
    keys = bench_keys(len(rows))
    return [(keys[int(name[5:])], reference) for name, reference in rows][:count]


def bench_keys(count: int, seed: int = 2020) -> list[str]:
    rng = random.Random(seed + 1)
    return [f"pkj_bench{i}_{rng.getrandbits(64):016x}" for i in range(count)]


def tokens_touch() -> None:
    sh(
        "psql",
        DB_URL,
        "-qc",
        "UPDATE registry_apitoken SET last_used_at = now() WHERE name='bench'",
    )


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of the app server's processes, PostgreSQL's and
    wrk's, from /proc (live processes only: gunicorn keeps its database connections)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"app": 0.0, "postgres": 0.0, "postgres_shared": 0.0, "wrk": 0.0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pgid, used = int(fields[2]), (int(fields[11]) + int(fields[12])) / tick
        if pgid == server_pid:
            totals["app"] += used
        elif comm.startswith("postgres"):
            # Only the backends serving the bench database: other helpers' test databases
            # live on the same server. Its shared processes (WAL writer, checkpointer, …)
            # are counted apart.
            try:
                title = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if f" {DB_NAME} " in title:
                totals["postgres"] += used
            elif " postgres " in title or "127.0.0.1" in title or "[local]" in title:
                key = f"other:{entry.name}:{comm}"
                totals[key] = totals.get(key, 0.0) + used
            else:
                totals["postgres_shared"] = totals.get("postgres_shared", 0.0) + used
        elif comm == "wrk":
            totals["wrk"] += used
        elif comm == "redis-server":
            # The shared cache: sessions, rate limits (shared with whatever else uses it).
            totals["redis"] = totals.get("redis", 0.0) + used
        else:
            # Anything else that runs meanwhile (another test suite) shows up here.
            key = f"other:{entry.name}:{comm}"
            totals[key] = totals.get(key, 0.0) + used
    with open("/proc/stat") as handle:
        parts = [int(x) for x in handle.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    totals["machine_busy"] = (sum(parts[:8]) - parts[3] - parts[4]) / tick
    totals["machine_system_irq"] = (parts[2] + parts[5] + parts[6]) / tick
    totals["machine_steal"] = parts[7] / tick
    return totals


def machine_describe() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return {
        "nproc": sh("nproc").strip(),
        "cpu": cpu,
        "memory": sh("free", "-h").splitlines()[1].split()[1],
        "postgresql": sh("psql", PG_ADMIN, "-Atc", "SHOW server_version").strip(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


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

    from prakerja.accounts.models import ApiToken, Role, User
    from prakerja.identity.crypto import blind_index, encrypt
    from prakerja.identity.models import Person
    from prakerja.registry.models import ConsentText, Programme, Registration
    from prakerja.registry.references import reference_generate

    rng = random.Random(seed)
    programme = Programme.objects.get(code="prakerja-jatim")
    consent = ConsentText.objects.order_by("-published_at").first()
    districts = {"3578": "357801", "3507": "350701", "3509": "350901", "3515": "351501"}
    now = timezone.now()
    unusable = make_password(None)
    pairs: list[tuple[str, str]] = []
    keys = bench_keys(count, seed)
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
            key = keys[i]
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


def server_start(
    port: int, workers: int, threads: int, worker_class: str, server: str = "gunicorn"
) -> subprocess.Popen[bytes]:
    if server == "granian":
        # Rust HTTP front, the Django app in ``threads`` blocking threads per worker.
        command = [
            str(ROOT / ".venv" / "bin" / "granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ]
    else:
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
    process = subprocess.Popen(command, cwd=ROOT, env=app_env(), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"{command[0]} did not start")


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


def pgbench_insert(seconds: int = 30, clients: int = 16) -> float:
    """Raw INSERT rate of a registration-shaped row (with its history row) via pgbench."""
    setup = (
        "DROP TABLE IF EXISTS bench_raw; DROP SEQUENCE IF EXISTS bench_raw_user; "
        "CREATE SEQUENCE bench_raw_user; "
        "CREATE TABLE bench_raw (LIKE registry_registration INCLUDING ALL); "
        "DROP TABLE IF EXISTS bench_raw_history; "
        "CREATE TABLE bench_raw_history (LIKE registry_historicalregistration INCLUDING ALL);"
    )
    sh("psql", DB_URL, "-qc", setup)
    row = (
        "programme_id, user_id, kk_index, status, full_name, birth_place, gender, phone, email, "
        "email_verified, address, employment_status, migrant_reason, occupation, last_employer, "
        "has_disability, disability_note, nik_warnings, ineligibility_reasons, channel, "
        "reported_by_disnaker, phone_owner, created_at, updated_at, submitted_at"
    )
    values = (
        "1, nextval('bench_raw_user'), md5(random()::text), 'submitted', 'Pendaftar Uji', "
        "'Surabaya', 'L', "
        "'+6281234567890', '', false, 'Jl. Uji', 'laid_off', '', 'none', '', false, '', "
        "'[]', '[]', 'online', false, 'self', now(), now(), now()"
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
        str(min(2, clients)),
        "-T",
        str(seconds),
        "-f",
        handle.name,
        DB_URL,
    )
    match = re.search(r"tps = ([\d.]+)", out)
    return float(match.group(1)) if match else 0.0


def warm_up(port: int, pairs: list[tuple[str, str]]) -> None:
    """A few status reads per worker so that no level pays for imports and first connections."""
    import urllib.request

    for key, reference in pairs[:60]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/registrations/{reference}",
            headers={"Authorization": f"Bearer {key}"},
        )
        with contextlib.suppress(OSError):
            urllib.request.urlopen(request, timeout=10).read()  # noqa: S310 - loopback


def profile_summary(path: Path, top: int = 30) -> str:
    """Where the app's CPU went, from py-spy's collapsed stacks: the share of samples in
    which each function is on the stack (inclusive), for the project's and Django's code,
    and the functions the samples end in (self)."""
    inclusive: dict[str, int] = defaultdict(int)
    own: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text().splitlines():
        stack, _space, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
            for f in stack.split(";")
        ]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples"]
    lines.append("inclusive (project and framework):")
    keep = ("prakerja", "django", "allauth", "axes", "ninja", "csp", "simple_history", "psycopg")
    ranked = sorted(inclusive.items(), key=lambda item: -item[1])
    shown = [(f, n) for f, n in ranked if any(k in f for k in keep)][:top]
    lines += [f"  {100 * n / total:5.1f} %  {f}" for f, n in shown]
    lines.append("self:")
    lines += [
        f"  {100 * n / total:5.1f} %  {f}"
        for f, n in sorted(own.items(), key=lambda i: -i[1])[:top]
    ]
    return "\n".join(lines)


def profile_start(server_pid: int, duration: int, out: Path) -> subprocess.Popen[bytes] | None:
    py_spy = os.environ.get("PY_SPY", str(ROOT / ".venv" / "bin" / "py-spy"))
    if not shutil.which(py_spy):
        print(f"  {py_spy} not found: no profile", flush=True)
        return None
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(server_pid),
            "--subprocesses",
            "--nonblocking",
            # Only threads holding the GIL: where the Python CPU goes, not the waits on I/O.
            *(["--gil"] if os.environ.get("PY_SPY_GIL", "1") == "1" else []),
            "--duration",
            str(duration),
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="16,64,256")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    parser.add_argument("--per-level", type=int, default=0, help="registrations per level")
    parser.add_argument("--reuse", action="store_true", help="reset a previous run's database")
    parser.add_argument("--cold-tokens", action="store_true", help="first use of every token")
    parser.add_argument("--profile-level", type=int, default=0, help="py-spy during this level")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    args = parser.parse_args()
    for tool in ("wrk", "pgbench", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: make bench-deps")
    levels = [int(level) for level in args.levels.split(",")]
    per_level = args.per_level or 400 * args.duration
    needed = per_level * len(levels)

    pairs = registrations_reset(needed) if args.reuse else None
    if pairs is None:
        print(f"database {DB_NAME}: create and migrate", flush=True)
        database_create()
        print(f"preparing {needed} complete registrations", flush=True)
        pairs = applicants_prepare(needed)
        sh("psql", DB_URL, "-qc", "VACUUM ANALYZE")
    spare = pairs[needed - 60 :]

    port = free_port()
    server = server_start(port, args.workers, args.threads, args.worker_class, args.server)
    results = []
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%MZ")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    try:
        warm_up(port, spare)
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "submit.lua"
            script.write_text(LUA)
            for n, level in enumerate(levels):
                lines = Path(tmp) / f"level{level}.txt"
                chunk = pairs[n * per_level : (n + 1) * per_level]
                if n == len(levels) - 1:
                    chunk = chunk[: len(chunk) - len(spare)]  # the warm-up used the tail
                if not args.cold_tokens:
                    tokens_touch()
                lines.write_text("".join(f"{token} {ref}\n" for token, ref in chunk))
                profiler = None
                if args.profile_level == level:
                    out = out_dir / f"profile-{stamp}-c{level}.txt"
                    profiler = profile_start(server.pid, min(args.duration, 30), out)
                print(f"wrk: {level} connections for {args.duration}s", flush=True)
                before = cpu_seconds(server.pid)
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                result = wrk_run(port, lines, level, args.duration, script)
                after = cpu_seconds(server.pid)
                waited = resource.getrusage(resource.RUSAGE_CHILDREN)
                # wrk has exited by now: its CPU is in the rusage of our waited-for children.
                after["wrk"] = before["wrk"] + (
                    waited.ru_utime + waited.ru_stime - children.ru_utime - children.ru_stime
                )
                seconds = result["duration_us"] / 1e6
                requests = max(result["requests"], 1)
                result["cpu_ms_per_request"] = {
                    name: round(1000 * (after[name] - before[name]) / requests, 2)
                    for name in before
                    if not name.startswith("other:")
                }
                others = {
                    name: after[name] - before.get(name, 0.0)
                    for name in after
                    if name.startswith("other:")
                }
                result["cpu_ms_per_request"]["other_processes"] = round(
                    1000 * sum(others.values()) / requests, 2
                )
                result["busiest_other_processes_cpu_s"] = {
                    name[6:]: round(used, 1)
                    for name, used in sorted(others.items(), key=lambda item: -item[1])[:3]
                }
                result["machine_cpu_busy"] = round(
                    (after["machine_busy"] - before["machine_busy"]) / seconds / os.cpu_count(), 3
                )
                results.append(result)
                if profiler is not None:
                    profiler.wait(timeout=120)
                print("  ", results[-1], flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print("pgbench: raw INSERT rate", flush=True)
    raw = {clients: pgbench_insert(args.pgbench_seconds, clients) for clients in (1, 16, 64)}
    machine = machine_describe()
    report = {
        "date": stamp,
        "machine": machine,
        "command": " ".join(sys.argv),
        "shed_max_concurrent": app_env()["SHED_MAX_CONCURRENT"],
        "shed_wait_seconds": app_env()["SHED_WAIT_SECONDS"],
        "args": vars(args),
        "wrk": results,
        "pgbench_insert_tps": raw,
    }
    (out_dir / f"registration_surge-{stamp}.json").write_text(json.dumps(report, indent=2))

    print()
    print(json.dumps(machine))
    print(
        "| connections | submissions/s (2xx) | p50 ms | p95 ms | p99 ms | non-2xx | of which 503 "
        "| CPU ms/request app + PostgreSQL | machine CPU busy |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        cpu = r["cpu_ms_per_request"]
        print(
            f"| {r['concurrency']} | {r['ok_rps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['non2xx']} | {r['shed']} | {cpu['app']:.1f} + "
            f"{cpu['postgres']:.1f} | {100 * r['machine_cpu_busy']:.0f}% |"
        )
    print(
        "\npgbench raw INSERT (registration + history row, one transaction): "
        + ", ".join(f"{c} clients {tps:.0f} tx/s" for c, tps in raw.items())
    )


if __name__ == "__main__":
    main()
