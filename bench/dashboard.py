"""Benchmark of issue 16's leaders' dashboard (PostgreSQL only): with N registrations, the
refresh of the daily counts (full, then incremental) and the page's latency (goal: p99 under
300 ms at 6,000,000).

Generated at each run with ``INSERT … SELECT`` from ``generate_series`` in the database
``prakerja_bench_dashboard`` (never committed): N applicant accounts (95 % with a verified
phone) and N registrations spread over the last 90 WIB days and East Java's 38 regencies
(97 % online, 2 % at 50 posts, 1 % by the call centre; 96 % sent, 80 % tested), half of them
joined to a wave, and one assistance visit per post registration. Then:

1. ``daily_counts_refresh(full=True)``, timed (the first run, and the nightly rebuild);
2. 1,000 registrations more, sent now, and ``daily_counts_refresh()`` (the hourly job), timed;
3. ``--requests`` GETs of /laporan/dasbor/ as a signed-in viewer through Django's test client
   (the whole middleware stack, in this process), for the default four weeks and for all 90
   days, after 5 warm-up requests; p50/p99 in ms.

    .venv/bin/python bench/dashboard.py --registrations 6000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path
from typing import Any

# Run as a script, bench/ is first on the path: the enrolment benchmark's helpers import as
# the module ``enrolment`` (mypy sees the same name).
import enrolment as base

base.PG_DB = "prakerja_bench_dashboard"
base.PG_URL = f"postgres://postgres@127.0.0.1:5432/{base.PG_DB}"

DAYS = 90


def _data(total: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from prakerja.accounts.models import User
    from prakerja.assistance.models import AssistanceVisit, Post
    from prakerja.registry.models import Programme, Registration
    from prakerja.waves.models import Wave, WaveEntry

    programme = Programme.objects.order_by("pk").first()
    assert programme is not None
    posts = list(Post.objects.order_by("pk").values_list("pk", flat=True)[:50])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE reports_dailycount, reports_quotafill, reports_refreshstate, "
                "assistance_assistancevisit, waves_wave, waves_waveentry, "
                "waves_historicalwaveentry, registry_registration CASCADE"
            )
            cursor.execute(
                "DELETE FROM mfa_authenticator WHERE user_id IN "
                "(SELECT id FROM accounts_user WHERE username LIKE 'bench-%%')"
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
            cursor.execute(
                "CREATE TEMP TABLE bench_post AS SELECT row_number() OVER (ORDER BY id) - 1 "
                "AS idx, id, regency_id AS regency FROM assistance_post WHERE id = ANY(%s)",
                [posts],
            )
        officers = len(posts)
        # Registration i is sent on day (i % 90) back from today, at 07:00 + (i % 600) min WIB.
        sent = (
            f"(date_trunc('day', now() AT TIME ZONE 'Asia/Jakarta') - (i % {DAYS}) * "
            "interval '1 day' + interval '7 hours' + (i % 600) * interval '1 minute') "
            "AT TIME ZONE 'Asia/Jakarta'"
        )
        base._fill(
            User,
            f"generate_series(1, {total + officers}) AS s(i)",
            {
                "id": f"{base_id} + i",
                "username": "'bench-' || i",
                "password": "'!'",
                "role": f"CASE WHEN i > {total} THEN 'officer' ELSE 'applicant' END",
                "post_id": (
                    f"CASE WHEN i > {total} THEN (SELECT id FROM bench_post "
                    f"WHERE idx = i - {total} - 1) ELSE NULL END"
                ),
                "is_active": "TRUE",
                "date_joined": "now()",
                "phone_verified_at": (
                    f"CASE WHEN i <= {total} AND i % 20 <> 0 THEN {sent} - interval '20 minutes'"
                    " ELSE NULL END"
                ),
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), "
                "(SELECT MAX(id) FROM accounts_user))"
            )
        n_reg, n_post = len(regencies), len(posts)
        base._fill(
            Registration,
            f"generate_series(1, {total}) AS s(i) JOIN bench_regency g ON g.idx = i % {n_reg} "
            f"JOIN bench_post p ON p.idx = (i / 100) % {n_post}",
            {
                "id": "i",
                "reference": "'PJ-' || lpad(to_hex(i), 9, '0')",
                "programme_id": str(programme.pk),
                "user_id": f"{base_id} + i",
                "status": "CASE WHEN i % 25 = 0 THEN 'draft' ELSE 'submitted' END",
                # Walk-ins live in the post's regency; the others anywhere.
                "domicile_regency_id": "CASE WHEN i % 100 IN (1, 2) THEN p.regency ELSE g.code END",
                "employment_status": "'laid_off'",
                "channel": (
                    "CASE WHEN i % 100 IN (1, 2) THEN 'post' WHEN i % 100 = 3 THEN "
                    "'callcentre' ELSE 'online' END"
                ),
                "assisted_post_id": "CASE WHEN i % 100 IN (1, 2) THEN p.id ELSE NULL END",
                "assisted_by_id": (
                    f"CASE WHEN i % 100 IN (1, 2) THEN {base_id} + {total} + 1 + "
                    f"(i / 100) % {n_post} ELSE NULL END"
                ),
                "created_at": f"{sent} - interval '15 minutes'",
                "updated_at": sent,
                "submitted_at": f"CASE WHEN i % 25 = 0 THEN NULL ELSE {sent} END",
                "test_completed_at": (
                    f"CASE WHEN i % 25 <> 0 AND i % 5 <> 0 THEN {sent} + interval '2 hours' "
                    "ELSE NULL END"
                ),
            },
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('registry_registration', 'id'), {total})"
            )
        now = timezone.now()
        wave = Wave.objects.create(
            programme=programme,
            number=90,
            name="Gelombang uji",
            opens_at=now - dt.timedelta(days=DAYS),
            closes_at=now,
            total_quota=1,
        )
        base._fill(
            WaveEntry,
            f"generate_series(2, {total}, 2) AS s(i)",
            {
                "wave_id": str(wave.pk),
                "registration_id": "i",
                "status": "'joined'",
                "joined_at": f"{sent} + interval '1 day'",
            },
        )
        base._fill(
            AssistanceVisit,
            f"generate_series(1, {total}) AS s(i) JOIN bench_post p ON p.idx = (i / 100) % "
            f"{n_post} WHERE i % 100 IN (1, 2)",
            {
                "post_id": "p.id",
                "officer_id": f"{base_id} + {total} + 1 + (i / 100) % {n_post}",
                "registration_id": "i",
                "services": "'[\"registration\"]'",
                "created_at": sent,
            },
        )
        with connection.cursor() as cursor:
            for table in (
                "accounts_user",
                "registry_registration",
                "waves_waveentry",
                "assistance_assistancevisit",
            ):
                cursor.execute(f"ANALYZE {table}")


def _more(count: int) -> None:
    """``count`` registrations sent now (the next hour's arrivals)."""
    from django.db import connection
    from django.utils import timezone

    from prakerja.accounts.models import Role, User
    from prakerja.registry.models import Programme, Registration

    programme = Programme.objects.order_by("pk").first()
    users = User.objects.bulk_create(
        [User(username=f"bench-new-{n}", role=Role.APPLICANT) for n in range(count)]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM registry_registration")
        top = int(cursor.fetchone()[0])
    now = timezone.now()
    Registration.objects.bulk_create(
        [
            Registration(
                reference=f"PJ-N{top + n:08d}",
                programme=programme,
                user=user,
                status=Registration.Status.SUBMITTED,
                domicile_regency_id="3578",
                submitted_at=now,
            )
            for n, user in enumerate(users)
        ]
    )


def _latency(path: str, query: dict[str, str], requests: int) -> dict[str, float]:
    from django.test import Client

    from prakerja.accounts.models import Role
    from prakerja.accounts.testing import make_user

    client = Client()
    client.force_login(make_user(role=Role.VIEWER, username=f"bench-viewer-{time.monotonic_ns()}"))
    for _ in range(5):
        assert client.get(path, query).status_code == 200
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path, query)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(base._percentile(times, 0.99), 1),
        "max_ms": round(times[-1], 1),
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=6_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-public", dest="public", action="store_false")
    args = parser.parse_args()
    base.database_prepare()
    base.django_setup()
    from django.core.management import call_command

    call_command("assistance_posts_load", verbosity=0)
    from django.utils import timezone

    from prakerja.reports.models import DailyCount
    from prakerja.reports.refresh import daily_counts_refresh

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
    summary = daily_counts_refresh(full=True)
    results["refresh_full_s"] = round(time.perf_counter() - start, 1)
    results["dailycount_rows"] = summary.rows
    results["days"] = summary.days
    print("full refresh", results["refresh_full_s"], "s", summary, flush=True)
    _more(1000)
    start = time.perf_counter()
    summary = daily_counts_refresh()
    results["refresh_incremental_s"] = round(time.perf_counter() - start, 1)
    results["incremental_days"] = summary.days
    print("incremental refresh", results["refresh_incremental_s"], "s", summary, flush=True)
    today = timezone.localdate()
    first = DailyCount.objects.order_by("day").values_list("day", flat=True).first()
    results["latency_default_28_days"] = _latency("/laporan/dasbor/", {}, args.requests)
    print("28 days", results["latency_default_28_days"], flush=True)
    results["latency_all_days"] = _latency(
        "/laporan/dasbor/", {"dari": str(first), "sampai": str(today)}, args.requests
    )
    print("all days", results["latency_all_days"], flush=True)
    if args.public:
        results["latency_public"] = _latency("/statistik/", {}, args.requests)
        print("public", results["latency_public"], flush=True)
    results["load_after"] = base.loadavg()
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
