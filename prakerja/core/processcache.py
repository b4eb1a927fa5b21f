"""Reference data kept per app process: read on nearly every page, changed a few times a year.

The programme, its consent text and test questions, the eligibility rules, the province and
regency lists: every registration page reads some of them, and at the peak each read is a
statement the one PostgreSQL primary has to answer (docs/SCALING.md). A ``ProcessCache`` keeps
what a loader returned for ``ttl`` seconds in this process. A change saved through the ORM
clears this process's copy at once (connect ``forget`` to the models' ``post_save`` and
``post_delete``, as ``registry.apps`` does); every other process picks the change up within
``ttl`` seconds. Values must be treated as read-only: threads of a process share them.

Tests start from empty caches (``process_caches_forget`` in the root ``conftest.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

_all: list[ProcessCache[object]] = []


class ProcessCache(Generic[V]):
    def __init__(self, name: str, *, ttl: float = 5.0) -> None:
        self.name = name
        self.ttl = ttl
        self._values: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.Lock()
        _all.append(self)  # type: ignore[arg-type]

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The value kept for ``key``, or ``load()``'s, kept from now on."""
        now = time.monotonic()
        kept = self._values.get(key)
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        value = load()
        with self._lock:
            self._values[key] = (now, value)
        return value

    def discard(self, key: Hashable) -> None:
        """Drop one value (e.g. a "not there yet" answer that must be asked again)."""
        with self._lock:
            self._values.pop(key, None)

    def forget(self, **_signal_kwargs: object) -> None:
        """Drop every value of this cache in this process (a signal receiver)."""
        with self._lock:
            self._values.clear()


def process_caches_forget() -> None:
    """Empty every ``ProcessCache`` of this process (tests: each starts like a new worker)."""
    for cache in _all:
        cache.forget()
