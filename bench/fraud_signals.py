"""Benchmark of issue 15's fraud-signal job (PostgreSQL only): ``fraud.services.signals_run``
over N submitted registrations (bar: 6,000,000 in under 2 minutes).

Generated at each run with ``INSERT … SELECT`` from ``generate_series`` in the database
``prakerja_bench_fraud`` (never committed): N applicant accounts and N submitted registrations
over East Java's 38 regencies, 2 % of them at assistance posts by 500 officers (a few at
night), with shared phone numbers (every 1,000th number used by 3 registrations), shared
e-mail addresses (every 2,000th by 4) and addresses (every 5,000th address by 6 the same
day). The job then runs once, timed, from a cold start of its own (no signals yet).

    .venv/bin/python bench/fraud_signals.py --registrations 6000000
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

# Run as a script, bench/ is first on the path: the enrolment benchmark's helpers import as
# the module ``enrolment`` (mypy sees the same name).
import enrolment as base

base.PG_DB = "prakerja_bench_fraud"
base.PG_URL = f"postgres://postgres@127.0.0.1:5432/{base.PG_DB}"


def _data(total: int) -> None:
    from django.db import connection, transaction

    from prakerja.accounts.models import User
    from prakerja.assistance.models import Post
    from prakerja.registry.models import Programme, Registration

    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    posts = list(Post.objects.order_by("pk").values_list("pk", flat=True)[:50])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE fraud_signal, fraud_historicalsignal, registry_registration CASCADE"
            )
            cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'bench-%%'")
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
            base_id = int(cursor.fetchone()[0])
            cursor.execute(
                "SELECT code FROM regions_regency WHERE province_id = '35' ORDER BY code"
            )
            regencies = [row[0] for row in cursor.fetchall()]
            cursor.execute("CREATE TEMP TABLE bench_regency (idx int PRIMARY KEY, code text)")
            cursor.executemany(
                "INSERT INTO bench_regency VALUES (%s, %s)", list(enumerate(regencies))
            )
            cursor.execute("CREATE TEMP TABLE bench_post (idx int PRIMARY KEY, id bigint)")
            cursor.executemany("INSERT INTO bench_post VALUES (%s, %s)", list(enumerate(posts)))
        officers = 500
        series = f"generate_series(1, {total + officers}) AS s(i)"
        base._fill(
            User,
            series,
            {
                "id": f"{base_id} + i",
                "username": "'bench-' || i",
                "password": "'!'",
                "role": f"CASE WHEN i > {total} THEN 'officer' ELSE 'applicant' END",
                "post_id": f"CASE WHEN i > {total} THEN {posts[0]} ELSE NULL END",
                "is_active": "TRUE",
                "date_joined": "now()",
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), "
                "(SELECT MAX(id) FROM accounts_user))"
            )
        n_reg, n_post = len(regencies), len(posts)
        assisted = "i % 50 = 0"
        base._fill(
            Registration,
            f"generate_series(1, {total}) AS s(i) JOIN bench_regency g ON g.idx = i % {n_reg} "
            f"JOIN bench_post p ON p.idx = i % {n_post}",
            {
                "reference": "'PJ-' || lpad(to_hex(i), 9, '0')",
                "programme_id": str(programme.pk),
                "user_id": f"{base_id} + i",
                "status": "'submitted'",
                "domicile_regency_id": "g.code",
                "phone": (
                    "'+62812' || lpad(CAST(CASE WHEN i % 1000 < 3 THEN i / 1000 ELSE "
                    "10000000 + i END AS TEXT), 8, '0')"
                ),
                "email": (
                    "CASE WHEN i % 2000 < 4 THEN 'bersama' || (i / 2000) || '@contoh.id' "
                    "WHEN i % 3 = 0 THEN 'p' || i || '@contoh.id' ELSE '' END"
                ),
                "address": (
                    "'Jl. Contoh ' || CASE WHEN i % 5000 < 6 THEN 'Bersama ' || (i / 5000) "
                    "ELSE CAST(i AS TEXT) END"
                ),
                "employment_status": "'laid_off'",
                "channel": f"CASE WHEN {assisted} THEN 'post' ELSE 'online' END",
                "assisted_post_id": f"CASE WHEN {assisted} THEN p.id ELSE NULL END",
                "assisted_by_id": (
                    f"CASE WHEN {assisted} THEN {base_id} + {total} + 1 + (i % {officers}) "
                    "ELSE NULL END"
                ),
                "created_at": "now()",
                "updated_at": "now()",
                "submitted_at": (
                    "date_trunc('day', now()) - (CASE WHEN i % 5000 < 6 THEN 0 ELSE i % 30 END)"
                    " * interval '1 day' + "
                    "CASE WHEN i % 10007 = 0 THEN interval '15 hours' ELSE interval '3 hours' "
                    "END"
                ),
            },
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_registration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=6_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    base.database_prepare()
    base.django_setup()
    from django.core.management import call_command

    call_command("assistance_posts_load", verbosity=0)
    from prakerja.fraud.models import Signal
    from prakerja.fraud.services import signals_run

    results: dict[str, Any] = {
        "machine": base.machine(),
        "registrations": args.registrations,
        "load_before": base.loadavg(),
    }
    start = time.perf_counter()
    _data(args.registrations)
    results["generate_s"] = round(time.perf_counter() - start, 1)
    print("data", results["generate_s"], "s", flush=True)
    start = time.perf_counter()
    summary = signals_run()
    results["job_s"] = round(time.perf_counter() - start, 1)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    results["signals"] = {"found": summary.found, "new": summary.new}
    results["by_kind"] = {
        kind: Signal.objects.filter(kind=kind).count()
        for kind in Signal.objects.values_list("kind", flat=True).distinct()
    }
    results["load_after"] = base.loadavg()
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
