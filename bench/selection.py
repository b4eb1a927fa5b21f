"""Benchmark of the selection (issue 5): N applicants over Indonesia's 514 regencies.

For each engine and size, in a fresh process:

* ``postgres``: database ``prakerja_bench_selection`` (created and migrated on first use),
  applicants generated with one ``INSERT … SELECT`` from ``generate_series``;
* ``sqlite``: ``/tmp/prakerja_bench_selection.sqlite3``, generated with a recursive CTE;
* ``duckdb``: in memory, the same rows from ``range()``, ranked by the *same SQL* the app runs
  (``prakerja.waves.selection``'s builders) as an independent reference engine.

The data is a pure function of the row number (integer mixing only), so the three engines hold
identical applicants with identical ids; the run's result hash (a per-regency fingerprint of
every stored row: id, rank, selected, reserved, reason) must then be identical too, and the
script says so.

Timed: the job body ``selection_run_execute`` (build the input, input hash, one
INSERT … SELECT of all results, result hash, commit). Peak memory: the Python process
(``ru_maxrss``, includes SQLite and DuckDB which run in-process) and, on PostgreSQL, the
backend's ``VmHWM`` plus the temp-file bytes it wrote.

    .venv/bin/python bench/selection.py --sizes 100000 --engines postgres,sqlite,duckdb
    .venv/bin/python bench/selection.py --sizes 1000000,6000000

Data is generated at run time and never committed. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_DB = "prakerja_bench_selection"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
SQLITE_PATH = Path("/tmp/prakerja_bench_selection.sqlite3")  # noqa: S108 - throwaway bench file
SEED = "bench-2020-04-17"
QUOTA_SHARE = 10  # total quota = applicants / 10
RESERVED_SHARE = "0.800"
RESULTS = ROOT / "bench" / "results"

# Row i's random-looking integers: Knuth's multiplicative hash, integers only, so every
# engine computes the same value. f is the family (KK) of row i: three rows per card.
MIX = "((({x}) * 2654435761) % 4294967296)"


def _div(engine: str) -> str:
    return "//" if engine == "duckdb" else "/"


def generator_exprs(engine: str, programme_id: int) -> dict[str, str]:
    """Column → SQL expression over ``i`` (row number) and ``g.code`` (regency) per engine."""
    d = _div(engine)
    m = MIX.format(x="i")
    f = f"((i + 1) {d} 2)"
    mf = MIX.format(x=f)
    if engine == "postgres":
        kk = f"lpad(CAST({mf} AS TEXT), 10, '0') || lpad(CAST({f} AS TEXT), 54, '0')"
        ref = "'B' || lpad(CAST(i AS TEXT), 11, '0')"
    elif engine == "sqlite":
        kk = f"printf('%010d%054d', {mf}, {f})"
        ref = "printf('B%011d', i)"
    else:
        kk = f"lpad(CAST({mf} AS VARCHAR), 10, '0') || lpad(CAST({f} AS VARCHAR), 54, '0')"
        ref = "'B' || lpad(CAST(i AS VARCHAR), 11, '0')"
    return {
        "id": "i",
        "reference": ref,
        "programme_id": str(programme_id),
        "user_id": "i",
        "kk_index": kk,
        "status": f"CASE WHEN {m} % 100 < 2 THEN 'ineligible' ELSE 'submitted' END",
        "domicile_regency_id": "g.code",
        "employment_status": (
            f"CASE WHEN ({m} {d} 100) % 100 < 35 THEN 'laid_off' "
            f"WHEN ({m} {d} 100) % 100 < 65 THEN 'furloughed' "
            f"WHEN ({m} {d} 100) % 100 < 75 THEN 'migrant_worker' "
            f"WHEN ({m} {d} 100) % 100 < 85 THEN 'laid_off_pre_covid' "
            "ELSE 'job_seeker' END"
        ),
        "reported_by_disnaker": f"(({m} {d} 10000) % 100 < 20)",
        "has_disability": f"(({m} {d} 1000000) % 100 < 2)",
        # Random and never read by the selection: it is here to prove nothing depends on it.
        "test_score": f"({m} {d} 7) % 101",
        "channel": "'online'",
    }


def regency_of_row(engine: str) -> str:
    """The regency index (0–513) of row i: from its family, so one KK lives in one regency;
    the product of two uniform draws skews applicants toward some regencies."""
    d = _div(engine)
    mf = MIX.format(x=f"((i + 1) {d} 2) + 7")
    return f"(({mf} % 514) * (({mf} {d} 514) % 514)) {d} 514"


# --- Django engines --------------------------------------------------------------------


def django_setup(engine: str) -> None:
    os.environ.update(
        DATABASE_URL=PG_URL if engine == "postgres" else f"sqlite:///{SQLITE_PATH}",
        PRAKERJA_ENV="demo",
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def database_prepare(engine: str) -> None:
    """Create (first use) and migrate the bench database, load the regions."""
    env = dict(os.environ)
    if engine == "postgres":
        exists = subprocess.run(
            ["psql", PG_ADMIN, "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {PG_DB}"], check=True)
        env["DATABASE_URL"] = PG_URL
    else:
        env["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    env["PRAKERJA_ENV"] = "demo"
    for command in (["migrate", "--noinput", "-v0"], ["regions_load"], ["registry_seed_load"]):
        subprocess.run(
            [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )


def generate_django(engine: str, size: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from prakerja.accounts.models import Role, User
    from prakerja.registry.models import Programme, Registration
    from prakerja.waves.models import RegencyQuota, Wave, WaveSettings
    from prakerja.waves.services import quotas_largest_remainder

    started = time.perf_counter()
    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    with connection.cursor() as cursor:
        if engine == "postgres":
            cursor.execute(
                "TRUNCATE waves_selectionresult, waves_historicalselectionrun, "
                "waves_selectionrun, waves_waveentry, waves_historicalwaveentry, "
                "waves_regencyquota, waves_historicalregencyquota, waves_historicalwave, "
                "waves_wave CASCADE"
            )
            cursor.execute("TRUNCATE registry_registration CASCADE")
            # Registrations name a user each (FK): the bench skips creating 6 M accounts by
            # switching FK triggers off for this session only (superuser, bench database).
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in (
                "waves_selectionresult",
                "waves_selectionrun",
                "waves_waveentry",
                "waves_regencyquota",
                "waves_wave",
                "registry_registration",
            ):
                cursor.execute(f"DELETE FROM {table}")
    now = timezone.now()
    exprs = generator_exprs(engine, programme.pk)
    cols: list[str] = []
    values: list[str] = []
    for field in Registration._meta.concrete_fields:
        column = str(field.column)
        cols.append(column)
        if column in exprs:
            values.append(exprs[column])
        elif field.null:
            values.append("NULL")
        elif field.get_internal_type() == "BooleanField":
            values.append("FALSE")
        elif field.get_internal_type() == "JSONField":
            values.append("'[]'")
        elif field.get_internal_type() == "DateTimeField":
            values.append(f"'{now.isoformat()}'")
        else:
            values.append("''")
    select = ", ".join(values)
    regency_table = "bench_regency"
    rebuild: list[str] = []
    if engine == "postgres":
        rebuild = pg_secondary_indexes_drop(["registry_registration", "waves_waveentry"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {regency_table}")
        cursor.execute(
            f"CREATE TEMP TABLE {regency_table} AS SELECT code, "
            "ROW_NUMBER() OVER (ORDER BY code) - 1 AS idx FROM regions_regency"
        )
        if engine == "postgres":
            source = f"generate_series(1, {int(size)}) AS s(i)"
            cursor.execute(
                f"INSERT INTO registry_registration ({', '.join(cols)}) "
                f"SELECT {select} FROM {source} "
                f"JOIN {regency_table} g ON g.idx = {regency_of_row(engine)}"
            )
        else:
            cursor.execute(
                f"INSERT INTO registry_registration ({', '.join(cols)}) "
                f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s "
                f"WHERE i < {int(size)}) "
                f"SELECT {select} FROM s "
                f"JOIN {regency_table} g ON g.idx = {regency_of_row(engine)}"
            )
        registrations_done = time.perf_counter()
        manager, _ = User.objects.get_or_create(
            username="bench-manager", defaults={"role": Role.MANAGER}
        )
        WaveSettings.objects.update_or_create(
            programme=programme, defaults={"reserved_share": RESERVED_SHARE, "kk_cap": 1}
        )
        start = now - timedelta(days=10)
        wave = Wave.objects.create(
            programme=programme,
            number=1,
            name="Gelombang bench",
            opens_at=start,
            closes_at=start + timedelta(days=5),
            total_quota=size // QUOTA_SHARE,
            status=Wave.Status.CLOSED,
        )
        cursor.execute(
            "SELECT domicile_regency_id, COUNT(*) FROM registry_registration "
            "GROUP BY domicile_regency_id"
        )
        counts = {code: n for code, n in cursor.fetchall()}
        quotas = quotas_largest_remainder(total=wave.total_quota, weights=counts)
        RegencyQuota.objects.bulk_create(
            [RegencyQuota(wave=wave, regency_id=c, quota=q) for c, q in quotas.items()]
        )
        cursor.execute(
            "INSERT INTO waves_waveentry (wave_id, registration_id, status, missing_items, "
            f"joined_at, carried_from_id) SELECT {wave.pk}, id, 'joined', '[]', "
            f"'{now.isoformat()}', NULL FROM registry_registration"
        )
        if engine == "postgres":
            indexes_started = time.perf_counter()
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in rebuild:
                cursor.execute(statement)
            indexes_s = time.perf_counter() - indexes_started
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('registry_registration', 'id'), %s)",
                [size],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "generate_indexes_rebuilt_s": round(indexes_s, 2) if engine == "postgres" else None,
        "generate_registrations_s": round(registrations_done - started, 2),
        "generate_total_s": round(time.perf_counter() - started, 2),
        "wave_id": wave.pk,
        "manager_id": manager.pk,
        "regencies": len(quotas),
        "total_quota": wave.total_quota,
    }


def pg_secondary_indexes_drop(tables: list[str]) -> list[str]:
    """Drop the secondary indexes, unique and FK constraints of ``tables`` (not the primary
    keys) and return the statements that recreate them: a bulk load then builds each index
    once, sorted, instead of maintaining a dozen B-trees row by row."""
    from django.db import connection

    recreate: list[str] = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                [table],
            )
            for name, definition, kind in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                # FKs come back NOT VALID: the bench's registrations name users that were
                # never created (6 M accounts would only slow the generation down).
                suffix = " NOT VALID" if kind == "f" else ""
                recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}{suffix}')
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                "FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                recreate.append(definition)
    return recreate


def pg_backend_stats() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), temp_bytes FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        pid, temp_bytes = cursor.fetchone()
    hwm = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024
    except OSError:
        pass
    # CPU seconds of the backend (utime + stime): comparable across runs under different
    # load, unlike wall time on the shared machine.
    cpu_s = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return {"pid": pid, "temp_bytes": int(temp_bytes), "vm_hwm": hwm, "cpu_s": cpu_s}


class JobCpu:
    """CPU seconds of every PostgreSQL process working for the bench database while the job
    runs: the job's backend, the parallel plan's extra connections and the parallel workers of
    any of them (``parallel worker for PID …``). Sampled from ``/proc`` every 0.2 s, keeping
    each process's last value: a process that ends loses at most its last 0.2 s."""

    def __init__(self) -> None:
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.peak_rss: dict[int, int] = {}  # VmHWM in bytes, includes shared buffers touched
        self.stop = threading.Event()
        self.scan(initial=True)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def scan(self, *, initial: bool = False) -> None:
        ours: set[int] = set()
        workers: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if not cmdline.startswith("postgres:"):
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry.name)
            if f" {PG_DB} " in cmdline:
                ours.add(pid)
            elif "parallel worker for PID " in cmdline:
                workers[pid] = int(cmdline.rsplit("PID ", 1)[1].split()[0])
            else:
                continue
            ticks[pid] = int(fields[11]) + int(fields[12])
        ours |= {pid for pid, leader in workers.items() if leader in ours}
        for pid in ours:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_rss[pid] = int(line.split()[1]) * 1024
            except OSError:
                pass
            if initial:
                self.first[pid] = ticks[pid]
            self.first.setdefault(pid, 0)
            self.last[pid] = ticks[pid]

    def loop(self) -> None:
        while not self.stop.wait(0.2):
            self.scan()

    def now(self) -> float:
        """CPU seconds so far (a fresh scan)."""
        self.scan()
        used = sum(self.last[pid] - self.first[pid] for pid in self.last)
        return used / os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        self.stop.set()
        self.thread.join()
        return round(self.now(), 1)


def rerun_prepare(engine: str, size: int) -> dict[str, Any]:
    """Time the selection again on the data the last run generated (same size): the old
    results are truncated, so the table is as the first run found it."""
    from django.db import connection

    from prakerja.accounts.models import User
    from prakerja.waves.models import SelectionRun, Wave

    wave = Wave.objects.filter(status=Wave.Status.CLOSED).order_by("-pk").first()
    assert wave is not None and wave.total_quota == size // QUOTA_SHARE, "generate first"
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE waves_selectionresult"
            if engine == "postgres"
            else "DELETE FROM waves_selectionresult"
        )
    SelectionRun.objects.filter(wave=wave).update(status=SelectionRun.Status.SUPERSEDED)
    return {
        "wave_id": wave.pk,
        "manager_id": User.objects.get(username="bench-manager").pk,
        "rerun": True,
    }


def run_django(engine: str, size: int, *, reuse: bool, rerun: bool = False) -> dict[str, Any]:
    if not reuse and not rerun:
        database_prepare(engine)
    django_setup(engine)
    from django.db import connection

    from prakerja.accounts.models import User
    from prakerja.waves import selection, selection_parallel
    from prakerja.waves.models import SelectionResult, Wave
    from prakerja.waves.services import selection_run_create, selection_run_execute

    out: dict[str, Any] = {"engine": engine, "size": size}
    out.update(rerun_prepare(engine, size) if rerun else generate_django(engine, size))
    if engine == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = ON")
    wave = Wave.objects.get(pk=out["wave_id"])
    manager = User.objects.get(pk=out["manager_id"])
    run = selection_run_create(actor=manager, wave=wave, seed=SEED)
    steps: dict[str, float] = {}
    steps_cpu: dict[str, float] = {}
    job_cpu: JobCpu | None = None

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            cpu = job_cpu.now() if job_cpu is not None else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                steps[name] = round(time.perf_counter() - t, 2)
                if job_cpu is not None:
                    steps_cpu[name] = round(job_cpu.now() - cpu, 1)

        return wrapper

    if os.environ.get("BENCH_WORK_MEM"):  # experiment: the job's sort memory
        selection.WORK_MEM = selection_parallel.WORK_MEM = os.environ["BENCH_WORK_MEM"]
        out["work_mem"] = selection.WORK_MEM
    if os.environ.get("BENCH_PARTS"):  # experiment: the stage, then this many parts
        split = selection_parallel.part_ranges
        parts = int(os.environ["BENCH_PARTS"])
        setattr(selection_parallel, "part_ranges", lambda counts, _groups: split(counts, parts))  # noqa: B010
        out["parts"] = parts
    for module, names in (
        (selection, ("results_insert", "run_hashes")),
        (selection_parallel, ("stage_create", "parts_store", "stage_drop")),
    ):
        for name in names:
            setattr(module, name, timed(name, getattr(module, name)))
    out["connections"] = selection_parallel.connections_for_run()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    before = pg_backend_stats() if engine == "postgres" else {}
    job_cpu = JobCpu() if engine == "postgres" else None
    t0 = time.perf_counter()
    run = selection_run_execute(run_id=run.pk)
    out["selection_s"] = round(time.perf_counter() - t0, 2)
    if job_cpu is not None:
        out["pg_job_cpu_s"] = job_cpu.seconds()
        out["steps_cpu_s"] = steps_cpu
        # Per process, the largest; and the sum over all (an upper bound: not all at once).
        peaks = sorted(job_cpu.peak_rss.values(), reverse=True)
        out["pg_job_peak_rss_mb"] = {
            "largest": round(peaks[0] / 2**20) if peaks else 0,
            "sum": round(sum(peaks) / 2**20),
            "processes": len(peaks),
        }
    out["steps_s"] = steps
    if engine == "postgres":
        after = pg_backend_stats()
        out["pg_backend_peak_rss_mb"] = round(after["vm_hwm"] / 2**20)
        out["pg_temp_written_mb"] = round((after["temp_bytes"] - before["temp_bytes"]) / 2**20)
        out["pg_backend_cpu_s"] = round(after["cpu_s"] - before["cpu_s"], 1)
        out["load_avg"] = [load_before, Path("/proc/loadavg").read_text().split()[:3]]
    out["python_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out["status"] = run.status
    out["result_hash"] = run.result_hash
    out["input_hash"] = run.input_hash
    with connection.cursor() as cursor:
        cursor.execute(selection.fingerprints_sql(), [run.pk])
        out["fingerprint"] = selection.hashes_from_rows({}, cursor.fetchall())[1]
    out["results_stored"] = SelectionResult.objects.filter(run=run).count()
    out["selected"] = SelectionResult.objects.filter(run=run, selected=True).count()
    return out


# --- DuckDB reference ------------------------------------------------------------------


def _count(db: Any, sql: str) -> int:
    row = db.execute(sql).fetchone()
    return int(row[0]) if row else 0


def run_duckdb(size: int) -> dict[str, Any]:
    import duckdb

    django_setup("sqlite")  # settings only (the selection module reads no database here)
    from prakerja.waves import selection
    from prakerja.waves.services import quotas_largest_remainder

    codes = sorted(
        line.split(",")[0].replace(".", "").strip('"')
        for line in (ROOT / "prakerja/regions/data/regencies.csv").read_text().splitlines()[1:]
        if line.strip()
    )
    db = duckdb.connect()
    db.execute("SET preserve_insertion_order = false")
    t0 = time.perf_counter()
    db.execute("CREATE TABLE bench_regency (code VARCHAR, idx BIGINT)")
    db.executemany("INSERT INTO bench_regency VALUES (?, ?)", [(c, i) for i, c in enumerate(codes)])
    exprs = generator_exprs("duckdb", 1)
    cols = [
        "id",
        "kk_index",
        "status",
        "domicile_regency_id",
        "employment_status",
        "reported_by_disnaker",
        "has_disability",
        "test_score",
    ]
    db.execute(
        "CREATE TABLE registry_registration AS SELECT "
        + ", ".join(f"{exprs[c]} AS {c}" for c in cols)
        + f" FROM range(1, {int(size) + 1}) s(i) "
        f"JOIN bench_regency g ON g.idx = {regency_of_row('duckdb')}"
    )
    db.execute(
        "CREATE TABLE waves_waveentry AS SELECT 1 AS wave_id, id AS registration_id, "
        "'joined' AS status FROM registry_registration"
    )
    counts = dict(
        db.execute(
            "SELECT domicile_regency_id, COUNT(*) FROM registry_registration GROUP BY 1"
        ).fetchall()
    )
    quotas = quotas_largest_remainder(total=size // QUOTA_SHARE, weights=counts)
    db.execute("CREATE TABLE waves_regencyquota (wave_id BIGINT, regency_id VARCHAR, quota BIGINT)")
    db.executemany("INSERT INTO waves_regencyquota VALUES (1, ?, ?)", list(quotas.items()))
    db.execute(
        "CREATE TABLE waves_selectionresult (run_id BIGINT, registration_id BIGINT, "
        "regency_id VARCHAR, priority INTEGER, lottery BIGINT, rank_in_regency INTEGER, "
        "selected BOOLEAN, reserved BOOLEAN, reported_by_disnaker BOOLEAN, reason_code VARCHAR)"
    )
    generated = time.perf_counter() - t0

    def duck(sql: str) -> str:
        # The app's SQL, with DuckDB's integer division and placeholders.
        return sql.replace("%%", "%").replace(") / 1000", ") // 1000").replace("%s", "?")

    weights = selection.Weights(
        reported_by_disnaker=100,
        laid_off=40,
        furloughed=30,
        migrant_worker=30,
        laid_off_pre_covid=10,
        disability=20,
    )
    run_id = 1
    t1 = time.perf_counter()
    db.execute(
        duck(
            selection.results_insert_sql(
                seed=SEED,
                weights=weights,
                kk_cap=1,
                permille=selection.reserved_permille(Decimal(RESERVED_SHARE)),
                vendor="duckdb",
            )
        ),
        [1, 1, 1, run_id],
    )
    elapsed = time.perf_counter() - t1
    rows = db.execute(duck(selection.fingerprints_sql()), [run_id]).fetchall()
    fingerprint = selection.hashes_from_rows({}, rows)[1]
    return {
        "engine": "duckdb",
        "size": size,
        "generate_total_s": round(generated, 2),
        "selection_s": round(elapsed, 2),
        "python_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "fingerprint": fingerprint,
        "selected": _count(db, "SELECT COUNT(*) FROM waves_selectionresult WHERE selected"),
        "results_stored": _count(db, "SELECT COUNT(*) FROM waves_selectionresult"),
    }


# --- Driver ----------------------------------------------------------------------------


def one(engine: str, size: int, reuse: bool, rerun: bool) -> dict[str, Any]:
    if engine == "duckdb":
        return run_duckdb(size)
    return run_django(engine, size, reuse=reuse, rerun=rerun)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--engines", default="postgres,sqlite,duckdb")
    parser.add_argument("--reuse", action="store_true", help="skip migrate/regions_load")
    parser.add_argument(
        "--rerun", action="store_true", help="time the selection again on the data generated last"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, size = args.child.split(":")
        print(json.dumps(one(engine, int(size), args.reuse, args.rerun)), flush=True)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    uptime = Path("/proc/loadavg").read_text().split()[:3]
    report = []
    for size in [int(s) for s in args.sizes.split(",")]:
        by_engine: dict[str, dict[str, Any]] = {}
        for engine in args.engines.split(","):
            print(f"{engine} {size:,}: …", flush=True)
            child = subprocess.run(
                [
                    PY,
                    __file__,
                    "--child",
                    f"{engine}:{size}",
                    *(["--reuse"] if args.reuse else []),
                    *(["--rerun"] if args.rerun else []),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if child.returncode != 0:
                print(child.stderr[-3000:])
                continue
            result = json.loads(child.stdout.strip().splitlines()[-1])
            by_engine[engine] = result
            print(
                json.dumps({k: v for k, v in result.items() if k != "fingerprint_rows"}), flush=True
            )
        # Same data + same seed: the results must agree row for row across engines.
        fingerprints = {e: r.get("fingerprint") for e, r in by_engine.items()}
        agree = len(set(fingerprints.values())) == 1
        print(f"results identical across {', '.join(fingerprints)}: {agree}", flush=True)
        report.append(
            {"size": size, "load_avg_before": uptime, "identical": agree, "results": by_engine}
        )
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    (RESULTS / f"selection-{stamp}.json").write_text(json.dumps(report, indent=2))
    print(
        f"written bench/results/selection-{stamp}.json; load average now "
        f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )


if __name__ == "__main__":
    main()
