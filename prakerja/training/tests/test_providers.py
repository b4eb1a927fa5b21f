"""Providers: the operator fills in and submits the institution; Disnaker verifies it with a
checklist, four-eyes; every decision reaches the operator and the audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_provider, make_user, sign_in_with_totp
from prakerja.assistance.services.seeding import blk_providers_load
from prakerja.core.errors import ApplicationError
from prakerja.notifications.models import OutboxMessage
from prakerja.training.models import Provider, ProviderDocument, ProviderReview
from prakerja.training.services import providers as services

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% uji\n%%EOF\n"
PHONE = "+6281234500001"
OK = services.Checklist(
    documents_valid=True,
    site_visited_on=timezone.localdate() - timedelta(days=1),
    capacity_plausible=True,
)


def _operator(regency: str = "3578") -> User:
    return make_user(role=Role.PROVIDER, provider=make_provider(regency_code=regency))


def _submitted(operator: User) -> Provider:
    services.provider_update(
        actor=operator,
        data=services.ProviderInput(
            name="LPK Cipta Karya Surabaya",
            kind="lpk",
            address="Jl. Darmo 12, Surabaya",
            contact_phone="081234500001",
        ),
    )
    services.provider_capacity_set(actor=operator, capacities={"digital": 120, "culinary": 60})
    services.provider_document_add(actor=operator, kind="permit", name="izin.pdf", content=PDF)
    return services.provider_submit(actor=operator)


def test_two_different_staff_verify_a_provider(django_capture_on_commit_callbacks: Any) -> None:
    operator = _operator()
    with django_capture_on_commit_callbacks(execute=True):
        provider = _submitted(operator)
    assert (provider.status, provider.yearly_capacity) == ("submitted", 180)
    first = make_user(role=Role.DATA_OFFICER, regency_code="3578")
    second = make_user(role=Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        provider = services.provider_review(
            actor=first, provider_id=provider.pk, decision="approve", checklist=OK
        )
    assert provider.status == "approved_once"
    with pytest.raises(ApplicationError) as same:
        services.provider_review(
            actor=first, provider_id=provider.pk, decision="approve", checklist=OK
        )
    assert (same.value.code, same.value.status) == ("provider.same_approver", 409)
    with django_capture_on_commit_callbacks(execute=True):
        provider = services.provider_review(
            actor=second, provider_id=provider.pk, decision="approve", checklist=OK
        )
    assert provider.status == "verified" and provider.verified_at is not None
    assert list(provider.reviews.values_list("reviewer", flat=True)) == [first.pk, second.pk]
    assert provider.history.first().history_user == second  # type: ignore[attr-defined]
    bodies = list(
        OutboxMessage.objects.filter(recipient=PHONE).order_by("pk").values_list("body", flat=True)
    )
    assert len(bodies) == 3 and "terverifikasi" in bodies[-1]


def test_approval_needs_the_whole_checklist_and_other_decisions_a_reason() -> None:
    provider = _submitted(_operator())
    officer = make_user(role=Role.DATA_OFFICER)
    incomplete = services.Checklist(
        documents_valid=True, site_visited_on=None, capacity_plausible=True
    )
    with pytest.raises(ApplicationError) as checklist:
        services.provider_review(
            actor=officer, provider_id=provider.pk, decision="approve", checklist=incomplete
        )
    assert checklist.value.code == "provider.checklist_incomplete"
    future = services.Checklist(True, timezone.localdate() + timedelta(days=2), True)
    with pytest.raises(ApplicationError) as ahead:
        services.provider_review(
            actor=officer, provider_id=provider.pk, decision="approve", checklist=future
        )
    assert ahead.value.code == "provider.site_visit_future"
    with pytest.raises(ApplicationError) as reason:
        services.provider_review(
            actor=officer,
            provider_id=provider.pk,
            decision="reject",
            checklist=incomplete,
            reason="",
        )
    assert reason.value.code == "provider.reason_required"
    assert not ProviderReview.objects.exists()
    services.provider_review(
        actor=officer,
        provider_id=provider.pk,
        decision="request_changes",
        checklist=incomplete,
        reason="Izin operasional sudah kedaluwarsa.",
    )
    provider.refresh_from_db()
    assert (provider.status, provider.status_reason) == (
        "changes_requested",
        "Izin operasional sudah kedaluwarsa.",
    )


@pytest.mark.parametrize(
    ("content", "code", "status"),
    [
        (b"MZ\x90\x00 not a document", "provider.document_type", 415),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "provider.document_too_large", 413),
    ],
)
def test_wrong_type_or_oversized_documents_are_refused(
    content: bytes, code: str, status: int
) -> None:
    operator = _operator()
    with pytest.raises(ApplicationError) as refused:
        services.provider_document_add(
            actor=operator, kind="permit", name="izin.pdf", content=content
        )
    assert (refused.value.code, refused.value.status) == (code, status)
    assert not ProviderDocument.objects.exists()


def test_submission_needs_documents_and_capacity() -> None:
    with pytest.raises(ApplicationError) as refused:
        services.provider_submit(actor=_operator())
    assert refused.value.code == "provider.incomplete"


def test_scope_operator_and_regency_officer() -> None:
    provider = _submitted(_operator("3578"))
    malang = make_user(role=Role.DATA_OFFICER, regency_code="3573")
    with pytest.raises(ApplicationError) as foreign:
        services.provider_review(
            actor=malang, provider_id=provider.pk, decision="approve", checklist=OK
        )
    assert foreign.value.status == 403
    other_operator = _operator()
    document = provider.documents.get()
    with pytest.raises(ApplicationError):
        services.provider_document_get(actor=other_operator, document_id=document.pk)
    client = Client()
    sign_in_with_totp(client, other_operator)
    assert client.get(f"/lembaga/dokumen/{document.pk}/").status_code == 403
    assert client.get(f"/lembaga/verifikasi/{provider.pk}/").status_code == 403


def test_pages_of_the_operator_and_the_reviewer() -> None:
    operator = _operator()
    client = Client()
    sign_in_with_totp(client, operator)
    assert client.get("/lembaga/").status_code == 200
    bad = client.post(
        "/lembaga/",
        {
            "action": "details",
            "name": "LPK",
            "kind": "lpk",
            "address": "Jl. Darmo 12, Surabaya",
            "accreditation": "none",
        },
    )
    assert bad.status_code == 400 and 'href="#id_name"' in bad.content.decode()
    client.post(
        "/lembaga/",
        {
            "action": "details",
            "name": "LPK Cipta Karya",
            "kind": "lpk",
            "address": "Jl. Darmo 12, Surabaya",
            "accreditation": "b",
        },
    )
    client.post("/lembaga/", {"action": "capacity", "capacity_digital": "100"})
    exe = SimpleUploadedFile("izin.pdf", b"MZ\x90\x00", content_type="application/pdf")
    refused = client.post("/lembaga/", {"action": "document", "kind": "permit", "document": exe})
    assert refused.status_code == 415
    pdf = SimpleUploadedFile("izin.pdf", PDF, content_type="application/pdf")
    client.post("/lembaga/", {"action": "document", "kind": "permit", "document": pdf})
    client.post("/lembaga/", {"action": "submit"})
    provider = Provider.objects.get(pk=operator.provider_id or 0)
    assert provider.status == "submitted"

    reviewer = Client()
    sign_in_with_totp(reviewer, make_user(role=Role.DATA_OFFICER))
    assert "LPK Cipta Karya" in reviewer.get("/lembaga/verifikasi/").content.decode()
    reviewer.post(
        f"/lembaga/verifikasi/{provider.pk}/",
        {
            "decision": "approve",
            "documents_valid": "on",
            "capacity_plausible": "on",
            "site_visited_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    provider.refresh_from_db()
    assert provider.status == "approved_once"


def test_the_sixteen_upt_blk_are_seeded_as_verified_providers() -> None:
    assert blk_providers_load() == 16
    assert blk_providers_load() == 0
    blks = Provider.objects.filter(kind="blk", status="verified")
    assert blks.count() == 16
    assert all(b.capacities.count() == 4 for b in blks)


def test_api_operator_and_review() -> None:
    import json

    from prakerja.accounts.tokens import api_token_create

    operator = _operator()
    provider = _submitted(operator)
    client = Client()
    own = {"Authorization": f"Bearer {api_token_create(user=operator)}"}
    assert client.get("/api/v1/providers/mine", headers=own).json()["status"] == "submitted"
    edit = client.put(
        "/api/v1/providers/mine",
        json.dumps({"name": "LPK Baru Sekali", "kind": "lpk", "address": "Jl. Darmo 12 Surabaya"}),
        content_type="application/json",
        headers=own,
    )
    assert (edit.status_code, edit.json()["code"]) == (409, "provider.not_editable")
    officer = {"Authorization": f"Bearer {api_token_create(user=make_user(role=Role.MANAGER))}"}
    queue = client.get("/api/v1/providers/queue", headers=officer).json()
    assert [p["id"] for p in queue] == [provider.pk]
    body = {
        "decision": "approve",
        "documents_valid": True,
        "capacity_plausible": True,
        "site_visited_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
    }
    done = client.post(
        f"/api/v1/providers/{provider.pk}/review",
        json.dumps(body),
        content_type="application/json",
        headers=officer,
    )
    assert done.json()["status"] == "approved_once"
    assert client.get("/api/v1/providers/queue", headers=own).status_code == 403
