"""The selection itself: set-based SQL that runs unchanged on SQLite and PostgreSQL.

No Python loop over applicants. With the single-statement plan (SQLite; PostgreSQL with
``SELECTION_CONNECTIONS=1`` or inside an outer transaction) a run is two statements on the job's
connection (the parallel plan on PostgreSQL, same rows and hashes, is ``selection_parallel``):

1. one ``INSERT … SELECT`` into ``SelectionResult`` (``results_insert_sql``): every joined
   entry of the wave with its priority (the weights of ``WaveSettings``, as integer
   literals), its lottery number and its exclusion (not eligible, selected in an earlier
   wave, no quota for its regency); then the per-KK cap
   (``ROW_NUMBER() OVER (PARTITION BY kk …)``), then per regency the rank in the order
   ``(priority DESC, lottery, id)`` with a running count of reported workers that fills the
   reserved share first. Excluded rows are stored too, with their reason and no rank.
   For speed (issue 5) the regency ranking is one sort by a single integer key
   (partition, priority level, first lottery lane; see ``order_key_sql``), one global
   ``ROW_NUMBER``/running ``SUM`` and a per-partition subtraction, instead of a sort walking
   four keys for every comparison: the same ranks, less CPU (``bench/README.md``).
2. the hashes (``fingerprints_sql``): one GROUP BY regency over the stored rows gives, per
   regency, the count and sums of two integer fingerprints of each row, one over the
   *input* (registration id, priority, Disnaker flag, exclusion before ranking) and one over
   the *result* (rank, selected, reserved, reason). Each is fed in regency order with the
   run's parameters and seed into SHA-256: the input hash and the result hash.
   Order-independent inside a regency, so no sort of millions of rows streamed to Python.

The lottery is a function of the published seed and the registration id that uses only
integer ``+``, ``*`` and ``%`` below 2^62, so PostgreSQL, SQLite and DuckDB (the benchmark's
reference) compute the very same numbers; ``lottery_py`` is its Python twin for the tests and
for anyone auditing a published run.

The registration-test score is not read anywhere here.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from prakerja.registry.models import EmploymentStatus, Registration
from prakerja.waves.models import SelectionResult, WaveEntry
from prakerja.waves.sqlnames import (
    ENTRY_TABLE,
    QUOTA_TABLE,
    REGISTRATION_TABLE,
    RESULT_TABLE,
    literal,
)

Reason = SelectionResult.Reason

logger = logging.getLogger(__name__)

# 2^31 - 1: products of two residues stay below 2^62, inside every engine's 64-bit integer.
P = 2_147_483_647
LOTTERY_VERSION = "v1"
# Sort memory for the job's transaction (PostgreSQL): enough for the KK and the regency sorts
# of the largest waves to stay in memory; with less they spill to temp files and the run gets
# slower (measured: ``bench/README.md``). Local to the transaction, one job at a time (the run
# lock).
WORK_MEM = "2GB"
# Exclusion codes as integers for the fingerprints (strings cannot be hashed portably).
_EXCLUSION_CODES = {
    Reason.INELIGIBLE.value: 1,
    Reason.ALREADY_SELECTED.value: 2,
    Reason.NO_QUOTA.value: 3,
    Reason.KK_CAP.value: 4,
}
# Exclusions known before ranking (the KK cap is an outcome of the ranking).
_EXCLUSION_CODES_INPUT = {
    Reason.INELIGIBLE.value: 1,
    Reason.ALREADY_SELECTED.value: 2,
    Reason.NO_QUOTA.value: 3,
}
_REASON_CODES = {
    Reason.SELECTED_PRIORITY.value: 5,
    Reason.SELECTED_RESERVED.value: 6,
    Reason.QUOTA_FULL.value: 7,
    **_EXCLUSION_CODES,
}
# Fixed multipliers for the fingerprints (not secret: they only spread the values).
_FINGERPRINT_KEYS = (1_234_567_891, 2_013_265_921)


def seed_keys(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Six residues derived from the published seed, three per lane."""
    values = [
        int.from_bytes(hashlib.sha256(f"{seed}:{i}".encode()).digest()[:8], "big") % P
        for i in range(6)
    ]
    # A zero multiplier would give every applicant the same lane value.
    return (values[0] or 1, values[1], values[2]), (values[3] or 1, values[4], values[5])


def _lane_py(x: int, keys: tuple[int, int, int]) -> int:
    a, b, c = keys
    y = (x % P * a + b) % P
    return (y * y + c) % P


def lottery_py(registration_id: int, seed: str) -> int:
    """The lottery number of one registration under ``seed`` (lower draws first).

    Two lanes, each an affine map of the id modulo the prime 2^31 - 1 followed by a square
    (the non-linear step): ``((id·a + b) mod P)² + c mod P``, with a, b, c from the seed.
    The lottery is ``lane1 · P + lane2``; equal numbers (vanishingly rare) fall back to the
    registration id.
    """
    k1, k2 = seed_keys(seed)
    return _lane_py(registration_id, k1) * P + _lane_py(registration_id, k2)


def _lane_sql(expr: str, keys: tuple[int, int, int]) -> str:
    # ``%%``: every statement here is executed with a parameter list, so a literal modulo
    # is written the way both Django backends (psycopg and the SQLite "%s" → "?" rewrite) want.
    a, b, c = keys
    y = f"((CAST(({expr}) AS BIGINT) %% {P}) * {a} + {b}) %% {P}"
    return f"(({y}) * ({y}) + {c}) %% {P}"


def lottery_sql(id_expr: str, seed: str) -> str:
    k1, k2 = seed_keys(seed)
    return f"({_lane_sql(id_expr, k1)} * {P} + {_lane_sql(id_expr, k2)})"


@dataclass(frozen=True)
class Weights:
    reported_by_disnaker: int
    laid_off: int
    furloughed: int
    migrant_worker: int
    laid_off_pre_covid: int
    disability: int


def priority_py(
    *, weights: Weights, employment_status: str, reported: bool, disability: bool
) -> int:
    by_status = {
        EmploymentStatus.LAID_OFF.value: weights.laid_off,
        EmploymentStatus.FURLOUGHED.value: weights.furloughed,
        EmploymentStatus.MIGRANT_WORKER.value: weights.migrant_worker,
        EmploymentStatus.LAID_OFF_PRE_COVID.value: weights.laid_off_pre_covid,
    }
    return (
        by_status.get(employment_status, 0)
        + (weights.reported_by_disnaker if reported else 0)
        + (weights.disability if disability else 0)
    )


def priority_sql(weights: Weights, alias: str = "r") -> str:
    w = weights
    return (
        f"(CASE {alias}.employment_status"
        f" WHEN {literal(EmploymentStatus.LAID_OFF)} THEN {int(w.laid_off)}"
        f" WHEN {literal(EmploymentStatus.FURLOUGHED)} THEN {int(w.furloughed)}"
        f" WHEN {literal(EmploymentStatus.MIGRANT_WORKER)} THEN {int(w.migrant_worker)}"
        f" WHEN {literal(EmploymentStatus.LAID_OFF_PRE_COVID)} THEN {int(w.laid_off_pre_covid)}"
        " ELSE 0 END"
        f" + CASE WHEN {alias}.reported_by_disnaker THEN {int(w.reported_by_disnaker)} ELSE 0 END"
        f" + CASE WHEN {alias}.has_disability THEN {int(w.disability)} ELSE 0 END)"
    )


def order_key_sql(weights: Weights, seed: str, alias: str = "r") -> str:
    """One BIGINT below 2^36 that sorts like ``(priority DESC, lottery)`` up to ties of the
    lottery's first lane: ``level · 2^31 + lane1``, where ``level`` is the place of the
    row's priority among the (at most 20) priorities the weights can give, highest first,
    and the lottery is ``lane1 · P + lane2`` with ``lane2 < P``. Ranking by
    ``(order_key, lottery, id)`` is then the same order as by ``(priority DESC, lottery,
    id)``, but a sort decides almost every comparison on one integer."""
    w = weights
    statuses = (0, w.laid_off, w.furloughed, w.migrant_worker, w.laid_off_pre_covid)
    levels = sorted(
        {
            int(s) + (int(w.reported_by_disnaker) if rep else 0) + (int(w.disability) if dis else 0)
            for s in statuses
            for rep in (False, True)
            for dis in (False, True)
        },
        reverse=True,
    )
    whens = " ".join(f"WHEN {value} THEN {level}" for level, value in enumerate(levels))
    level = f"(CASE {priority_sql(weights, alias)} {whens} END)"
    k1, _ = seed_keys(seed)
    return f"(CAST({level} AS BIGINT) * 2147483648 + {_lane_sql(f'{alias}.id', k1)})"


def reserved_permille(share: Decimal | None) -> int:
    return 0 if share is None else int((Decimal(share) * 1000).to_integral_value())


def _code_case(column: str, codes: dict[str, int]) -> str:
    whens = " ".join(f"WHEN {literal(k)} THEN {v}" for k, v in codes.items())
    return f"(CASE {column} {whens} ELSE 0 END)"


def _square_sum(value_expr: str, key: int) -> str:
    """SUM of a non-linear fingerprint (x·k mod P)² mod P of each row's value."""
    x = f"((({value_expr}) %% {P}) * {key} %% {P})"
    return f"SUM(({x}) * ({x}) %% {P})"


def _base_sql(*, seed: str, weights: Weights, vendor: str) -> str:
    """Every joined entry of the wave with its priority, lottery, order key and exclusion
    before ranking (``%s``: wave, wave, wave). On PostgreSQL the KK key gets the "C" collation
    (see ``results_insert_sql``)."""
    c = ' COLLATE "C"' if vendor == "postgresql" else ""
    order_key = order_key_sql(weights, seed)
    submitted = literal(Registration.Status.SUBMITTED)
    ineligible = literal(Reason.INELIGIBLE)
    already_selected = literal(Reason.ALREADY_SELECTED)
    no_quota = literal(Reason.NO_QUOTA)
    return f"""
            SELECT e.registration_id AS rid,
                   r.domicile_regency_id AS regency_id,
                   -- Regency codes are digits: an integer sort key compares faster.
                   CAST(r.domicile_regency_id AS INTEGER) AS regency_no,
                   r.kk_index{c} AS kk,
                   {priority_sql(weights)} AS priority,
                   {lottery_sql("r.id", seed)} AS lottery,
                   {order_key} AS order_key,
                   CASE WHEN r.reported_by_disnaker THEN 1 ELSE 0 END AS reported,
                   q.quota,
                   CASE WHEN r.status <> {submitted} THEN {ineligible}
                        WHEN prev.registration_id IS NOT NULL THEN {already_selected}
                        WHEN q.quota IS NULL THEN {no_quota}
                   END AS excluded
            FROM {ENTRY_TABLE} e
            JOIN {REGISTRATION_TABLE} r ON r.id = e.registration_id
            LEFT JOIN {QUOTA_TABLE} q
                   ON q.wave_id = %s AND q.regency_id = r.domicile_regency_id
            LEFT JOIN (
                SELECT DISTINCT registration_id FROM {ENTRY_TABLE}
                WHERE status = {literal(WaveEntry.Status.SELECTED)} AND wave_id <> %s
            ) prev ON prev.registration_id = e.registration_id
            WHERE e.wave_id = %s AND e.status = {literal(WaveEntry.Status.JOINED)}
    """  # noqa: S608 - integers and fixed names only


# The partition of a row for the regency ranking, ``(regency, still in the running)`` as one
# integer, and above the order key (below 2^36) one integer that orders by partition, then
# priority and lottery, unique up to the lottery's second lane (regency codes have 4 digits:
# part < 20000, the key stays below 2^51). Over the columns of ``capped``.
_PART_SQL = "COALESCE(regency_no, -1) * 2 + CASE WHEN excluded IS NULL THEN 1 ELSE 0 END"
_KEYED_COLUMNS = f"""rid, regency_id, priority, lottery, reported, quota, excluded,
                   {_PART_SQL} AS part,
                   CAST({_PART_SQL} AS BIGINT) * 68719476736 + order_key AS sort_key"""


def _ranking_ctes(*, permille: int, source: str) -> str:
    """The regency ranking over ``source`` (a relation with the columns of ``_KEYED_COLUMNS``),
    as the CTEs ``running``, ``ranked``, ``flagged``. Any set of whole partitions can be ranked
    on its own: ranks and counts are per partition."""
    return f"""
        running AS (
            -- One sort of all rows by that key; ranks and the running count of reported
            -- workers over *all* partitions in a row, since each partition is a contiguous run.
            SELECT rid, regency_id, priority, lottery, reported, quota, excluded, part,
                   (CAST(quota AS BIGINT) * {int(permille)}) / 1000 AS seats_reserved,
                   ROW_NUMBER() OVER (ORDER BY sort_key, lottery, rid) AS row_all,
                   SUM(reported) OVER (ORDER BY sort_key, lottery, rid) AS cum_all
            FROM {source}
        ),
        ranked AS (
            -- Back to per-partition values: minus what came before the partition's first row.
            -- The input is already in partition order, so this sort finds it sorted.
            SELECT rid, regency_id, priority, lottery, reported, excluded, quota, seats_reserved,
                   row_all - MIN(row_all) OVER (PARTITION BY part) + 1 AS rank_all,
                   cum_all - MIN(cum_all - reported) OVER (PARTITION BY part) AS cum_reported,
                   MAX(cum_all) OVER (PARTITION BY part)
                       - MIN(cum_all - reported) OVER (PARTITION BY part) AS total_reported
            FROM running
        ),
        flagged AS (
            SELECT rid, regency_id, priority, lottery, reported, excluded, rank_all,
                   CASE WHEN reported = 1 AND cum_reported <= seats_reserved
                        THEN 1 ELSE 0 END AS is_reserved,
                   rank_all - CASE WHEN cum_reported < seats_reserved
                                   THEN cum_reported ELSE seats_reserved END AS rank_general,
                   quota - CASE WHEN total_reported < seats_reserved
                                THEN total_reported ELSE seats_reserved END AS seats_general
            FROM ranked
        )"""  # noqa: S608 - integers and fixed names only


# Within a KK, members still in the running in order of placement (best first).
_KK_WINDOW = "OVER (PARTITION BY kk, (excluded IS NULL) ORDER BY order_key, lottery, rid)"


def _capped_sql(*, over_cap: str) -> str:
    """``base`` with the KK cap applied: a member for whom ``over_cap`` (a test over
    ``_KK_WINDOW``) holds is excluded as ``kk_cap``; rows without a KK are never capped."""
    return f"""
            SELECT rid, regency_id, regency_no, priority, lottery, order_key, reported, quota,
                   COALESCE(excluded, CASE
                       WHEN kk <> '' AND {over_cap}
                       THEN {literal(Reason.KK_CAP)} END) AS excluded
            FROM base
        """  # noqa: S608 - integers and fixed names only


_INSERT_INTO = f"""
        INSERT INTO {RESULT_TABLE}
            (run_id, registration_id, regency_id, priority, lottery, rank_in_regency,
             selected, reserved, reported_by_disnaker, reason_code)"""

_FINAL_SELECT = f"""
        SELECT %s, rid, regency_id, priority, lottery,
               CASE WHEN excluded IS NULL THEN rank_all END,
               (excluded IS NULL AND (is_reserved = 1 OR rank_general <= seats_general)),
               (excluded IS NULL AND is_reserved = 1),
               (reported = 1),
               CASE WHEN excluded IS NOT NULL THEN excluded
                    WHEN is_reserved = 1 THEN {literal(Reason.SELECTED_RESERVED)}
                    WHEN rank_general <= seats_general THEN {literal(Reason.SELECTED_PRIORITY)}
                    ELSE {literal(Reason.QUOTA_FULL)} END
        FROM flagged
        -- In key order, so the primary-key B-tree grows at its right edge (a sorted append)
        -- instead of taking millions of random inserts once it outgrows shared memory.
        ORDER BY rid"""  # noqa: S608 - enum values of the models only


def results_insert_sql(
    *, seed: str, weights: Weights, kk_cap: int, permille: int, vendor: str = "sqlite"
) -> str:
    """The selection as one INSERT … SELECT (``%s``: wave, wave, wave, run).

    Per regency (partition), in order of priority (high first), lottery, registration id:
    the first ``floor(quota × share)`` reported workers take the reserved seats; the other
    rows fill the rest of the quota (``quota`` minus the reserved seats actually used) in the
    same order. Before that, within each KK only the ``kk_cap`` best-placed members stay in
    the running (the others: ``kk_cap``). Rows excluded before ranking (ineligible, selected
    in an earlier wave, no quota, KK cap) are stored with their reason and no rank.

    The one difference between engines: on PostgreSQL the KK partition key gets the "C"
    collation (byte order, SQLite's default), so the sort compares bytes with abbreviated
    keys instead of calling the locale's strcoll millions of times. Partitions only need
    equality, so the collation changes no result.
    """
    return f"""{_INSERT_INTO}
        WITH base AS ({_base_sql(seed=seed, weights=weights, vendor=vendor)}),
        capped AS ({_capped_sql(over_cap=f"ROW_NUMBER() {_KK_WINDOW} > {int(kk_cap)}")}),
        keyed AS (SELECT {_KEYED_COLUMNS} FROM capped),
        {_ranking_ctes(permille=permille, source="keyed")}
        {_FINAL_SELECT}
    """  # noqa: S608 - integers and fixed names only


def stage_sql(*, stage: str, seed: str, weights: Weights, kk_cap: int) -> str:
    """The parallel plan's first step (PostgreSQL): every joined entry with its exclusion
    *after* the KK cap and its partition and sort key, into the UNLOGGED table ``stage``
    (``%s``: wave, wave, wave). ``CREATE TABLE … AS`` may use parallel workers for the scans,
    joins and the KK sort, which PostgreSQL never does inside an ``INSERT … SELECT``; unlogged,
    its rows cost no WAL (the table lives for one run and is always dropped).

    The KK cap as ``LAG(rid, kk_cap) … IS NOT NULL`` (a member has ``kk_cap`` better-placed
    members still in the running before it) is the same test as ``ROW_NUMBER() > kk_cap``."""
    return f"""
        CREATE UNLOGGED TABLE {stage} AS
        WITH base AS ({_base_sql(seed=seed, weights=weights, vendor="postgresql")}),
        capped AS ({_capped_sql(over_cap=f"LAG(rid, {int(kk_cap)}) {_KK_WINDOW} IS NOT NULL")})
        SELECT {_KEYED_COLUMNS} FROM capped
    """  # noqa: S608 - integers and fixed names only


def part_ranges(
    counts: Sequence[tuple[int, int]], groups: int
) -> list[tuple[int | None, int | None]]:
    """Split the partitions (``(part, rows)``) into at most ``groups`` contiguous ranges
    ``[low, high)`` of about equal row counts (``None``: unbounded). A partition is never cut:
    its ranks depend on all its rows."""
    ordered = sorted(counts)
    total = sum(rows for _, rows in ordered)
    cuts: list[int] = []
    seen = 0
    for part, rows in ordered:
        # Start the next range at this partition when its middle lies past the next target.
        if (
            len(cuts) < groups - 1
            and seen > 0
            and seen + rows / 2 > total * (len(cuts) + 1) / groups
        ):
            cuts.append(part)
        seen += rows
    bounds: list[int | None] = [None, *cuts, None]
    return list(itertools.pairwise(bounds))


def half_sql(*, stage: str, low: int | None, high: int | None, permille: int) -> str:
    """Rank and store the partitions ``[low, high)`` of ``stage`` (``%s``: the run), and return
    the fingerprint rows of what was inserted (``fingerprints_sql`` over ``RETURNING``), so
    the hashes need no second scan of the stored rows."""
    where = " AND ".join(
        [
            *([f"part >= {int(low)}"] if low is not None else []),
            *([f"part < {int(high)}"] if high is not None else []),
        ]
    )
    source = f"(SELECT * FROM {stage}{f' WHERE {where}' if where else ''}) s"  # noqa: S608
    return f"""
        WITH inserted AS ({_INSERT_INTO}
            WITH {_ranking_ctes(permille=permille, source=source)}
            {_FINAL_SELECT}
            RETURNING registration_id, regency_id, priority, reported_by_disnaker,
                      reason_code, rank_in_regency, selected, reserved
        )
        {fingerprints_sql(source="inserted")}
    """


def fingerprints_sql(*, source: str = "") -> str:
    """Per regency: count, two input fingerprint sums, two result fingerprint sums, sum of
    ranks, over the stored rows of a run (``%s``: the run id) or over ``source`` (rows with the
    result table's columns). Values stay below 2^62 before the modulo: no engine overflows.
    Sums only: the rows of one regency may be counted in several parts and added up."""
    exclusion = _code_case("reason_code", _EXCLUSION_CODES_INPUT)
    value_in = (
        f"(registration_id %% {P}) * 65536 + priority * 16"
        f" + (CASE WHEN reported_by_disnaker THEN 8 ELSE 0 END) + {exclusion}"
    )
    value_out = (
        f"(registration_id %% {P}) * 1048576 + (COALESCE(rank_in_regency, 0) %% 4096) * 256"
        f" + (CASE WHEN selected THEN 128 ELSE 0 END)"
        f" + (CASE WHEN reserved THEN 64 ELSE 0 END) + {_code_case('reason_code', _REASON_CODES)}"
    )
    k = _FINGERPRINT_KEYS
    return (
        f"SELECT regency_id, COUNT(*), {_square_sum(value_in, k[0])}, "  # noqa: S608
        f"{_square_sum(value_in, k[1])}, {_square_sum(value_out, k[0])}, "
        f"{_square_sum(value_out, k[1])}, SUM(COALESCE(rank_in_regency, 0))"
        f" FROM {source or f'{RESULT_TABLE} WHERE run_id = %s'} GROUP BY regency_id"
    )


def hashes_from_rows(parameters: dict[str, Any], rows: Sequence[Sequence[Any]]) -> tuple[str, str]:
    """(input hash, result hash) from ``fingerprints_sql`` rows, in regency order (fixed
    here, in Python: the engines order NULL differently)."""
    # A regency counted in several parts (the parallel plan) is one row: the sums add up.
    merged: dict[str | None, list[int]] = {}
    for regency, *sums in rows:
        into = merged.setdefault(regency, [0] * len(sums))
        for i, value in enumerate(sums):
            into[i] += int(value)
    header = json.dumps(parameters, sort_keys=True).encode()
    digest_in, digest_out = hashlib.sha256(header), hashlib.sha256(header)
    for regency, (count, i1, i2, o1, o2, ranks) in sorted(
        merged.items(), key=lambda item: item[0] or ""
    ):
        code = regency or "-"
        digest_in.update(f"|{code}:{int(count)}:{int(i1)}:{int(i2)}".encode())
        digest_out.update(f"|{code}:{int(count)}:{int(o1)}:{int(o2)}:{int(ranks)}".encode())
    return digest_in.hexdigest(), digest_out.hexdigest()


def results_insert(
    *, run_id: int, wave_id: int, seed: str, weights: Weights, kk_cap: int, permille: int
) -> int:
    """Rank and store every joined entry of the wave (see ``results_insert_sql``). Call inside
    the transaction that owns the run. Returns the number of rows stored."""
    sql = results_insert_sql(
        seed=seed, weights=weights, kk_cap=kk_cap, permille=permille, vendor=connection.vendor
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Sort millions of rows in memory rather than in many small temp-file runs (the
            # default work_mem is 4 MB). Local to the transaction.
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'", [])
            # The results are derived data, recomputable from the frozen inputs and the seed:
            # the commit need not wait for the WAL flush (a crash loses the whole run, never
            # half of it; the run is then re-executed). Still WAL-logged and crash-safe.
            cursor.execute("SET LOCAL synchronous_commit = off", [])
        cursor.execute(sql, [wave_id, wave_id, wave_id, run_id])
        return int(cursor.rowcount)


def run_hashes(*, run_id: int, parameters: dict[str, Any]) -> tuple[str, str]:
    """(input hash, result hash) of a run's stored rows."""
    with connection.cursor() as cursor:
        cursor.execute(fingerprints_sql(), [run_id])
        return hashes_from_rows(parameters, cursor.fetchall())
