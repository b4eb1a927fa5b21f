"""Import benchmark: a generated 100,000-row XLSX of reported workers, validated and stored.

What it does, per database (each in its own process, so peak memory is that run's alone):
1. prepares a throw-away database (SQLite file in a temp dir, or PostgreSQL database
   ``prakerja_bench_labour``), migrates it and loads the region tables;
2. generates the XLSX at run time with ``prakerja.labourdata.synthetic`` (names with variants
   and typos, ~1% bad rows: a NIK of the wrong length, a missing category, a phone that is
   not a mobile; ~1% repeated NIKs), never committed;
3. times ``import_batch_upload`` + ``import_batch_process`` — the job's real code path (read
   with fastexcel, validate every cell, persons in bulk, rows, reports, counters) — and
   reports the wall time, the process's CPU time (and, on PostgreSQL, the CPU of its server
   process), the rows per status and the process's peak RSS (``ru_maxrss``).

Usage: .venv/bin/python bench/labour_import.py [--rows 100000] [--db sqlite,postgres] [--serial]
[--no-gc-freeze]
(``--serial``: no background thread preparing the next chunk, on PostgreSQL too.
``--no-gc-freeze``: the child does not call ``gc.freeze()`` after Django's start-up, as
``manage.py db_worker`` does, where the job runs.)
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth) for the postgres run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "prakerja_bench_labour"


def _prepare_env(db: str, workdir: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PRAKERJA_ENV": "demo"}
    env.pop("REDIS_URL", None)
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            connection.execute(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    python = sys.executable
    for args in (["migrate", "--noinput"], ["regions_load"]):
        subprocess.run(
            [python, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def _generate(path: Path, rows: int) -> None:
    import random

    from prakerja.labourdata import synthetic

    people = synthetic.population(rows, seed=42)
    rng = random.Random(42)
    generated = list(synthetic.worker_rows(people, seed=42, nik_typo_rate=0.01))
    for index in range(0, rows, 100):  # ~1% bad rows, ~1% repeats
        row = generated[index]
        kind = (index // 100) % 3
        if kind == 0:
            row["NIK"] = row["NIK"][:15]
        elif kind == 1:
            row["Kategori"] = ""
        else:
            row["Nomor HP"] = "0315012345"
        if index + 1 < rows:
            generated[index + 1]["NIK"] = (
                generated[rng.randrange(index)]["NIK"] if index else row["NIK"]
            )
    synthetic.workbook_write(path, generated)


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _backend_cpu_s(pid: int | None) -> float | None:
    # The server runs on this machine: its process's utime + stime from /proc, in clock ticks.
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _GcClock:
    """Time spent in the cyclic garbage collector, from ``gc.callbacks``, until ``stop()``."""

    def __init__(self) -> None:
        import gc

        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def stop(self) -> None:
        import gc

        gc.callbacks.remove(self._callback)


def _run_one(rows: int, *, serial: bool, gc_freeze: bool) -> dict[str, object]:
    """Runs inside the child process, Django configured by the environment."""
    import django

    django.setup()
    from prakerja.accounts.models import Role, User
    from prakerja.labourdata.services import pipeline as services
    from prakerja.labourdata.services import upload

    if gc_freeze:
        # As ``manage.py db_worker`` does once at its start (the job runs in the worker):
        # what is loaded now lives as long as the process, out of the cyclic collector's sight.
        import gc

        gc.freeze()

    workdir = Path(os.environ["BENCH_WORKDIR"])
    path = workdir / f"pekerja-{rows}.xlsx"
    started = time.perf_counter()
    _generate(path, rows)
    generated_s = time.perf_counter() - started
    data = path.read_bytes()
    officer, _created = User.objects.get_or_create(
        username="bench-data", defaults={"role": Role.DATA_OFFICER}
    )
    # None: the job's own choice (pipelined on PostgreSQL, serial on SQLite).
    pipelined = False if serial else None
    backend_pid = _backend_pid()
    backend_before = _backend_cpu_s(backend_pid)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    collector = _GcClock()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    result = upload.import_batch_upload(
        actor=officer,
        kind="workers",
        source="regency_disnaker",
        name=path.name,
        upload=io.BytesIO(data),
    )
    upload_s = time.perf_counter() - started
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        batch = services.import_batch_process(batch_id=result.batch.pk, pipelined=pipelined)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime")
        stats.print_stats(35)
    else:
        batch = services.import_batch_process(batch_id=result.batch.pk, pipelined=pipelined)
    total_s = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = usage.ru_utime + usage.ru_stime - cpu_before
    backend_after = _backend_cpu_s(backend_pid)
    collector.stop()
    from django.db import connection

    return {
        "rows": rows,
        "gc_freeze_at_start": gc_freeze,
        "path": "serial"
        if serial or connection.vendor not in services.PIPELINED_VENDORS
        else "pipelined",
        "file_mb": round(len(data) / 1024 / 1024, 1),
        "generate_s": round(generated_s, 1),
        "upload_s": round(upload_s, 2),
        "import_s": round(total_s, 1),
        # CPU of this process only (the database server's own CPU is not in it for PostgreSQL).
        "import_cpu_s": round(cpu_s, 1),
        # The cyclic collector during the job: wall time inside collections, and their count
        # per generation (all threads of this process).
        "gc_s": round(collector.seconds, 2),
        "gc_collections": collector.collections,
        # PostgreSQL: CPU of this connection's server process over the same span (null on SQLite).
        "pg_backend_cpu_s": (
            round(backend_after - backend_before, 1)
            if backend_after is not None and backend_before is not None
            else None
        ),
        "status": batch.status,
        "accepted": batch.rows_accepted,
        "rejected": batch.rows_rejected,
        "duplicate": batch.rows_duplicate,
        "peak_rss_mb_before": round(rss_before / 1024),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument(
        "--serial", action="store_true", help="prepare each chunk in the job's thread (compare)"
    )
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="do not freeze the start-up objects as the worker does (compare)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_run_one(args.rows, serial=args.serial, gc_freeze=not args.no_gc_freeze)))
        return
    with open("/proc/loadavg") as handle:
        print(f"load average before: {handle.read().split()[:3]}")
    for db in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix="labour-bench-") as tmp:
            env = _prepare_env(db, Path(tmp))
            env["BENCH_WORKDIR"] = tmp
            completed = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--rows",
                    str(args.rows),
                    *(["--serial"] if args.serial else []),
                    *(["--no-gc-freeze"] if args.no_gc_freeze else []),
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if os.environ.get("BENCH_PROFILE"):
                print(completed.stderr[-12000:])
            if completed.returncode != 0:
                print(completed.stdout, completed.stderr, file=sys.stderr)
                raise SystemExit(f"{db} run failed")
            figures = json.loads(completed.stdout.strip().splitlines()[-1])
            with open("/proc/loadavg") as handle:
                figures["load_after"] = handle.read().split()[:3]
            print(db, json.dumps(figures))
        if db == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()
