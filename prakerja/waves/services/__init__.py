"""Writes of the waves app: waves, quotas, joining, closing and selection runs (SPEC §3.5).

Every service is keyword-only, checks the actor's capability, runs in one transaction and
raises ``ApplicationError`` with an Indonesian message on bad input. Set-based where the
number of rows is the number of applicants (joining everyone, carrying over, publishing).

The modules: ``quotas`` (per-regency quotas), ``waves`` (a wave's life: create, open, join,
close, carry over) and ``runs`` (selection runs). Reads are in ``prakerja.waves.selectors``.
"""

from __future__ import annotations

from prakerja.waves.services.quotas import (
    quotas_largest_remainder,
    wave_quotas_allocate,
    wave_quotas_allocate_by_capacity,
    wave_quotas_set,
)
from prakerja.waves.services.runs import (
    SEED_PATTERN,
    SELECTION_JOB,
    selection_run_approve,
    selection_run_create,
    selection_run_execute,
    selection_run_publish,
    selection_run_reject,
)
from prakerja.waves.services.waves import (
    wave_close,
    wave_create,
    wave_join,
    wave_open,
    wave_settings_get,
)

__all__ = [
    "SEED_PATTERN",
    "SELECTION_JOB",
    "quotas_largest_remainder",
    "selection_run_approve",
    "selection_run_create",
    "selection_run_execute",
    "selection_run_publish",
    "selection_run_reject",
    "wave_close",
    "wave_create",
    "wave_join",
    "wave_open",
    "wave_quotas_allocate",
    "wave_quotas_allocate_by_capacity",
    "wave_quotas_set",
    "wave_settings_get",
]
