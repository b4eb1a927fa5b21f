"""Graceful load shedding: answer 503 + Retry-After instead of letting requests pile up.

In April 2020 the national system slowed until submissions took 20 minutes. Here each app
process lets at most ``SHED_MAX_CONCURRENT`` requests work at once (the app server runs more
threads than that, so waiting requests reach this middleware); a request that cannot start within
``SHED_WAIT_SECONDS`` is refused at once with 503 and a Retry-After header, which phones and
the posts' browsers retry, and which a client's idempotency key makes safe to retry.
Health probes and static files are never shed.

Each slot also carries the database connection its requests use (``DATABASE_SLOT_CONNECTIONS``,
PostgreSQL without a pool of its own): a request takes a slot and, for its duration, the slot's
persistent connection becomes the thread's ``default`` connection. So a process holds as many
server sessions as it has slots (4), not one per thread of the app server (32), and each of them
stays warm: PostgreSQL spends less CPU per registration (issue 17, bench/README.md). The slot's
connection is checked and closed exactly as Django does a thread's at the start and the end of a
request (``close_if_unusable_or_obsolete``, the socket health check of config/postgresql), so a
database restart or outage is met as before: a fresh connection, or a 503 at once. A request
that runs inside a transaction already (a test's) keeps its connection. Health probes, never
shed, share one more connection (two at the same moment: the second on its thread's own,
closed after it), so a process holds ``SHED_MAX_CONCURRENT + 1`` sessions.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

_EXEMPT_PREFIXES = ("/healthz", "/livez", "/static/")
_PROBES = ("/healthz", "/livez")
# One warning per process at most this often, with the count since the last one: under
# overload, an ERROR line per refused request would spend the CPU the shedding just saved.
_LOG_EVERY_SECONDS = 10.0

logger = logging.getLogger(__name__)


# Every slot of the process, so that tests can close their connections before the database is
# dropped (slot_connections_close).
_slots: weakref.WeakSet[Slot] = weakref.WeakSet()
_slots_lock = threading.Lock()


class Slot:
    """One of the process's places for a request, with the database connection it lends."""

    def __init__(self) -> None:
        self.wrapper: Any = None
        with _slots_lock:
            _slots.add(self)

    def close(self) -> None:
        wrapper, self.wrapper = self.wrapper, None
        if wrapper is not None:
            wrapper.close()

    @contextmanager
    def connection(self) -> Iterator[None]:
        own = connections["default"]
        if not _slot_connections_apply(own):
            yield
            return
        if self.wrapper is None:
            self.wrapper = connections.create_connection("default")
            # Taken by one thread at a time, but not always the same one.
            self.wrapper.inc_thread_sharing()
        wrapper = self.wrapper
        # What Django's request_started and request_finished do to a thread's connection.
        wrapper.queries_log.clear()
        wrapper.close_if_unusable_or_obsolete()
        connections["default"] = wrapper
        try:
            yield
        finally:
            connections["default"] = own
            if wrapper.in_atomic_block:
                # A transaction left open (a bug elsewhere) must not reach the next request.
                self.close()
            else:
                wrapper.close_if_unusable_or_obsolete()


def _slot_connections_apply(own: Any) -> bool:
    return bool(
        settings.DATABASE_SLOT_CONNECTIONS
        and own.vendor == "postgresql"
        and not own.settings_dict.get("OPTIONS", {}).get("pool")
        and not own.in_atomic_block
    )


def slot_connections_close() -> None:
    """Close every slot's connection (after a test: each test client has slots of its own, and
    the test database is dropped at the end of the session). A slot used again reconnects."""
    with _slots_lock:
        slots = list(_slots)
    for slot in slots:
        slot.close()


class LoadSheddingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.SHED_MAX_CONCURRENT
        self.wait = settings.SHED_WAIT_SECONDS
        self.retry_after = settings.SHED_RETRY_AFTER_SECONDS
        self.slots: queue.SimpleQueue[Slot] | None = None
        if self.limit > 0:
            self.slots = queue.SimpleQueue()
            for _ in range(self.limit):
                self.slots.put(Slot())
        # Health probes are never shed, and share a connection of their own: a load balancer
        # probes every host twice a second, and on the threads' own connections a process
        # would keep a server session per thread again.
        self.probe_slot = Slot()
        self.probe_lock = threading.Lock()
        self.shed_count = 0
        self.logged_at = 0.0
        self.log_lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.slots is not None and request.path.startswith(_PROBES):
            return self._probe(request)
        if self.slots is None or request.path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        try:
            slot = self.slots.get(timeout=self.wait)
        except queue.Empty:
            return self._overloaded(request)
        try:
            with slot.connection():
                return self.get_response(request)
        finally:
            self.slots.put(slot)

    def _probe(self, request: HttpRequest) -> HttpResponse:
        if self.probe_lock.acquire(blocking=False):
            try:
                with self.probe_slot.connection():
                    return self.get_response(request)
            finally:
                self.probe_lock.release()
        # Two probes at once: the second on its thread's connection, closed after it.
        own = connections["default"]
        closing = _slot_connections_apply(own)
        try:
            return self.get_response(request)
        finally:
            if closing:
                own.close()

    def _overloaded(self, request: HttpRequest) -> HttpResponse:
        message = _("Server sedang sibuk. Data Anda belum dikirim; silakan coba lagi sebentar.")
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": "server.busy", "message": message, "field": None}, status=503
            )
        else:
            response = HttpResponse(
                f'<!doctype html><html lang="id"><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>503</title><p>{message}</p></html>",
                status=503,
            )
        response["Retry-After"] = str(self.retry_after)
        # Django's request logger would log every 503 as an error; counted here instead.
        response._has_been_logged = True  # type: ignore[attr-defined]
        self._count_shed()
        return response

    def _count_shed(self) -> None:
        with self.log_lock:
            self.shed_count += 1
            now = time.monotonic()
            if now - self.logged_at < _LOG_EVERY_SECONDS:
                return
            count, self.shed_count, self.logged_at = self.shed_count, 0, now
        logger.warning(
            "load shedding: %d requests refused with 503",
            count,
            extra={"shed": count, "limit": self.limit},
        )
