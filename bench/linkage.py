"""Linkage benchmark: 100,000 reported workers against 1,000,000 registrants.

What it does, per database (SQLite file in a temp dir, or PostgreSQL database
``prakerja_bench_linkage``):
1. a setup process migrates, loads the regions, generates the people with
   ``prakerja.labourdata.synthetic`` (fake, well-formed NIKs; names with old spellings,
   Muhammad/Moh./M., titles and typos; some NIKs one digit off), bulk-inserts the registrants
   (``registrants_insert``) and imports the report list as a CSV through the labourdata import
   job (real code path). Nothing is committed: the data exist only for the run.
2. a fresh process then times ``linkage_run_execute`` — exact NIK links in SQL, the rest read
   as columns (``values_list`` in chunks into polars, never ORM objects), NIKs decrypted only
   for registrants sharing a blocking key with some report, Splink 5 on an in-memory DuckDB
   with blocking rules (never all pairs), links written in bulk with history, the flags set
   in two UPDATEs — and reports wall time, the peak RSS of that process (``ru_maxrss``),
   the counts per stage and precision/recall against the generator's truth.

``--population independent`` runs on ``prakerja.linkage.evaluation`` instead: a population
with KK numbers, its own naming and error model and labelled hard negatives, built
independently of the tuning generator; the job is the same, and the links are also scored per
error class and per negative type (printed as tables, and in ``--json``).

Usage: .venv/bin/python bench/linkage.py [--registrants 1000000] [--reports 100000]
       [--db sqlite,postgres] [--population tuning|independent] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "prakerja_bench_linkage"
SEED = 4


def _prepare_env(db: str, workdir: Path) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PRAKERJA_ENV": "demo"}
    env.pop("REDIS_URL", None)
    env["BENCH_WORKDIR"] = str(workdir)
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {PG_DB}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    for args in (["migrate", "--noinput"], ["regions_load"]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    return env


def _raw_insert(
    model: Any, columns: dict[str, Any], varying: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT rows with one ``executemany`` per 20,000: constant columns prepared once, the
    ``varying`` ones per row. Django's bulk_create builds a model instance and prepares every
    field of every row, which for 3 tables x 1,000,000 rows is most of the setup time."""
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    names = [*varying, *columns]
    constants = tuple(columns.values())
    placeholders = ", ".join(["%s"] * len(names))
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: executemany pays a round trip per row on PostgreSQL.
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + constants)
            return
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, [row + constants for row in rows[start : start + 20_000]])


def _defaults(model: Any, varying: list[str], now: Any) -> dict[str, Any]:
    """Every other concrete column with its default, prepared for the database once."""
    from django.db import connection

    out = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in varying:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        out[field.column] = field.get_db_prep_save(value, connection)
    return out


def registrants_bulk(people: list[Any]) -> None:
    """Users, persons and submitted registrations for ``people``, ids given here."""
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from prakerja.accounts.models import Role, User
    from prakerja.identity import crypto
    from prakerja.identity.models import Person
    from prakerja.labourdata.services import NikIndexer
    from prakerja.labourdata.synthetic import reference_for
    from prakerja.registry.models import Registration
    from prakerja.registry.services.programme import programme_default

    programme = programme_default()
    indexer = NikIndexer()
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    unusable = make_password(None)
    with transaction.atomic():
        user_cols = ["id", "username", "full_name"]
        user_defaults = _defaults(User, user_cols, now)
        user_defaults["password"] = unusable
        user_defaults["role"] = Role.APPLICANT.value
        _raw_insert(
            User,
            user_defaults,
            user_cols,
            [(i + 1, f"syn-{p.key.lower()}", p.full_name) for i, p in enumerate(people)],
        )
        with_kk = bool(people) and hasattr(people[0], "kk")
        kk_indexer = NikIndexer("kk")
        person_cols = ["id", "nik_encrypted", "nik_index"]
        if with_kk:
            # The independent population has family cards: a KK typed as the NIK is one of
            # its error classes, so the registrant's KK must be there to compare with.
            person_cols += ["kk_encrypted", "kk_index"]
        _raw_insert(
            Person,
            _defaults(Person, person_cols, now),
            person_cols,
            [
                (i + 1, crypto.encrypt(p.nik), indexer(p.nik))
                + ((crypto.encrypt(p.kk), kk_indexer(p.kk)) if with_kk else ())
                for i, p in enumerate(people)
            ],
        )
        reg_cols = [
            "id",
            "reference",
            "user_id",
            "person_id",
            "full_name",
            "birth_date",
            "gender",
            "phone",
            "domicile_regency_id",
        ]
        if with_kk:
            # ... and the applicant's "tempat kerja terakhir" (the tuning generator has none).
            reg_cols += ["kk_index", "last_employer"]
        reg_defaults = _defaults(Registration, reg_cols, now)
        reg_defaults["programme_id"] = programme.pk
        reg_defaults["status"] = Registration.Status.SUBMITTED.value
        reg_defaults["submitted_at"] = reg_defaults["created_at"]
        _raw_insert(
            Registration,
            reg_defaults,
            reg_cols,
            [
                (
                    i + 1,
                    reference_for(p.key),
                    i + 1,
                    i + 1,
                    p.full_name,
                    p.birth_date.isoformat() if sqlite else p.birth_date,
                    p.gender,
                    "+62" + p.phone[1:],
                    p.regency_code,
                )
                + ((kk_indexer(p.kk), p.last_employer) if with_kk else ())
                for i, p in enumerate(people)
            ],
        )
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [User, Person, Registration]
            ):
                cursor.execute(statement)


def _independent_rows(reports: list[Any]) -> list[dict[str, str]]:
    """The independent set's reports as the template's cells (what an office uploads)."""
    import random

    from prakerja.labourdata.columns import WORKER_COLUMNS
    from prakerja.linkage.evaluation.population import regency_names

    rng = random.Random(SEED)
    header = {column.key: column.header for column in WORKER_COLUMNS}
    names = regency_names()
    rows = []
    for report in reports:
        regency = report.regency_code
        category = rng.choice(("PHK", "Dirumahkan"))
        rows.append(
            {
                header["nik"]: report.nik,
                header["full_name"]: report.full_name,
                header["birth_date"]: report.birth_date.strftime("%d/%m/%Y"),
                header["gender"]: report.gender,
                header["category"]: "PMI" if report.migrant else category,
                header["migrant_reason"]: "Kontrak Selesai" if report.migrant else "",
                header["company"]: report.company,
                header["regency"]: names.get(regency, regency) if rng.random() < 0.8 else regency,
                header["report_date"]: "16/04/2020",
                header["phone"]: report.phone,
            }
        )
    return rows


def _setup(registrants: int, reports: int, population: str) -> dict[str, object]:
    """Child process 1: the data (not timed as linkage)."""
    import io

    import django

    django.setup()
    from prakerja.accounts.models import Role, User
    from prakerja.labourdata import synthetic
    from prakerja.labourdata.services import import_batch_process, import_batch_upload

    workdir = Path(os.environ["BENCH_WORKDIR"])
    started = time.perf_counter()
    path = workdir / "laporan.csv"
    if population == "independent":
        from prakerja.linkage.evaluation import population as evaluation

        dataset = evaluation.build(registrants, reports, seed=SEED)
        generated_s = time.perf_counter() - started
        started = time.perf_counter()
        registrants_bulk(dataset.registrants)
        insert_s = time.perf_counter() - started
        from prakerja.linkage.evaluation.reviewable import evidence_by_report

        rows = {str(i + 2): report for i, report in enumerate(dataset.reports)}
        truth = {row: r.truth_key for row, r in rows.items() if r.truth_key is not None}
        evidence = evidence_by_report(dataset)
        (workdir / "labels.json").write_text(
            json.dumps(
                {
                    "labels": {row: r.label for row, r in rows.items()},
                    "phone": {row: bool(r.phone) for row, r in rows.items()},
                    "evidence": {str(i + 2): kind for i, kind in evidence.items()},
                }
            )
        )
        synthetic.csv_write(path, _independent_rows(dataset.reports))
        del dataset
    else:
        others = reports  # enough unregistered people for the reports not about registrants
        people = synthetic.population(registrants + others, seed=SEED)
        scenario = synthetic.scenario_build(
            registrants=people[:registrants],
            others=people[registrants:],
            reports=reports,
            registered_share=0.6,
            nik_typo_rate=0.05,
            seed=SEED,
        )
        generated_s = time.perf_counter() - started
        started = time.perf_counter()
        registrants_bulk(people[:registrants])
        insert_s = time.perf_counter() - started
        truth = {str(row): key for row, key in scenario.truth.items() if key is not None}
        synthetic.csv_write(path, scenario.rows)
        del people
    (workdir / "truth.json").write_text(json.dumps(truth))
    officer, _created = User.objects.get_or_create(
        username="bench-data", defaults={"role": Role.DATA_OFFICER}
    )
    started = time.perf_counter()
    upload = import_batch_upload(
        actor=officer,
        kind="workers",
        source="regency_disnaker",
        name=path.name,
        upload=io.BytesIO(path.read_bytes()),
    )
    batch = import_batch_process(batch_id=upload.batch.pk)
    import_s = time.perf_counter() - started
    return {
        "generate_s": round(generated_s, 1),
        "registrants_insert_s": round(insert_s, 1),
        "import_s": round(import_s, 1),
        "import_status": batch.status,
        "reports_accepted": batch.rows_accepted,
        "reports_rejected": batch.rows_rejected,
        "reports_duplicate": batch.rows_duplicate,
    }


def _time_stages() -> dict[str, float]:
    """Wrap the job's stages to time each one (the job itself is unchanged)."""
    import functools

    from prakerja.linkage import matching
    from prakerja.linkage.services import runs

    seconds: dict[str, float] = {}

    def timed(module: Any, name: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

        setattr(module, name, wrapper)

    for name in (
        "_link_exact_nik",
        "load_reports_frame",
        "load_registrants_frame",
        "registration_flags_refresh",
        "jps_cases_open_for_all_batches",
        "_history_insert",
    ):
        timed(runs, name)
    for name in ("prepare_frame", "candidate_filter", "match_frames", "match_with_candidates"):
        timed(matching, name)
    dump = os.environ.get("BENCH_DUMP")
    if dump:
        # Keep the frames the model sees, to try a rule on them without a new setup.
        from prakerja.linkage.matching import frames

        original_match = frames.match_frames

        def keeping(reports: Any, registrants: Any, **kwargs: Any) -> Any:
            Path(dump).mkdir(parents=True, exist_ok=True)
            reports.write_parquet(Path(dump) / "reports.parquet")
            registrants.write_parquet(Path(dump) / "registrants.parquet")
            return original_match(reports, registrants, **kwargs)

        frames.match_frames = keeping
    return seconds


def _link() -> dict[str, object]:
    """Child process 2: the linkage job alone, so its peak memory is its own."""
    import django

    django.setup()
    from prakerja.labourdata.models import WorkerReport
    from prakerja.labourdata.synthetic import reference_for
    from prakerja.linkage.models import Link, LinkageRun
    from prakerja.linkage.quality import measure
    from prakerja.linkage.services.runs import linkage_run_execute
    from prakerja.registry.models import Registration

    stages = _time_stages()
    workdir = Path(os.environ["BENCH_WORKDIR"])
    if os.environ.get("BENCH_RESET"):
        # Re-running on kept data (--keep): start from no links at all.
        Link.history.all().delete()
        Link.objects.all().delete()
        LinkageRun.objects.all().delete()
        Registration.objects.filter(reported_by_disnaker=True).update(reported_by_disnaker=False)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = LinkageRun.objects.create()
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        run = linkage_run_execute(run_id=run.pk)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumtime").print_stats(40)
    else:
        run = linkage_run_execute(run_id=run.pk)
    link_s = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    truth_keys = json.loads((workdir / "truth.json").read_text())
    truth = {(int(row), reference_for(key)) for row, key in truth_keys.items()}
    row_of = dict(WorkerReport.objects.values_list("worker_id", "row_number"))
    active = Link.objects.filter(status__in=Link.ACTIVE).values_list(
        "worker_id", "registration__reference"
    )
    predicted = {(row_of[w], ref) for w, ref in active.iterator(chunk_size=20000)}
    pending = Link.objects.filter(status=Link.Status.PENDING).values_list(
        "worker_id", "registration__reference", "evidence"
    )
    why = {(row_of[w], ref): (ev or {}).get("_review_reason", "") for w, ref, ev in pending}
    review = set(why)
    result = measure(predicted, truth)
    if os.environ.get("BENCH_DUMP"):
        from prakerja.registry.models import Registration as Reg

        exact = Link.objects.filter(method=Link.Method.EXACT_NIK).values_list(
            "worker_id", "registration__reference"
        )
        (Path(os.environ["BENCH_DUMP"]) / "ids.json").write_text(
            json.dumps(
                {
                    "row_of": {str(w): r for w, r in row_of.items()},
                    "ref_of": {
                        str(i): ref for i, ref in Reg.objects.values_list("pk", "reference")
                    },
                    "exact": [[row_of[w], ref] for w, ref in exact],
                    "truth": truth_keys,
                    "labels": json.loads((workdir / "labels.json").read_text()),
                }
            )
        )
    with_review = measure(predicted | (review & truth), truth)
    evaluation_figures = None
    labels_path = workdir / "labels.json"
    if labels_path.exists():
        from prakerja.linkage.evaluation.scoring import score

        saved = json.loads(labels_path.read_text())
        evaluation_figures = score(
            truth={
                int(row): truth_keys.get(row) and reference_for(truth_keys[row])
                for row in saved["labels"]
            },
            labels={int(row): label for row, label in saved["labels"].items()},
            phone={int(row): present for row, present in saved["phone"].items()},
            evidence={int(row): kind for row, kind in saved.get("evidence", {}).items()} or None,
            auto=predicted,
            review=review,
        ).figures
        evaluation_figures["missed"] = _missed(truth, predicted, why, saved)
    return {
        "link_s": round(link_s, 1),
        "stages_s": {name: round(seconds, 1) for name, seconds in stages.items()},
        "peak_rss_mb": round(peak / 1024),
        "rss_before_mb": round(rss_before / 1024),
        "status": run.status,
        "workers_considered_by_splink": run.workers_considered,
        "exact_links": run.exact_links,
        "auto_links": run.auto_links,
        "review_pairs": run.review_pairs,
        "true_pairs": result.true_pairs,
        "precision": round(result.precision, 4),
        "recall": round(result.recall, 4),
        "recall_if_reviewers_accept_true_pairs": round(with_review.recall, 4),
        "review_pairs_true": len(review & truth),
        "registrants_flagged": Registration.objects.filter(reported_by_disnaker=True).count(),
        "evaluation": evaluation_figures,
    }


def _missed(
    truth: set[tuple[int, str]],
    auto: set[tuple[int, str]],
    why: dict[tuple[int, str], str],
    saved: dict[str, Any],
) -> dict[str, dict[str, int]]:
    """True pairs not linked automatically, counted per error class by the reason the job gave
    (the pending link's ``_review_reason``; "not proposed" when no link was made) and by
    whether a reviewer could link them (``reviewable``): aggregates only."""
    out: dict[str, dict[str, int]] = {}
    for pair in sorted(truth - auto):
        row = str(pair[0])
        kind = "linkable" if saved.get("evidence", {}).get(row, "x") else "indistinguishable"
        reason = why.get(pair, "not proposed") or "?"
        per = out.setdefault(saved["labels"][row], {})
        per[f"{kind}: {reason}"] = per.get(f"{kind}: {reason}", 0) + 1
    return dict(sorted(out.items()))


def _child(env: dict[str, str], *args: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, __file__, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if os.environ.get("BENCH_PROFILE"):
        print(completed.stderr[-20000:], file=sys.stderr)
    if completed.returncode != 0:
        print(completed.stdout[-5000:], completed.stderr[-5000:], file=sys.stderr)
        raise SystemExit(f"child {args[0]} failed")
    figures: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--population",
        choices=["tuning", "independent"],
        default="tuning",
        help="tuning: labourdata.synthetic (what the matching was tuned on); independent: "
        "linkage.evaluation (own names and error model, hard negatives, scored per class)",
    )
    parser.add_argument(
        "--registrants", type=int, help="default 1,000,000 (tuning) or 200,000 (independent)"
    )
    parser.add_argument(
        "--reports", type=int, help="default 100,000 (tuning) or 20,000 (independent)"
    )
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument(
        "--keep",
        type=Path,
        help="SQLite only: keep the prepared data in this folder and reuse it on the next run",
    )
    parser.add_argument("--child", choices=["setup", "link"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    independent = args.population == "independent"
    if args.registrants is None:
        args.registrants = 200_000 if independent else 1_000_000
    if args.reports is None:
        args.reports = 20_000 if independent else 100_000
    if args.child:
        sys.path.insert(0, str(ROOT))
        if args.child == "setup":
            print(json.dumps(_setup(args.registrants, args.reports, args.population)))
        else:
            print(json.dumps(_link()))
        return
    sizes = [
        "--registrants",
        str(args.registrants),
        "--reports",
        str(args.reports),
        "--population",
        args.population,
    ]
    results: dict[str, object] = {"population": args.population, "sizes": sizes[:4]}
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        prepared = (args.keep / "bench.sqlite3").exists()
        if prepared:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PRAKERJA_ENV": "demo",
                "BENCH_WORKDIR": str(args.keep),
                "DATABASE_URL": f"sqlite:///{args.keep / 'bench.sqlite3'}",
                "BENCH_RESET": "1",
            }
        else:
            env = _prepare_env("sqlite", args.keep)
            print("sqlite setup", json.dumps(_child(env, "--child", "setup", *sizes)), flush=True)
        figures = _child(env, "--child", "link", *sizes)
        print("sqlite link", json.dumps(figures), flush=True)
        _report(figures)
        results["sqlite"] = figures
        _write(args.json, results)
        return
    for db in args.db.split(","):
        with tempfile.TemporaryDirectory(prefix="linkage-bench-") as tmp:
            env = _prepare_env(db, Path(tmp))
            setup = _child(env, "--child", "setup", *sizes)
            print(db, "setup", json.dumps(setup), flush=True)
            with open("/proc/loadavg") as handle:
                load_before = handle.read().split()[:3]
            figures = _child(env, "--child", "link", *sizes)
            with open("/proc/loadavg") as handle:
                figures["load_before"] = load_before
                figures["load_after"] = handle.read().split()[:3]
            print(db, "link", json.dumps(figures), flush=True)
            _report(figures)
            results[db] = {"setup": setup, "link": figures}
        if db == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    _write(args.json, results)


def _report(figures: dict[str, object]) -> None:
    """The independent set's score as tables (the JSON line above has the same figures)."""
    evaluation = figures.get("evaluation")
    if evaluation:
        sys.path.insert(0, str(ROOT))
        from prakerja.linkage.evaluation.scoring import Score

        print(Score(evaluation).table(), flush=True)  # type: ignore[arg-type]


def _write(path: Path | None, results: dict[str, object]) -> None:
    if path is not None:
        path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
