"""CPU per final submission, measured in one process (repeatable on a busy machine).

The surge benchmark (``registration_surge.py``) measures throughput with wrk against gunicorn,
which on a shared 2-core machine depends on whatever else runs. This one measures what the
throughput is made of: the CPU one submission costs. It submits ``--count`` complete
registrations one after the other through the real WSGI application (every middleware, token
auth, the django-ninja operation, the service, the commit), in this process, against
PostgreSQL, and reads

* the CPU time of this process (``time.process_time``: the app's Python, as in a worker),
* the CPU time of its PostgreSQL backend process (from /proc, by ``pg_backend_pid()``),
* the number of SQL statements per submission (Django's query log, on a sample).

CPU time counts only the time this process (or its backend) ran, so other processes on the
machine change these figures far less than they change wrk's requests/s. The database is
``prakerja_bench_cpu``, prepared like the surge benchmark's (``--reuse`` resets a previous
run's registrations to draft). ``--profile FILE`` also writes a cProfile of the timed loop.

Usage: .venv/bin/python bench/registration_cpu.py [--count 2000] [--reuse] [--profile out.prof]
Needs: PostgreSQL on 127.0.0.1:5432 (trust auth).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import registration_surge as surge  # the bench folder is not a package

surge.DB_NAME = "prakerja_bench_cpu"
surge.DB_URL = f"postgres://postgres@127.0.0.1:5432/{surge.DB_NAME}"

WARM_UP = 50


def _proc_cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _environ(key: str, reference: str) -> dict[str, Any]:
    # What gunicorn hands the application for wrk's request in the surge benchmark.
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/api/v1/registrations/{reference}/submit",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "0",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="timed submissions")
    parser.add_argument("--reuse", action="store_true", help="reset a previous run's database")
    parser.add_argument("--profile", default="", help="write a cProfile of the timed loop here")
    parser.add_argument("--label", default="", help="a name for this run in the JSON result")
    args = parser.parse_args()

    needed = args.count + WARM_UP
    pairs = surge.registrations_reset(needed) if args.reuse else None
    if pairs is None:
        print(f"database {surge.DB_NAME}: create and migrate", flush=True)
        surge.database_create()
        pairs = surge.applicants_prepare(needed)
        surge.sh("psql", surge.DB_URL, "-qc", "VACUUM ANALYZE")
    surge.tokens_touch()

    os.environ.update(surge.app_env())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(surge.ROOT))
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, reset_queries

    application = get_wsgi_application()
    statuses: dict[str, int] = {}

    def submit(key: str, reference: str) -> None:
        def start_response(status: str, headers: list[tuple[str, str]], *_exc: Any) -> Any:
            statuses[status] = statuses.get(status, 0) + 1
            return None

        response = application(_environ(key, reference), start_response)
        b"".join(response)
        response.close()  # type: ignore[attr-defined]  # Django's responses have close()

    for key, reference in pairs[:WARM_UP]:
        submit(key, reference)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    statuses.clear()

    timed = pairs[WARM_UP:needed]
    # CPU time, not wall time: waits on PostgreSQL are not what we are cutting.
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    wall, app_cpu, pg_before = time.perf_counter(), time.process_time(), _proc_cpu_seconds(backend)
    if profiler is not None:
        profiler.enable()
    for key, reference in timed:
        submit(key, reference)
    if profiler is not None:
        profiler.disable()
    app_cpu = time.process_time() - app_cpu
    pg_cpu = _proc_cpu_seconds(backend) - pg_before
    wall = time.perf_counter() - wall
    timed_statuses = dict(statuses)

    # Statements per submission, on a sample resubmitted as drafts (the query log is off
    # while timing: it costs CPU of its own).
    sample = timed[:20]
    surge.sh(
        "psql",
        surge.DB_URL,
        "-qc",
        "UPDATE registry_registration SET status='draft', submitted_at=NULL, "
        "ineligibility_reasons='[]' WHERE reference IN ("
        + ",".join(f"'{reference}'" for _key, reference in sample)
        + "); TRUNCATE registry_familycardcount;",
    )
    counts = []
    connection.force_debug_cursor = True
    statements: list[str] = []
    for key, reference in sample:
        reset_queries()
        submit(key, reference)
        counts.append(len(connection.queries))
        statements = [query["sql"][:100] for query in connection.queries]
    connection.force_debug_cursor = False

    count = len(timed)
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": os.getloadavg(),
        "submissions": count,
        "statuses": timed_statuses,
        "app_cpu_ms": round(1000 * app_cpu / count, 2),
        "postgres_cpu_ms": round(1000 * pg_cpu / count, 2),
        "wall_ms": round(1000 * wall / count, 2),
        "statements": statistics.median(counts),
    }
    out_dir = surge.ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H%MZ", time.gmtime())
    (out_dir / f"registration_cpu-{stamp}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    print("statements of one submission:")
    for sql in statements:
        print("  ", sql)
    if profiler is not None:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
