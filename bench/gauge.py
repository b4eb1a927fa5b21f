"""How fast this machine's CPU is right now: the CPU milliseconds of a fixed pure-Python
workload (the median of 9 runs), timed while the system under test is idle.

A shared virtual machine's speed drifts by tens of percent over minutes (bench/README.md,
issue 17: the benchmark's own client and Redis, whose work per flow does not change with the
app's code, cost 50 % more CPU per flow in one run than in another an hour earlier). CPU per
flow is therefore recorded with this gauge before and after each level, and two runs are
compared after dividing by it. ``python bench/gauge.py`` prints it once.
"""

from __future__ import annotations

import statistics
import time


def _workload() -> int:
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return total


def speed_gauge(repeats: int = 9) -> float:
    """CPU milliseconds of the fixed workload (median of ``repeats``)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        _workload()
        times.append(1000 * (time.process_time() - start))
    return round(statistics.median(times), 1)


if __name__ == "__main__":
    print(speed_gauge())
