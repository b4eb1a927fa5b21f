"""/api/v1/linkage through HTTP (session auth)."""

from __future__ import annotations

import pytest
from django.test import Client

from prakerja.accounts.models import User
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import Kind
from prakerja.linkage.models import JpsReviewCase, Link, LinkageRun
from prakerja.linkage.services import jps, runs
from prakerja.linkage.tests import factories as f

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_review_queue_and_a_decision_through_the_api(surabaya_data_officer: User) -> None:
    f.registrant(nik=fake_nik(serial=31), full_name="Agus Salim")
    f.worker(nik=fake_nik(serial=4431, district_code="357802"), full_name="Agus Salim")
    runs.linkage_run_execute(run_id=LinkageRun.objects.create().pk)
    client = signed_in(surabaya_data_officer)

    queue = client.get("/api/v1/linkage/review").json()
    assert [item["status"] for item in queue] == ["pending"]
    evidence = client.get(f"/api/v1/linkage/links/{queue[0]['id']}").json()
    assert evidence["worker"]["nik_masked"] == "3578********4431"

    refused = client.post(
        f"/api/v1/linkage/links/{queue[0]['id']}/decision",
        {"decision": "reject"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "linkage.reason_required"
    accepted = client.post(
        f"/api/v1/linkage/links/{queue[0]['id']}/decision",
        {"decision": "accept"},
        content_type="application/json",
    )
    assert accepted.status_code == 200
    assert Link.objects.get().status == "accepted"


def test_jps_cases_and_monitoring_through_the_api(
    surabaya_data_officer: User, manager: User
) -> None:
    nik = fake_nik(serial=81)
    f.registrant(nik=nik, full_name="Penerima PKH")
    jps_batch = f.batch(kind=Kind.JPS, source="")
    f.jps_receipt(nik=nik, full_name="Penerima PKH", jps_batch=jps_batch)
    jps.jps_cases_open_for_batch(batch_id=jps_batch.pk)
    client = signed_in(manager)

    cases = client.get("/api/v1/linkage/jps-cases?status=open").json()
    assert [(c["programme"], c["regency"]) for c in cases] == [("PKH", "3578")]
    response = client.post(
        f"/api/v1/linkage/jps-cases/{cases[0]['id']}/decision",
        {"decision": "continue", "reason": "Penghasilan di bawah UMK"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert JpsReviewCase.objects.get().decision == "continue"
    monitoring = client.get("/api/v1/linkage/jps-monitoring").json()
    assert (monitoring[0]["regency"], monitoring[0]["continued"]) == ("3578", 1)


def test_an_applicant_gets_403_and_a_stranger_401(applicant: User) -> None:
    assert signed_in(applicant).get("/api/v1/linkage/review").status_code == 403
    assert Client().get("/api/v1/linkage/review").status_code == 401


def test_a_missing_link_is_404(surabaya_data_officer: User) -> None:
    response = signed_in(surabaya_data_officer).get("/api/v1/linkage/links/999")
    assert (response.status_code, response.json()["code"]) == (404, "linkage.link_not_found")
