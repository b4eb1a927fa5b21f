"""The selection itself: set-based SQL that runs unchanged on SQLite and PostgreSQL.

No Python loop over applicants. A run is three statements on the job's connection:

1. ``CREATE TEMP TABLE … AS SELECT``: every joined entry of the wave with its priority (the
   weights of ``WaveSettings``, as integer literals), its lottery number and its exclusion
   (not eligible, selected in an earlier wave, no quota for its regency).
2. the input hash: per regency, the count and two sums of an integer fingerprint of each row
   (registration id, priority, Disnaker flag, exclusion), fed in regency order with the
   parameters into SHA-256. Order-independent inside a regency, so it is one GROUP BY, not a
   sort of millions of rows streamed to Python.
3. one ``INSERT … SELECT`` into ``SelectionResult`` with window functions: the per-KK cap
   (``ROW_NUMBER() OVER (PARTITION BY kk …)``), then per regency
   ``ROW_NUMBER() OVER (PARTITION BY regency ORDER BY priority DESC, lottery, id)`` and a running
   count of reported workers that fills the reserved share first.

The lottery is a function of the published seed and the registration id that uses only
integer ``+``, ``*`` and ``%`` below 2^62, so PostgreSQL, SQLite and DuckDB (the benchmark's
reference) compute the very same numbers; ``lottery_py`` is its Python twin for the tests and
for anyone auditing a published run.

The registration-test score is not read anywhere here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

# 2^31 - 1: products of two residues stay below 2^62, inside every engine's 64-bit integer.
P = 2_147_483_647
LOTTERY_VERSION = "v1"
WORK_MEM = "256MB"
# Exclusion codes as integers for the fingerprints (strings cannot be hashed portably).
_EXCLUSION_CODES = {"ineligible": 1, "already_selected": 2, "no_quota": 3, "kk_cap": 4}
_REASON_CODES = {
    "selected_priority": 5,
    "selected_reserved": 6,
    "quota_full": 7,
    **_EXCLUSION_CODES,
}
# Fixed keys for the fingerprints (not secret: they only spread the values).
_FINGERPRINT_KEYS = (
    (1_234_567_891, 987_654_321, 192_837_465),
    (2_013_265_921, 1_073_741_789, 805_306_457),
)


def seed_keys(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Six residues derived from the published seed, three per lane."""
    values = [
        int.from_bytes(hashlib.sha256(f"{seed}:{i}".encode()).digest()[:8], "big") % P
        for i in range(6)
    ]
    return (values[0], values[1], values[2]), (values[3], values[4], values[5])


def _lane_py(x: int, keys: tuple[int, int, int]) -> int:
    a, b, c = keys
    x = (x % P + a) % P
    x = (x * x + b) % P
    x = (x * 48_271 + c) % P
    x = (x * x + a) % P
    return x


def lottery_py(registration_id: int, seed: str) -> int:
    """The lottery number of one registration under ``seed`` (lower draws first)."""
    k1, k2 = seed_keys(seed)
    return _lane_py(registration_id, k1) * P + _lane_py(registration_id, k2)


def _lane_sql(expr: str, keys: tuple[int, int, int]) -> str:
    # ``%%``: every statement here is executed with a parameter list, so a literal modulo
    # is written the way both Django backends (psycopg and the SQLite "%s" → "?" rewrite) want.
    a, b, c = keys
    x = f"(CAST(({expr}) AS BIGINT) %% {P} + {a}) %% {P}"
    x = f"(({x}) * ({x}) + {b}) %% {P}"
    x = f"(({x}) * 48271 + {c}) %% {P}"
    return f"(({x}) * ({x}) + {a}) %% {P}"


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
        "laid_off": weights.laid_off,
        "furloughed": weights.furloughed,
        "migrant_worker": weights.migrant_worker,
        "laid_off_pre_covid": weights.laid_off_pre_covid,
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
        f" WHEN 'laid_off' THEN {int(w.laid_off)}"
        f" WHEN 'furloughed' THEN {int(w.furloughed)}"
        f" WHEN 'migrant_worker' THEN {int(w.migrant_worker)}"
        f" WHEN 'laid_off_pre_covid' THEN {int(w.laid_off_pre_covid)}"
        " ELSE 0 END"
        f" + CASE WHEN {alias}.reported_by_disnaker THEN {int(w.reported_by_disnaker)} ELSE 0 END"
        f" + CASE WHEN {alias}.has_disability THEN {int(w.disability)} ELSE 0 END)"
    )


def reserved_permille(share: Decimal | None) -> int:
    return 0 if share is None else int((Decimal(share) * 1000).to_integral_value())


def _code_case(column: str, codes: dict[str, int]) -> str:
    whens = " ".join(f"WHEN '{k}' THEN {v}" for k, v in codes.items())
    return f"(CASE {column} {whens} ELSE 0 END)"


def _fingerprint(value_expr: str) -> tuple[str, str]:
    return _lane_sql(value_expr, _FINGERPRINT_KEYS[0]), _lane_sql(value_expr, _FINGERPRINT_KEYS[1])


def hash_rows(parameters: dict[str, Any], rows: Sequence[Sequence[Any]]) -> str:
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode())
    # NULL regencies sort first on both engines' behalf: the order is fixed here, in Python.
    for regency, count, s1, s2, extra in sorted(rows, key=lambda row: row[0] or ""):
        digest.update(f"|{regency or '-'}:{int(count)}:{int(s1)}:{int(s2)}:{int(extra)}".encode())
    return digest.hexdigest()


def input_table(run_id: int) -> str:
    return f"waves_selection_input_{int(run_id)}"


def input_build_sql(*, run_id: int, seed: str, weights: Weights) -> str:
    """Step 1 as SQL (two ``%s``: the wave id twice)."""
    return f"""
        CREATE TEMP TABLE {input_table(run_id)} AS
        SELECT e.registration_id AS rid,
               r.domicile_regency_id AS regency_id,
               r.kk_index AS kk,
               {priority_sql(weights)} AS priority,
               {lottery_sql("r.id", seed)} AS lottery,
               CASE WHEN r.reported_by_disnaker THEN 1 ELSE 0 END AS reported,
               CASE WHEN r.status <> 'submitted' THEN 'ineligible'
                    WHEN prev.registration_id IS NOT NULL THEN 'already_selected'
                    WHEN q.quota IS NULL THEN 'no_quota'
               END AS excluded
        FROM waves_waveentry e
        JOIN registry_registration r ON r.id = e.registration_id
        LEFT JOIN waves_regencyquota q
               ON q.wave_id = e.wave_id AND q.regency_id = r.domicile_regency_id
        LEFT JOIN (
            SELECT DISTINCT registration_id FROM waves_waveentry
            WHERE status = 'selected' AND wave_id <> %s
        ) prev ON prev.registration_id = e.registration_id
        WHERE e.wave_id = %s AND e.status = 'joined'
    """  # noqa: S608 - integers and fixed names only


def _tune(cursor: Any) -> None:
    # PostgreSQL: sort millions of rows in memory rather than in many small temp-file runs
    # (the default work_mem is 4 MB). Local to the transaction.
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'", [])


def input_build(*, run_id: int, wave_id: int, seed: str, weights: Weights) -> None:
    """Step 1: the run's input, one row per joined entry, in a temporary table."""
    with transaction.atomic(), connection.cursor() as cursor:
        _tune(cursor)
        cursor.execute(f"DROP TABLE IF EXISTS {input_table(run_id)}", [])
        cursor.execute(
            input_build_sql(run_id=run_id, seed=seed, weights=weights), [wave_id, wave_id]
        )


def input_hash_sql(*, run_id: int) -> str:
    value = (
        f"(rid %% {P}) * 65536 + priority * 16 + reported * 8 + "
        f"{_code_case('excluded', _EXCLUSION_CODES)}"
    )
    h1, h2 = _fingerprint(value)
    return (
        f"SELECT regency_id, COUNT(*), SUM({h1}), SUM({h2}), SUM(reported) "  # noqa: S608
        f"FROM {input_table(run_id)} GROUP BY regency_id"
    )


def input_hash(*, run_id: int, parameters: dict[str, Any]) -> str:
    """Step 2: SHA-256 over the parameters and, per regency, a fingerprint of its rows."""
    with connection.cursor() as cursor:
        cursor.execute(input_hash_sql(run_id=run_id), [])
        return hash_rows(parameters, cursor.fetchall())


def results_insert_sql(*, run_id: int, kk_cap: int, permille: int) -> str:
    """Step 3 as SQL (two ``%s``: the wave id, then the run id): rank and store every input
    row with one INSERT … SELECT.

    Per regency (partition), in order of priority (high first), lottery, registration id:
    the first ``floor(quota × share)`` reported workers take the reserved seats; the other
    rows fill the rest of the quota (``quota`` minus the reserved seats actually used) in the
    same order. Rows excluded before ranking (ineligible, selected before, no quota, beyond
    the KK cap) are stored with their reason and no rank.
    """
    table = input_table(run_id)
    return f"""
        INSERT INTO waves_selectionresult
            (run_id, registration_id, regency_id, priority, lottery, rank_in_regency,
             selected, reserved, reason_code)
        WITH capped AS (
            SELECT rid, regency_id, priority, lottery, reported,
                   COALESCE(excluded, CASE
                       WHEN kk <> '' AND ROW_NUMBER() OVER (
                           PARTITION BY kk, (excluded IS NULL)
                           ORDER BY priority DESC, lottery, rid) > {int(kk_cap)}
                       THEN 'kk_cap' END) AS excluded
            FROM {table}
        ),
        ranked AS (
            SELECT c.rid, c.regency_id, c.priority, c.lottery, c.reported, c.excluded,
                   q.quota,
                   (CAST(q.quota AS BIGINT) * {int(permille)}) / 1000 AS seats_reserved,
                   ROW_NUMBER() OVER (
                       PARTITION BY (c.excluded IS NULL), c.regency_id
                       ORDER BY c.priority DESC, c.lottery, c.rid) AS rank_all,
                   SUM(c.reported) OVER (
                       PARTITION BY (c.excluded IS NULL), c.regency_id
                       ORDER BY c.priority DESC, c.lottery, c.rid
                       ROWS UNBOUNDED PRECEDING) AS cum_reported,
                   SUM(c.reported) OVER (
                       PARTITION BY (c.excluded IS NULL), c.regency_id) AS total_reported
            FROM capped c
            LEFT JOIN waves_regencyquota q
                   ON q.wave_id = %s AND q.regency_id = c.regency_id
        ),
        flagged AS (
            SELECT rid, regency_id, priority, lottery, excluded, rank_all,
                   CASE WHEN reported = 1 AND cum_reported <= seats_reserved
                        THEN 1 ELSE 0 END AS is_reserved,
                   rank_all - CASE WHEN cum_reported < seats_reserved
                                   THEN cum_reported ELSE seats_reserved END AS rank_general,
                   quota - CASE WHEN total_reported < seats_reserved
                                THEN total_reported ELSE seats_reserved END AS seats_general
            FROM ranked
        )
        SELECT %s, rid, regency_id, priority, lottery,
               CASE WHEN excluded IS NULL THEN rank_all END,
               (excluded IS NULL AND (is_reserved = 1 OR rank_general <= seats_general)),
               (excluded IS NULL AND is_reserved = 1),
               CASE WHEN excluded IS NOT NULL THEN excluded
                    WHEN is_reserved = 1 THEN 'selected_reserved'
                    WHEN rank_general <= seats_general THEN 'selected_priority'
                    ELSE 'quota_full' END
        FROM flagged
    """  # noqa: S608 - integers and fixed names only


def results_insert(*, run_id: int, wave_id: int, kk_cap: int, permille: int) -> int:
    """Step 3: rank and store every input row with one INSERT … SELECT (see
    ``results_insert_sql``). Call inside the transaction that owns the run. Returns the rows."""
    with connection.cursor() as cursor:
        _tune(cursor)
        cursor.execute(
            results_insert_sql(run_id=run_id, kk_cap=kk_cap, permille=permille), [wave_id, run_id]
        )
        return int(cursor.rowcount)


def result_hash_sql() -> str:
    """The per-regency fingerprint of a run's stored results (one ``%s``: the run id)."""
    value = (
        f"(registration_id %% {P}) * 65536 + COALESCE(rank_in_regency, 0) %% 4096 * 16"
        f" + (CASE WHEN selected THEN 8 ELSE 0 END)"
        f" + {_code_case('reason_code', _REASON_CODES)}"
    )
    h1, h2 = _fingerprint(value)
    rank = _lane_sql(
        "COALESCE(rank_in_regency, 0) * 2 + (CASE WHEN reserved THEN 1 ELSE 0 END)",
        _FINGERPRINT_KEYS[0],
    )
    return (
        f"SELECT regency_id, COUNT(*), SUM({h1}), SUM({h2}),"  # noqa: S608
        f" SUM(CASE WHEN selected THEN {rank} ELSE 0 END)"
        " FROM waves_selectionresult WHERE run_id = %s GROUP BY regency_id"
    )


def result_hash(*, run_id: int, parameters: dict[str, Any]) -> str:
    """SHA-256 over the parameters and, per regency, a fingerprint of the stored results."""
    with connection.cursor() as cursor:
        cursor.execute(result_hash_sql(), [run_id])
        return hash_rows(parameters, cursor.fetchall())


def input_drop(*, run_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {input_table(run_id)}", [])
