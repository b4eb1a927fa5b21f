"""The parallel plan of the selection (PostgreSQL).

One INSERT … SELECT runs in a single process on PostgreSQL 15: one core works while the other
idles (figures: ``bench/README.md``, "Figures moved out of the code"). The parallel plan uses
both (issue 5):

1. on a helper connection, ``CREATE UNLOGGED TABLE … AS`` the input after the KK cap
   (``stage_sql``), with parallel workers for the scans, joins and the KK sort;
2. the partitions of the regency ranking split into ranges of about equal row counts
   (``part_ranges``), each ranked and stored by its own ``INSERT … SELECT`` on its own
   connection, at the same time (``half_sql``), each returning its fingerprint rows;
3. the stage dropped, the hashes from the returned rows.

Same rows, same hashes as the single statement: a partition's ranks depend only on its own
rows, the KK cap is decided once over all rows before the split. The inserts commit on their
own connections, so all-or-nothing is kept by hand: any failure cancels the other parts,
deletes every row of the run and drops the stage before the error goes up; the caller marks
the run failed. The run row stays locked (FOR UPDATE) by the caller's transaction all along,
so a second worker on the same run waits, then finds it done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.db import connections as db_connections
from django.db.backends.base.base import BaseDatabaseWrapper

from prakerja.waves.selection import (
    WORK_MEM,
    Weights,
    half_sql,
    hashes_from_rows,
    part_ranges,
    stage_sql,
)
from prakerja.waves.sqlnames import RESULT_TABLE

logger = logging.getLogger(__name__)


class SelectionAbandoned(Exception):
    """A part of the parallel plan not started because another part had failed."""


def connections_for_run() -> int:
    """How many connections the job uses: ``SELECTION_CONNECTIONS`` on PostgreSQL outside an
    outer transaction (the parts commit on their own connections, which an outer transaction,
    e.g. a test's, could neither see into nor roll back), else 1 (the single statement)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(settings.SELECTION_CONNECTIONS))


def stage_name(run_id: int) -> str:
    return f"waves_selection_stage_{int(run_id)}"


def _helper_open(run_id: int) -> BaseDatabaseWrapper:
    """A connection of its own (autocommit) for one part of the plan, with the job's sort
    memory; closed by the caller."""
    # Not through a transaction-mode pooler: these are real sessions (SELECTION_DATABASE_ALIAS).
    # Nor from the app's pool of connections (DATABASE_POOL_SIZE): a session of its own, whose
    # settings go with it when it closes and whose backend can be cancelled.
    helper = db_connections.create_connection(settings.SELECTION_DATABASE_ALIAS)
    options = {k: v for k, v in helper.settings_dict.get("OPTIONS", {}).items() if k != "pool"}
    helper.settings_dict = {**helper.settings_dict, "OPTIONS": options}
    with helper.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{WORK_MEM}'", [])
        # Derived data, recomputable from the frozen inputs and the seed (see results_insert).
        cursor.execute("SET synchronous_commit = off", [])
        cursor.execute(
            "SELECT set_config('application_name', %s, false)", [f"prakerja selection {run_id}"]
        )
    return helper


def _backend_pid(helper: BaseDatabaseWrapper) -> int:
    with helper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()", [])
        row = cursor.fetchone()
    return int(row[0])


def stage_create(
    *,
    helper: BaseDatabaseWrapper,
    run_id: int,
    wave_id: int,
    seed: str,
    weights: Weights,
    kk_cap: int,
) -> list[tuple[int, int]]:
    """Delete what an interrupted attempt of the run left, build the stage; returns the
    row count of each ranking partition."""
    stage = stage_name(run_id)
    with helper.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RESULT_TABLE} WHERE run_id = %s", [run_id])  # noqa: S608
        cursor.execute(f"DROP TABLE IF EXISTS {stage}", [])
        cursor.execute(
            stage_sql(stage=stage, seed=seed, weights=weights, kk_cap=kk_cap),
            [wave_id, wave_id, wave_id],
        )
        cursor.execute(f"SELECT part, COUNT(*) FROM {stage} GROUP BY part", [])  # noqa: S608
        return [(int(part), int(rows)) for part, rows in cursor.fetchall()]


def part_store(
    *,
    helper: BaseDatabaseWrapper,
    run_id: int,
    low: int | None,
    high: int | None,
    permille: int,
) -> list[tuple[Any, ...]]:
    """Rank and store one range of partitions (its own transaction); its fingerprint rows."""
    with helper.cursor() as cursor:
        cursor.execute(
            half_sql(stage=stage_name(run_id), low=low, high=high, permille=permille), [run_id]
        )
        return [tuple(row) for row in cursor.fetchall()]


def parts_store(
    *,
    helper: BaseDatabaseWrapper,
    run_id: int,
    ranges: Sequence[tuple[int | None, int | None]],
    permille: int,
) -> list[tuple[Any, ...]]:
    """Run ``part_store`` for every range at once: the first on ``helper`` in this thread, the
    others each on a connection of its own in a thread. The first failure cancels the
    statements still running (``pg_cancel_backend``) and is raised once all have stopped."""
    lock = threading.Lock()
    pids: dict[int, int] = {0: _backend_pid(helper)}
    failures: list[BaseException] = []
    results: dict[int, list[tuple[Any, ...]]] = {}
    failed = threading.Event()

    def failure(index: int, exc: BaseException, via: BaseDatabaseWrapper | None) -> None:
        with lock:
            failures.append(exc)
            others = [pid for i, pid in pids.items() if i != index]
        failed.set()
        if via is None or not others:
            return
        try:
            with via.cursor() as cursor:
                cursor.execute("SELECT pg_cancel_backend(pid) FROM unnest(%s) AS pid", [others])
        except Exception:
            logger.warning("selection run %s: could not cancel the other parts", run_id)

    def run(index: int, on: BaseDatabaseWrapper) -> None:
        if failed.is_set():
            raise SelectionAbandoned
        low, high = ranges[index]
        results[index] = part_store(helper=on, run_id=run_id, low=low, high=high, permille=permille)

    def worker(index: int) -> None:
        own: BaseDatabaseWrapper | None = None
        try:
            own = _helper_open(run_id)
            pid = _backend_pid(own)
            with lock:
                pids[index] = pid
            run(index, own)
        except BaseException as exc:  # handed to the caller's thread
            failure(index, exc, own)
        finally:
            if own is not None:
                own.close()

    threads = [
        threading.Thread(target=worker, args=(i,), name=f"selection-{run_id}-{i}")
        for i in range(1, len(ranges))
    ]
    for thread in threads:
        thread.start()
    try:
        run(0, helper)
    except BaseException as exc:  # raised below, after the others stopped
        failure(0, exc, helper)
    for thread in threads:
        thread.join()
    if failures:
        # The first failure is the cause; the others are its cancellations.
        raise failures[0]
    return [row for index in sorted(results) for row in results[index]]


def stage_drop(*, run_id: int, helper: BaseDatabaseWrapper | None, discard: bool) -> None:
    """Drop the stage and, with ``discard``, delete every stored row of the run. On
    ``helper`` if it still works, else on a fresh connection."""
    statements = [
        *([f"DELETE FROM {RESULT_TABLE} WHERE run_id = %s"] if discard else []),  # noqa: S608
        f"DROP TABLE IF EXISTS {stage_name(run_id)}",
    ]
    for attempt in ("helper", "fresh"):
        on = helper if attempt == "helper" and helper is not None else None
        fresh = on is None
        try:
            if fresh:
                on = _helper_open(run_id)
            assert on is not None
            with on.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement, [run_id] if "%s" in statement else [])
            return
        except Exception:
            if attempt == "fresh":
                raise
            logger.warning("selection run %s: cleaning up on a fresh connection", run_id)
        finally:
            if fresh and on is not None:
                on.close()


def results_store_parallel(
    *,
    run_id: int,
    wave_id: int,
    seed: str,
    weights: Weights,
    kk_cap: int,
    permille: int,
    parameters: dict[str, Any],
    connections: int,
) -> tuple[str, str]:
    """The parallel plan (see above), on ``connections`` connections of its own; returns the
    (input hash, result hash). Call with the run locked by the caller's transaction; the
    stored rows are committed when this returns. On failure nothing of the run is left."""
    helper = _helper_open(run_id)
    discard = True
    try:
        counts = stage_create(
            helper=helper,
            run_id=run_id,
            wave_id=wave_id,
            seed=seed,
            weights=weights,
            kk_cap=kk_cap,
        )
        ranges = part_ranges(counts, connections)
        rows = parts_store(helper=helper, run_id=run_id, ranges=ranges, permille=permille)
        discard = False
    finally:
        try:
            stage_drop(run_id=run_id, helper=helper, discard=discard)
        finally:
            helper.close()
    return hashes_from_rows(parameters, rows)


def results_discard(*, run_id: int) -> None:
    """Delete every stored row of a run and its stage, committed (the parallel plan's rows
    are committed by their own connections: a rollback of the caller does not undo them)."""
    stage_drop(run_id=run_id, helper=None, discard=True)
