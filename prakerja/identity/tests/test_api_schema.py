"""Fuzz the identity endpoints from their own OpenAPI document (schemathesis, in process).

Every generated request, valid or not, must get a documented status and a body that matches
the declared schema; nothing may answer 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from prakerja.identity.tests.factories import NIK_WOMAN_SURABAYA

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
OPERATIONS = ["POST /api/v1/nik/check", "POST /api/v1/kk/check", "POST /api/v1/phone/check"]


pytestmark = pytest.mark.django_db


@pytest.fixture
def identity_api() -> Iterator[schemathesis.BaseSchema]:
    # Like Django's test client: a request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        # schemathesis' own pytest integration does not run under pytest 9 yet, so the
        # operations' strategies are driven by plain Hypothesis below.
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", OPERATIONS)
def test_it_answers_every_generated_request_as_documented(
    identity_api: schemathesis.BaseSchema, label: str
) -> None:
    method, path = label.split(" ")
    operation = identity_api[path][method]
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in modes))

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        assert response.status_code < 500, case
        if response.status_code != 404:  # an encoded "/" in the path matches no route
            case.validate_response(response, checks=CHECKS)
            # 400: a body that is not JSON at all (POST /nik/check only).
            assert response.status_code in {200, 400, 422}

    check()


def test_the_fuzzer_reaches_a_valid_nik(identity_api: schemathesis.BaseSchema) -> None:
    operation = identity_api["/api/v1/nik/check"]["POST"]
    case = operation.Case(body={"nik": NIK_WOMAN_SURABAYA}, media_type="application/json")

    response = case.call()

    assert response.status_code == 200
    assert NIK_WOMAN_SURABAYA.encode() not in response.content
