"""The payments API end to end: account, due job, batch, approval, file, result, report."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prakerja.accounts.testing import sign_in_with_totp
from prakerja.payments.models import PaymentLine
from prakerja.payments.services import schedule
from prakerja.payments.testing import completed_participants, result_csv, treasury_officer

pytestmark = pytest.mark.django_db

BASE = "/api/v1/payments"


def test_account_batch_file_and_result_through_the_api() -> None:
    (participant,) = completed_participants(1)
    applicant = Client()
    applicant.force_login(participant.registration.user)
    bad = applicant.put(
        f"{BASE}/me/account",
        {"channel": "ewallet", "provider": "ovo", "number": "12", "holder_name": "Siti Aminah"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "payment.account_invalid"
    saved = applicant.put(
        f"{BASE}/me/account",
        {
            "channel": "ewallet",
            "provider": "ovo",
            "number": "0812-3456-7890",
            "holder_name": participant.registration.full_name,
        },
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert saved.json()["account"]["number_last4"] == "7890"
    schedule.instalments_make_due()
    statuses = [row["status"] for row in applicant.get(f"{BASE}/me").json()["instalments"]]
    assert statuses.count("due") == 1

    first, second = Client(), Client()
    sign_in_with_totp(first, treasury_officer())
    sign_in_with_totp(second, treasury_officer())
    assert applicant.post(f"{BASE}/batches", {}, content_type="application/json").status_code == 403
    built = first.post(f"{BASE}/batches", {"channel": "ewallet"}, content_type="application/json")
    assert built.status_code == 201
    batch = built.json()
    assert (batch["line_count"], batch["total"]) == (1, 600_000)
    assert first.get(f"{BASE}/batches/{batch['id']}/file/ewallet").status_code == 409
    assert second.post(f"{BASE}/batches/{batch['id']}/approve").json()["status"] == "approved"
    file = first.get(f"{BASE}/batches/{batch['id']}/file/ewallet")
    assert file.status_code == 200 and b",ovo,6281234567890," in file.content

    line = PaymentLine.objects.get()
    content = result_csv([(batch["code"], line.pk, line.amount, "returned", "Akun ditutup")])
    result = first.post(f"{BASE}/results", {"file": SimpleUploadedFile("r.csv", content)})
    assert result.status_code == 200 and result.json()["returned"] == 1
    (row,) = first.get(f"{BASE}/report").json()
    assert (row["due"], row["batched"], row["returned"]) == (600_000, 600_000, 600_000)
    problem = applicant.get(f"{BASE}/me").json()["instalments"][0]
    assert (problem["status"], problem["problem"]) == ("due", "Akun ditutup")
