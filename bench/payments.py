"""Benchmark of issue 15's payments (PostgreSQL only): the due-instalment job for N
participants, a batch of M lines and its bank file, and the reconciliation of an M-line bank
result file. Bar (issue 15): each step under 60 s at N = 1,000,000 and M = 500,000.

Data, generated at each run with ``INSERT … SELECT`` from ``generate_series`` (never committed),
in the database ``prakerja_bench_payments``: N selected participants over East Java's 38
regencies (``bench/enrolment.py``'s population), each with one course completed in the last
``--spread-days`` (30: the first of the four monthly instalments is due, three are scheduled;
100: one to four are due), and M of them with a checked bank
account (encrypted: a pool of 1,000 real ciphertexts; a distinct blind index each). Then, each
timed through the services the pages call:

1. ``instalments_make_due`` (every rule, every participant; the first run after completion);
2. ``batch_build`` (one batch of every ready instalment: the M participants' first ones) and
   ``batch_approve`` by a second officer;
3. ``batch_export`` of the bank file;
4. ``result_import`` of the bank's result file: every line paid but 1 % failed.

Reported: seconds, the process's peak RSS, PostgreSQL backend CPU, rows, and the ledger check.

    .venv/bin/python bench/payments.py --participants 1000000 --lines 500000
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

base.PG_DB = "prakerja_bench_payments"
base.PG_URL = f"postgres://postgres@127.0.0.1:5432/{base.PG_DB}"
REGENCIES_SQL = "SELECT code FROM regions_regency WHERE province_id = '35' ORDER BY code"


def _backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend (from /proc, as the other benches)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(name: str, results: dict[str, Any], call: Any) -> Any:
    cpu = _backend_cpu()
    start = time.perf_counter()
    value = call()
    results[name] = {
        "seconds": round(time.perf_counter() - start, 2),
        "postgres_cpu_s": round(_backend_cpu() - cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(name, results[name], flush=True)
    return value


def _truncate() -> None:
    from django.db import connection

    base.truncate()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE payments_paymentmovement, payments_paymentline, payments_resultimport, "
            "payments_historicalpaymentbatch, payments_paymentbatch, payments_instalment, "
            "payments_historicalpaymentaccount, payments_paymentaccount, "
            "payments_accountrefusal, payments_changecode, payments_surveyresponse CASCADE"
        )
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE 'bench-treasury-%%'")


def _data(participants: int, lines: int, spread_days: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from prakerja.enrolment.models import Enrolment
    from prakerja.identity import crypto
    from prakerja.payments.models import PaymentAccount

    with connection.cursor() as cursor:
        cursor.execute(REGENCIES_SQL)
        regencies = [row[0] for row in cursor.fetchall()]
    made = base.population(selected=participants, waiting=0, enrol_by_days=5, regencies=regencies)
    (batch_id,) = base.batches_make(count=1, seats=participants)
    pool = [crypto.encrypt(f"{1_000_000_000 + k}") for k in range(1000)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_token (k int PRIMARY KEY, token text)")
            cursor.executemany("INSERT INTO bench_token VALUES (%s, %s)", list(enumerate(pool)))
        series = f"generate_series(1, {participants}) AS s(i)"
        base._fill(
            Enrolment,
            series,
            {
                "participant_id": "i",
                "batch_id": str(batch_id),
                "price": "500000",
                "status": "'completed'",
                "enrolled_at": "now() - interval '120 days'",
                "attendance_percent": "90",
                "final_score": "80",
                "completed_at": f"now() - (i % {spread_days}) * interval '1 day'",
            },
        )
        base._fill(
            PaymentAccount,
            f"generate_series(1, {lines}) AS s(i) JOIN bench_token t ON t.k = i % 1000",
            {
                "participant_id": "i",
                "channel": "'bank'",
                "provider": "'002'",
                "number_encrypted": "t.token",
                "number_index": "md5('bench' || i)",
                "number_last4": "right(CAST(1000000000 + i % 1000 AS TEXT), 4)",
                "holder_name": "'Peserta Bench'",
                "name_score": "100",
                "name_check": "'matched'",
                "is_active": "TRUE",
                "created_at": "now()",
            },
        )
        with connection.cursor() as cursor:
            for table in ("enrolment_enrolment", "payments_paymentaccount"):
                cursor.execute(f"ANALYZE {table}")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument(
        "--spread-days", type=int, default=30, help="completions spread over the last N days"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    base.database_prepare()
    base.django_setup()

    from prakerja.accounts.models import Role, User
    from prakerja.payments import selectors
    from prakerja.payments.models import Instalment, PaymentLine
    from prakerja.payments.services import batches, reconciliation, schedule

    results: dict[str, Any] = {
        "machine": base.machine(),
        "participants": args.participants,
        "lines": args.lines,
        "load_before": base.loadavg(),
    }
    _truncate()
    start = time.perf_counter()
    _data(args.participants, args.lines, args.spread_days)
    results["generate_s"] = round(time.perf_counter() - start, 1)
    print("data", results["generate_s"], "s", flush=True)
    first, _ = User.objects.get_or_create(
        username="bench-treasury-1", defaults={"role": Role.TREASURY}
    )
    second, _ = User.objects.get_or_create(
        username="bench-treasury-2", defaults={"role": Role.TREASURY}
    )

    due = _timed("1 instalments_make_due", results, schedule.instalments_make_due)
    results["instalments"] = {"created": due.created, "became_due": due.became_due}
    batch = _timed("2 batch_build", results, lambda: batches.batch_build(actor=first))
    _timed(
        "2b batch_approve", results, lambda: batches.batch_approve(actor=second, batch_id=batch.pk)
    )
    results["batch"] = {"lines": batch.line_count, "total": batch.total}
    exported = _timed(
        "3 batch_export",
        results,
        lambda: batches.batch_export(actor=first, batch_id=batch.pk, layout="bank"),
    )
    results["file_mb"] = round(len(exported.content) / 1024 / 1024, 1)
    ids = list(PaymentLine.objects.filter(batch=batch).order_by("id").values_list("id", "amount"))
    rows = ["batch,line,amount,status,reason"]
    for k, (line_id, amount) in enumerate(ids):
        failed = k % 100 == 7
        status, reason = ("failed", "Rekening tidak aktif") if failed else ("paid", "")
        rows.append(f"{batch.code},{line_id},{amount},{status},{reason}")
    content = ("\n".join(rows) + "\n").encode()
    summary = _timed(
        "4 result_import",
        results,
        lambda: reconciliation.result_import(actor=first, name="hasil.csv", content=content),
    )
    results["result"] = {
        "paid": summary.paid,
        "failed": summary.failed,
        "problems": len(summary.problems),
    }
    results["ledger_mismatches"] = {k: list(v) for k, v in selectors.ledger_mismatches().items()}
    results["instalments_by_status"] = {
        status: Instalment.objects.filter(status=status).count()
        for status in Instalment.Status.values
    }
    results["load_after"] = base.loadavg()
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
