"""Benchmarks of issue 14's enrolment (PostgreSQL only):

``surge``: 20,000 selected participants race for 5,000 seats in 50 batches. Every participant
tries two different random batches at once (its balance pays for one), through the service the
API calls (``selectors.participant_for_actor`` → ``batch_get`` → ``enrolment_create``), from
``--procs`` processes × ``--threads`` threads, each thread with its own connection. Reported:
enrolments per second (5,000 seats / time until the last seat was sold), attempts per second,
p50/p95/p99 latency of successful enrolments and of all attempts, oversold seats (must be 0),
balance violations (negative balances, participants who paid for two courses, balances that
differ from their ledger; must be 0). Then ``pgbench`` runs the same conditional UPDATE of the
seat counter on the same 50 rows (seats raised so it always succeeds: the raw rate of the hot
write) and the balance's conditional UPDATE, with as many clients.

``revoke``: 100,000 overdue participants and a waiting list of 150,000 over East Java's 38
regencies; one call of the job's service (``participants_revoke_overdue``: revoke, REVOKE
debits, join blocks, entries, notices, promotion of 100,000 in rank order, their participants
and GRANTs, every history row), timed; bar: under 60 s.

    .venv/bin/python bench/enrolment.py surge --procs 4 --threads 8
    .venv/bin/python bench/enrolment.py revoke
    .venv/bin/python bench/enrolment.py all

Database ``prakerja_bench_enrol`` (created and migrated on first use, data generated with
``INSERT … SELECT`` from ``generate_series`` at each run, never committed). Loopback only.
Results: ``bench/results/enrolment-*.json`` (git-ignored); ``bench/README.md`` is the record.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import queue
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_DB = "prakerja_bench_enrol"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
PG_PSQL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
RESULTS = ROOT / "bench" / "results"
BALANCE = 1_000_000


def django_setup() -> None:
    os.environ.update(
        DATABASE_URL=PG_URL,
        PRAKERJA_ENV="demo",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        # One connection per thread for the whole run, as gunicorn's threads keep theirs.
        CONN_MAX_AGE="600",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def database_prepare() -> None:
    exists = subprocess.run(
        ["psql", PG_ADMIN, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
    env = {**os.environ, "DATABASE_URL": PG_URL, "PRAKERJA_ENV": "demo"}
    for command in (["migrate", "--noinput", "-v0"], ["regions_load"], ["registry_seed_load"]):
        subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    server = subprocess.run(
        ["psql", PG_ADMIN, "-Atc", "SHOW server_version"], capture_output=True, text=True
    ).stdout.strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem) / 1024 / 1024, 1),
        "postgresql": server,
        "python": platform.python_version(),
        "commit": commit,
        "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- Data ---------------------------------------------------------------------------------


def _fill(model: Any, count_sql: str, overrides: dict[str, str]) -> None:
    """``INSERT INTO <model> (every column) SELECT … FROM <count_sql>``: ``overrides`` gives
    the SQL of some columns (over ``i``); every other one its default, NULL or empty."""
    from django.db import connection
    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    for field in model._meta.concrete_fields:
        column = str(field.column)
        if field.primary_key and column not in overrides:
            continue
        columns.append(column)
        if column in overrides:
            values.append(overrides[column])
        elif field.null:
            values.append("NULL")
        elif field.default is not NOT_PROVIDED and not callable(field.default):
            values.append(_literal(field.default))
        elif field.get_internal_type() == "BooleanField":
            values.append("FALSE")
        elif field.get_internal_type() == "JSONField":
            values.append("'[]'")
        elif field.get_internal_type() == "DateTimeField":
            values.append("now()")
        elif field.get_internal_type() in ("IntegerField", "BigIntegerField"):
            values.append("0")
        else:
            values.append("''")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {count_sql}"
        )


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, dict)):
        return f"'{json.dumps(value)}'"
    return "'" + str(value).replace("'", "''") + "'"


def truncate() -> None:
    from django.db import connection

    tables = [
        "enrolment_notice",
        "enrolment_historicalpromotion",
        "enrolment_promotion",
        "enrolment_ledgerentry",
        "enrolment_historicalenrolment",
        "enrolment_enrolment",
        "enrolment_historicalparticipant",
        "enrolment_participant",
        "enrolment_trainingsettings",
        "enrolment_historicaltrainingsettings",
        "waves_joinblock",
        "waves_historicaljoinblock",
        "waves_selectionresult",
        "waves_historicalselectionrun",
        "waves_selectionrun",
        "waves_historicalwaveentry",
        "waves_waveentry",
        "waves_regencyquota",
        "waves_historicalwave",
        "waves_wave",
        "training_historicalcoursebatch",
        "training_coursebatch",
        "training_course",
        "training_provider",
        "registry_registration",
        "django_tasks_database_dbtaskresult",
        "core_joblease",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [tables],
        )
        present = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"TRUNCATE {', '.join(present)} CASCADE")
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'bench-%%'")


def population(
    *, selected: int, waiting: int, enrol_by_days: int, regencies: list[str]
) -> dict[str, Any]:
    """``selected`` participants (balance, GRANT, entries, results) and ``waiting`` applicants
    on the waiting list of one published run, spread over ``regencies`` round robin."""
    from django.db import connection, transaction
    from django.utils import timezone

    from prakerja.accounts.models import Role, User
    from prakerja.enrolment.models import LedgerEntry, Participant
    from prakerja.registry.models import Programme, Registration
    from prakerja.waves.models import SelectionResult, SelectionRun, Wave, WaveEntry

    total = selected + waiting
    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    n_reg = len(regencies)
    with transaction.atomic():
        manager, _ = User.objects.get_or_create(
            username="bench-manager", defaults={"role": Role.MANAGER}
        )
        now = timezone.now()
        start = now - timedelta(days=40)
        wave = Wave.objects.create(
            programme=programme,
            number=1,
            name="Gelombang bench",
            opens_at=start,
            closes_at=start + timedelta(days=5),
            total_quota=selected,
            status=Wave.Status.PUBLISHED,
        )
        run = SelectionRun.objects.create(
            wave=wave,
            created_by=manager,
            status=SelectionRun.Status.PUBLISHED,
            seed="bench",
            seed_published_at=start,
            published_by=manager,
            published_at=now - timedelta(days=enrol_by_days),
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
            base = int(cursor.fetchone()[0])
            cursor.execute(
                "CREATE TEMP TABLE bench_regency (idx int PRIMARY KEY, code text) ON COMMIT DROP"
            )
            cursor.executemany(
                "INSERT INTO bench_regency VALUES (%s, %s)", list(enumerate(regencies))
            )
        series = f"generate_series(1, {total}) AS s(i)"
        _fill(
            User,
            series,
            {
                "id": f"{base} + i",
                "username": "'bench-' || i",
                "password": "'!'",
                "role": "'applicant'",
                "is_active": "TRUE",
                "date_joined": "now()",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), "
                "(SELECT MAX(id) FROM accounts_user))"
            )
        _fill(
            Registration,
            f"{series} JOIN bench_regency g ON g.idx = i % {n_reg}",
            {
                "id": "i",
                "reference": "'PJ-' || lpad(to_hex(i), 9, '0')",
                "programme_id": str(programme.pk),
                "user_id": f"{base} + i",
                "status": "'submitted'",
                "domicile_regency_id": "g.code",
                "phone": "'+62812' || lpad(CAST(i AS TEXT), 8, '0')",
                "employment_status": "'laid_off'",
                "channel": "'online'",
                "created_at": "now()",
                "updated_at": "now()",
                "submitted_at": "now()",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('registry_registration', 'id'), %s)",
                [total],
            )
        _fill(
            WaveEntry,
            series,
            {
                "id": "i",
                "wave_id": str(wave.pk),
                "registration_id": "i",
                "status": f"CASE WHEN i <= {selected} THEN 'selected' ELSE 'not_selected' END",
                "missing_items": "'[]'",
                "joined_at": "now()",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('waves_waveentry', 'id'), %s)", [total]
            )
        # Rank within the regency: i's position among its regency's rows (round robin), so
        # the selected come first in each regency, then the waiting list in order.
        _fill(
            SelectionResult,
            f"{series} JOIN bench_regency g ON g.idx = i % {n_reg}",
            {
                "run_id": str(run.pk),
                "registration_id": "i",
                "regency_id": "g.code",
                "priority": "0",
                "lottery": "i",
                "rank_in_regency": f"(i - 1) / {n_reg} + 1",
                "selected": f"(i <= {selected})",
                "reserved": "FALSE",
                "reported_by_disnaker": "FALSE",
                "reason_code": (
                    f"CASE WHEN i <= {selected} THEN 'selected_priority' ELSE 'quota_full' END"
                ),
            },
        )
        _fill(
            Participant,
            f"generate_series(1, {selected}) AS s(i) JOIN bench_regency g ON g.idx = i % {n_reg}",
            {
                "id": "i",
                "wave_entry_id": "i",
                "registration_id": "i",
                "wave_id": str(wave.pk),
                "regency_id": "g.code",
                "status": "'active'",
                "balance": str(BALANCE),
                "selected_at": f"now() - interval '{enrol_by_days} days'",
                "enrol_by": f"now() + interval '{30 - enrol_by_days} days'",
                "promoted_from_waiting": "FALSE",
            },
        )
        _fill(
            LedgerEntry,
            f"generate_series(1, {selected}) AS s(i)",
            {
                "participant_id": "i",
                "amount": str(BALANCE),
                "reason": "'grant'",
                "created_at": "now()",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('enrolment_participant', 'id'), %s)",
                [selected],
            )
            for table in (
                "enrolment_participant",
                "enrolment_ledgerentry",
                "waves_waveentry",
                "waves_selectionresult",
                "registry_registration",
                "accounts_user",
            ):
                cursor.execute(f"ANALYZE {table}")
    return {"wave": wave.pk, "run": run.pk, "user_base": base}


def batches_make(*, count: int, seats: int) -> list[int]:
    from django.utils import timezone

    from prakerja.regions.models import Regency
    from prakerja.training.models import Course, CourseBatch, Provider, TrainingField

    provider = Provider.objects.create(
        name="LPK Bench",
        kind=Provider.Kind.LPK,
        regency=Regency.objects.get(pk="3578"),
        status=Provider.Status.VERIFIED,
    )
    starts = timezone.localdate() + timedelta(days=20)
    ids = []
    for k in range(count):
        course = Course.objects.create(
            provider=provider,
            title=f"Pelatihan bench {k + 1}",
            field=TrainingField.DIGITAL,
            mode=Course.Mode.ONLINE,
            regency=provider.regency,
            hours=40,
            price=500_000 + 10_000 * (k % 40),  # 500,000–890,000: one course per balance
            description="bench",
            status=Course.Status.PUBLISHED,
        )
        batch = CourseBatch.objects.create(
            course=course, starts_on=starts, ends_on=starts + timedelta(days=10), seats=seats
        )
        ids.append(batch.pk)
    return ids


# --- Surge ---------------------------------------------------------------------------------


def _worker(
    attempts: list[tuple[int, int]],
    threads: int,
    ready: Any,
    go: Any,
    out: Any,
) -> None:
    django_setup()
    from django.db import connection

    from prakerja.accounts.models import User
    from prakerja.core.errors import ApplicationError
    from prakerja.enrolment import selectors
    from prakerja.enrolment.services.enrolments import batch_get, enrolment_create

    work: queue.Queue[tuple[int, int]] = queue.Queue()
    for item in attempts:
        work.put(item)
    results: list[tuple[float, float, str]] = []
    lock = threading.Lock()
    connected = threading.Barrier(threads + 1)

    def thread_main() -> None:
        mine: list[tuple[float, float, str]] = []
        connection.ensure_connection()
        connected.wait()
        go.wait()
        while True:
            try:
                user_id, batch_id = work.get_nowait()
            except queue.Empty:
                break
            t0 = time.monotonic()
            # As request.user after the session lookup: an applicant, active.
            user = User(pk=user_id, role="applicant", is_active=True)
            try:
                participant = selectors.participant_for_actor(actor=user)
                assert participant is not None
                enrolment_create(
                    actor=user, participant=participant, batch=batch_get(batch_id=batch_id)
                )
                outcome = "enrolled"
            except ApplicationError as exc:
                outcome = exc.code
            except Exception as exc:
                outcome = f"crash:{type(exc).__name__}"
            mine.append((t0, time.monotonic(), outcome))
        with lock:
            results.extend(mine)
        connection.close()

    pool = [threading.Thread(target=thread_main) for _ in range(threads)]
    for thread in pool:
        thread.start()
    connected.wait()
    ready.wait()  # every process connected
    for thread in pool:
        thread.join()
    out.put(results)


class LockSampler(threading.Thread):
    """Counts the bench database's backends waiting on a lock and those active, every 100 ms,
    on a connection of its own (psycopg, outside Django)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.samples: list[tuple[float, int, int, int, int]] = []

    def run(self) -> None:
        import psycopg

        with psycopg.connect(PG_PSQL, autocommit=True) as conn:
            while not self.stopping.wait(0.1):
                row = conn.execute(
                    "SELECT COUNT(*) FILTER (WHERE wait_event_type = 'Lock'), "
                    "COUNT(*) FILTER (WHERE state = 'active'), "
                    # Waiting for a seat (the batch row) or for the participant's own row
                    # (their other attempt, running at the same time, holds it).
                    "COUNT(*) FILTER (WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%%UPDATE \"training_coursebatch\"%%'), "
                    "COUNT(*) FILTER (WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%%UPDATE \"enrolment_participant\"%%') "
                    "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [PG_DB],
                ).fetchone()
                assert row is not None
                counts = tuple(int(x) for x in row)
                self.samples.append((time.monotonic(), counts[0], counts[1], counts[2], counts[3]))

    def stop(self) -> None:
        self.stopping.set()
        self.join()

    def summary(self, *, until: float) -> dict[str, float]:
        selling = [row[1:] for row in self.samples if row[0] <= until] or [(0, 0, 0, 0)]
        return {
            "samples": len(selling),
            "mean_waiting_on_lock": round(statistics.fmean(r[0] for r in selling), 2),
            "max_waiting_on_lock": max(r[0] for r in selling),
            "mean_active": round(statistics.fmean(r[1] for r in selling), 2),
            "mean_waiting_for_a_seat_row": round(statistics.fmean(r[2] for r in selling), 2),
            "mean_waiting_for_own_participant_row": round(
                statistics.fmean(r[3] for r in selling), 2
            ),
        }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def surge(
    args: argparse.Namespace,
) -> dict[str, Any]:
    from django.db import connection

    truncate()
    regencies = ["3578"]
    population(selected=args.participants, waiting=0, enrol_by_days=1, regencies=regencies)
    seats_per_batch = args.seats // args.batches
    batch_ids = batches_make(count=args.batches, seats=seats_per_batch)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, user_id FROM registry_registration ORDER BY id")
        users = [user_id for _pk, user_id in cursor.fetchall()]
    rng = random.Random(14)
    attempts: list[tuple[int, int]] = []
    for user_id in users:
        first, second = rng.sample(batch_ids, 2)
        attempts += [(user_id, first), (user_id, second)]
    # Each participant's two attempts stay next to each other, so they run at the same time
    # on two threads; the participants themselves come in a random order.
    pairs = [attempts[i : i + 2] for i in range(0, len(attempts), 2)]
    rng.shuffle(pairs)
    ordered = [a for pair in pairs for a in pair]
    per_proc: list[list[tuple[int, int]]] = [[] for _ in range(args.procs)]
    for k, attempt in enumerate(ordered):
        per_proc[(k // 2) % args.procs].append(attempt)
    connection.close()

    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(args.procs + 1)
    go = ctx.Event()
    out: Any = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(part, args.threads, ready, go, out)) for part in per_proc
    ]
    for proc in procs:
        proc.start()
    ready.wait()
    load_before = loadavg()
    sampler = LockSampler()
    sampler.start()
    started = time.monotonic()
    go.set()
    results: list[tuple[float, float, str]] = []
    for _ in procs:
        results.extend(out.get())
    wall = time.monotonic() - started
    for proc in procs:
        proc.join()
    sampler.stop()
    load_after = loadavg()
    app_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)

    from collections import Counter

    outcomes = Counter(outcome for _s, _e, outcome in results)
    ok = [(s, e) for s, e, outcome in results if outcome == "enrolled"]
    sold_out = max(e for _s, e in ok) - started if ok else wall
    ok_latency = [(e - s) * 1000 for s, e in ok]
    all_latency = [(e - s) * 1000 for s, e, _o in results]
    checks = surge_checks()
    return {
        "participants": args.participants,
        "seats": seats_per_batch * args.batches,
        "batches": args.batches,
        "processes": args.procs,
        "threads_per_process": args.threads,
        "connections": args.procs * args.threads,
        "attempts": len(results),
        "outcomes": dict(outcomes),
        "wall_s": round(wall, 2),
        "sold_out_s": round(sold_out, 2),
        "enrolments_per_s": round(len(ok) / sold_out, 1) if sold_out else 0,
        "attempts_per_s": round(len(results) / wall, 1),
        "enrol_ms": {
            "p50": round(_percentile(ok_latency, 0.50), 1),
            "p95": round(_percentile(ok_latency, 0.95), 1),
            "p99": round(_percentile(ok_latency, 0.99), 1),
            "mean": round(statistics.fmean(ok_latency), 1) if ok_latency else 0,
        },
        "attempt_ms": {
            "p50": round(_percentile(all_latency, 0.50), 1),
            "p99": round(_percentile(all_latency, 0.99), 1),
        },
        "app_cpu_ms_per_attempt": round(
            (app_cpu.ru_utime + app_cpu.ru_stime) * 1000 / max(len(results), 1), 2
        ),
        # Backends waiting for a lock (the hot batch rows) vs running, sampled every 100 ms
        # while the seats were still selling.
        "lock_waits": sampler.summary(until=started + sold_out),
        "load_before": load_before,
        "load_after": load_after,
        **checks,
        "pgbench": pgbench(args, batch_ids),
    }


def surge_checks() -> dict[str, int]:
    from django.db import connection

    from prakerja.enrolment.selectors import ledger_mismatches

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(GREATEST(seats_taken - seats, 0)), 0), "
            "COALESCE(SUM(seats_taken), 0), COALESCE(SUM(seats), 0) FROM training_coursebatch"
        )
        oversold, taken, seats = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM training_coursebatch b WHERE b.seats_taken <> "
            "(SELECT COUNT(*) FROM enrolment_enrolment e WHERE e.batch_id = b.id "
            "AND e.status = 'enrolled')"
        )
        counter_mismatch = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM enrolment_participant WHERE balance < 0")
        negative = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT participant_id FROM enrolment_enrolment "
            "WHERE status = 'enrolled' GROUP BY participant_id HAVING SUM(price) > %s) x",
            [BALANCE],
        )
        overspent = cursor.fetchone()[0]
    mismatches = len(ledger_mismatches(limit=100_000))
    return {
        "seats_taken": int(taken),
        "seats_total": int(seats),
        "oversold": int(oversold) + int(counter_mismatch),
        "balance_violations": int(negative) + int(overspent) + mismatches,
        "ledger_mismatches": mismatches,
    }


def pgbench(args: argparse.Namespace, batch_ids: list[int]) -> dict[str, Any]:
    """The raw rate of the same conditional UPDATEs on the same server and rows."""
    from django.db import connection

    clients = args.procs * args.threads
    lo, hi = min(batch_ids), max(batch_ids)
    scripts = {
        "seat_update_50_hot_rows": (
            f"\\set b random({lo}, {hi})\n"
            "UPDATE training_coursebatch SET seats_taken = seats_taken + 1 "
            "WHERE id = :b AND seats_taken < seats AND starts_on > CURRENT_DATE;\n"
        ),
        "balance_update_20000_rows": (
            f"\\set p random(1, {args.participants})\n"
            "UPDATE enrolment_participant SET balance = balance - 1 "
            "WHERE id = :p AND balance >= 1 AND status = 'active';\n"
        ),
    }
    with connection.cursor() as cursor:
        # Every UPDATE must change its row, as an enrolment's does until the seats run out.
        cursor.execute(
            "UPDATE training_coursebatch SET seats = 1000000000, seats_taken = 0 "
            "WHERE id BETWEEN %s AND %s",
            [lo, hi],
        )
    connection.close()
    out: dict[str, Any] = {"clients": clients, "seconds": args.pgbench_seconds}
    for name, script in scripts.items():
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
            handle.write(script)
        run = subprocess.run(
            [
                "pgbench",
                "-n",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(args.pgbench_seconds),
                "-f",
                handle.name,
                PG_PSQL,
            ],
            capture_output=True,
            text=True,
        )
        Path(handle.name).unlink()
        tps = None
        latency = None
        for line in run.stdout.splitlines():
            if line.startswith("tps ="):
                tps = float(line.split("=")[1].split()[0])
            if line.startswith("latency average"):
                latency = float(line.split("=")[1].split()[0])
        out[name] = {"tps": tps, "latency_ms": latency, "error": run.stderr.strip()[-300:]}
    return out


# --- Revocation ------------------------------------------------------------------------------


def revoke(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from prakerja.enrolment.models import Participant, Promotion
    from prakerja.enrolment.selectors import ledger_mismatches
    from prakerja.enrolment.services.revocation import participants_revoke_overdue
    from prakerja.regions.models import Regency

    truncate()
    regencies = sorted(Regency.objects.filter(province_id="35").values_list("code", flat=True))
    generated = time.monotonic()
    population(selected=args.overdue, waiting=args.waiting, enrol_by_days=31, regencies=regencies)
    generated = time.monotonic() - generated
    connection.close()
    load_before = loadavg()
    started = time.monotonic()
    summary = participants_revoke_overdue()
    elapsed = time.monotonic() - started
    load_after = loadavg()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM enrolment_promotion p JOIN waves_selectionresult s "
            "ON s.run_id = p.run_id AND s.registration_id = "
            "(SELECT registration_id FROM waves_waveentry WHERE id = p.wave_entry_id) "
            "WHERE s.rank_in_regency <> p.rank_in_regency"
        )
        rank_mismatch = cursor.fetchone()[0]
        # Promoted in order: in each regency, the promoted ranks are the first ones after
        # the selected (no gap).
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT regency_id, MAX(rank_in_regency) AS top, "
            "COUNT(*) AS n, MIN(rank_in_regency) AS low FROM enrolment_promotion "
            "GROUP BY regency_id) x WHERE top - low + 1 <> n"
        )
        gaps = cursor.fetchone()[0]
    return {
        "overdue": args.overdue,
        "waiting": args.waiting,
        "regencies": len(regencies),
        "generate_s": round(generated, 1),
        "job_s": round(elapsed, 2),
        "revoked": summary.revoked,
        "promoted": summary.promoted,
        "unfilled": summary.unfilled,
        "promotions": Promotion.objects.count(),
        "active_after": Participant.objects.filter(status="active").count(),
        "ledger_mismatches": len(ledger_mismatches(limit=100_000)),
        "promotion_rank_mismatches": int(rank_mismatch),
        "promotion_order_gaps": int(gaps),
        "load_before": load_before,
        "load_after": load_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["surge", "revoke", "all"])
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--seats", type=int, default=5_000)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--overdue", type=int, default=100_000)
    parser.add_argument("--waiting", type=int, default=150_000)
    parser.add_argument("--no-prepare", action="store_true")
    args = parser.parse_args()
    if not args.no_prepare:
        database_prepare()
    django_setup()
    report: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    if args.what in ("surge", "all"):
        report["surge"] = surge(args)
        print(json.dumps(report["surge"], indent=2))
    if args.what in ("revoke", "all"):
        report["revoke"] = revoke(args)
        print(json.dumps(report["revoke"], indent=2))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"enrolment-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["machine"]), f"\n→ {path}")


if __name__ == "__main__":
    main()
