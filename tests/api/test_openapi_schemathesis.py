"""Property-based contract test: the HTTP API against its own OpenAPI document.

Schemathesis reads ``/api/v1/openapi.json`` from the WSGI application in-process, generates
requests for every operation (examples, coverage and fuzzing phases) and validates each response
with its default checks: no 5xx, documented status codes and content types, bodies and headers
conforming to the declared schemas, invalid input rejected and valid input accepted.

The document is read once at collection (building it touches no database), which gives one pytest
item per operation; each item holds pytest-django's database access, so every generated request
runs inside the test transaction (the region tables are loaded once per session by the root
conftest). New operations are picked up automatically. Bounded to ``MAX_EXAMPLES`` generated
cases per operation in the fuzzing phase.

``schemathesis.pytest.from_fixture`` (lazy loading) is not used: with pytest 9.2 it fails with
``'Function' object has no attribute '_nodeid'`` (schemathesis 4.32 writes a private attribute
that pytest no longer has).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

OPENAPI_PATH = "/api/v1/openapi.json"
MAX_EXAMPLES = 50
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, get_wsgi_application())


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Requests must not close the test's database connection (as in Django's test client).

    The WSGI handler sends ``request_started``/``request_finished``, whose default receiver
    closes a connection that is not in autocommit, i.e. the one holding the test transaction:
    on PostgreSQL the next query would fail with "the connection is closed".
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@schema.parametrize()
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_test_connection")
def test_api_conforms_to_openapi(case: schemathesis.Case) -> None:
    case.call_and_validate()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema.raw_schema.get("paths", {}).items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_openapi_document_lists_region_operations() -> None:
    # Guards against a silently empty run: the contract test above must have operations to test.
    paths = {path for _method, path, _operation in _operations()}
    assert {
        "/api/v1/regions/provinces",
        "/api/v1/regions/regencies",
        "/api/v1/regions/districts",
        "/api/v1/regions/villages",
    } <= paths, sorted(paths)


def test_openapi_document_declares_validation_errors() -> None:
    # config/api.py answers every request that fails schema validation with a 422 and the one
    # error envelope; clients generated from the document must know about it.
    missing = [
        f"{method} {path}"
        for method, path, operation in _operations()
        if (operation.get("parameters") or "requestBody" in operation)
        and "422" not in operation.get("responses", {})
    ]
    assert missing == [], f"operations without a documented 422 response: {missing}"
