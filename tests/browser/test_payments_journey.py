"""The "done when" of issue 15, in phone-sized Chromium: a participant who completed a course
is paid end to end in the browser. The participant registers an account; an instalment falls
due (the daily job, run as ``manage.py payments_make_due``); one treasury officer builds a
batch, a second approves it with the numbers in front of them, the first downloads the bank's
file; the bank's result file marks one line paid and the participant's failed; the participant
changes the account with the code sent by SMS; the next batch pays it; the report balances.

The completion itself is made with the services (``manage.py shell -c``), as the provider's
pages are tested in the training journey; the 24-hour hold after the account change is lifted
the same way, as time would.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import (
    PAGE_TIMEOUT_MS,
    PHONE_CONTEXT,
    RESULTS_DIR,
    AppServer,
    page_check,
    staff_sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser
PARTICIPANT = "pendaftar"

COMPLETIONS = """
from datetime import timedelta
from django.utils import timezone
from prakerja.accounts.models import User
from prakerja.enrolment.models import Participant
from prakerja.enrolment.services.completion import completion_record
from prakerja.enrolment.services.enrolments import enrolment_create
from prakerja.payments.services.accounts import account_register
from prakerja.registry.models import Registration
from prakerja.training.models import CourseBatch
operator = User.objects.get(username="lpk")
batch = CourseBatch.objects.filter(course__provider__name="LPK Demo Surabaya",
    starts_on__gt=timezone.localdate()).order_by("course__price").first()
mine = Participant.objects.get(registration__user__username="pendaftar")
other = Participant.objects.filter(status="active").exclude(pk=mine.pk).order_by("pk").first()
Registration.objects.filter(pk=other.registration_id).update(full_name="Budi Santoso")
other.registration.full_name = "Budi Santoso"
enrolments = [enrolment_create(actor=p.registration.user, participant=p, batch=batch)
              for p in (mine, other)]
today = timezone.localdate()
CourseBatch.objects.filter(pk=batch.pk).update(
    starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=1))
for e in enrolments:
    completion_record(actor=operator, enrolment_id=e.pk, attendance_percent=90, final_score=80)
account_register(actor=other.registration.user, channel="bank", provider="009",
                 number="0090001234", holder_name="Budi Santoso")
"""
HOLD_LIFTED = (
    "from prakerja.payments.models import PaymentAccount; "
    "PaymentAccount.objects.filter(is_active=True).update(blocked_until=None)"
)


def _context(browser: Browser) -> BrowserContext:
    context = browser.new_context(**PHONE_CONTEXT, accept_downloads=True)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context


def _shot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"payments-{name}.png")


def _applicant_sign_in(page: Page, server: AppServer) -> None:
    from playwright.sync_api import expect

    from prakerja.assistance.demo import DEMO_PASSWORD

    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Nama pengguna").fill(PARTICIPANT)
    page.get_by_label("Sandi", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def _batch(first: Page, second: Page, server: AppServer, lines: int, total: str) -> str:
    """Built by the first officer, approved by the second; the bank file's text."""
    from playwright.sync_api import expect

    first.goto(f"{server.url}/pembayaran/")
    first.get_by_role("button", name="Susun batch").click()
    expect(first.get_by_text("Persetujuan harus oleh petugas perbendaharaan lain.")).to_be_visible()
    second.goto(first.url)
    approve = second.get_by_role("button", name=f"Ya, setujui {lines} transfer ({total})")
    _shot(second, f"approve-{lines}")
    approve.click()
    expect(second.get_by_text("disetujui. Berkas bank sekarang dapat diunduh.")).to_be_visible()
    first.reload()
    with first.expect_download() as download:
        first.get_by_role("link", name=re.compile("Unduh berkas Rekening bank")).click()
    return download.value.path().read_text("utf-8")


def _result(page: Page, server: AppServer, lines: list[str]) -> None:
    page.goto(f"{server.url}/pembayaran/hasil-bank/")
    content = "batch,line,amount,status,reason\n" + "\n".join(lines) + "\n"
    page.get_by_label(re.compile("Berkas CSV dari bank")).set_input_files(
        {"name": "hasil.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Impor").click()


def test_a_participant_is_paid_end_to_end_in_the_browser(
    browser: Browser, own_app_server: AppServer
) -> None:
    server = own_app_server
    from playwright.sync_api import expect

    server.manage("training_demo_courses")
    server.manage("enrolment_demo_load")
    server.manage("shell", "-c", COMPLETIONS)
    contexts = [_context(browser) for _ in range(3)]
    applicant, first, second = (context.new_page() for context in contexts)
    try:
        # 1. The participant registers a bank account in their own name.
        _applicant_sign_in(applicant, server)
        applicant.goto(f"{server.url}/pembayaran-saya/")
        applicant.get_by_role("button", name="Daftarkan rekening").click()
        applicant.get_by_label("Bank (untuk rekening bank)").select_option(label="BRI")
        applicant.get_by_label("Nomor rekening, atau nomor HP dompet digital").fill("12")
        applicant.get_by_role("button", name="Simpan rekening").click()
        expect(applicant.locator("#error-summary")).to_contain_text("6–20 angka")
        applicant.get_by_label("Nomor rekening, atau nomor HP dompet digital").fill(
            "0021 0000 7777"
        )
        applicant.get_by_role("button", name="Simpan rekening").click()
        expect(applicant.get_by_text("Rekening pembayaran tersimpan.")).to_be_visible()
        expect(applicant.locator("#account")).to_contain_text("BRI …7777")

        # 2. The daily job: the first instalment falls due.
        server.manage("payments_make_due")
        applicant.reload()
        expect(applicant.locator('#instalments li[data-status="due"]')).to_have_count(1)
        _shot(applicant, "1-due")

        # 3. Build, approve (second officer), download the bank's file.
        staff_sign_in(first, server, "bendahara")
        staff_sign_in(second, server, "bendahara2")
        bank_file = _batch(first, second, server, 2, "Rp 1.200.000")
        rows = bank_file.splitlines()
        assert rows[0].endswith(",2,1200000") and rows[-1].startswith("T,2,1200000,")
        details = [row.split(",") for row in rows[1:-1]]
        mine = next(d for d in details if d[3] == "002100007777")
        other = next(d for d in details if d[3] != "002100007777")
        code = rows[0].split(",")[1]

        # 4. The bank: the other line paid, the participant's failed.
        _result(
            first,
            server,
            [
                f"{code},{other[1]},600000,paid,",
                f"{code},{mine[1]},600000,failed,Nomor rekening tidak ditemukan",
            ],
        )
        expect(first.locator("#result-summary")).to_contain_text(
            "Diterapkan: 1 berhasil, 1 gagal, 0 dikembalikan."
        )
        _shot(first, "2-result")

        # 5. The participant sees why, and changes the account with the SMS code.
        phone = server.query(
            "SELECT r.phone FROM registry_registration r JOIN accounts_user u ON u.id = r.user_id"
            " WHERE u.username = ?",
            (PARTICIPANT,),
        )[0][0]
        before = server.last_sms_id()
        applicant.goto(f"{server.url}/pembayaran-saya/")
        expect(applicant.locator("[data-problem]")).to_contain_text(
            "Transfer terakhir gagal: Nomor rekening tidak ditemukan."
        )
        _shot(applicant, "3-failed")
        applicant.get_by_role("link", name="Periksa atau ganti rekening").click()
        applicant.get_by_label("Bank (untuk rekening bank)").select_option(label="BNI")
        applicant.get_by_label("Nomor rekening, atau nomor HP dompet digital").fill("0091234567")
        applicant.get_by_role("button", name="Kirim kode lewat SMS").click()
        _id, sms_code = server.latest_sms(phone, pattern=r"(\d{6})", after_id=before)
        applicant.get_by_label("Nomor rekening, atau nomor HP dompet digital").fill("0091234567")
        applicant.get_by_label("Kode dari SMS (6 angka)").fill(sms_code)
        applicant.get_by_role("button", name="Simpan rekening").click()
        expect(applicant.locator("#account")).to_contain_text("BNI …4567")
        expect(applicant.get_by_text("Pembayaran ditahan sampai")).to_be_visible()

        # 6. A day later: the next batch pays it.
        server.manage("shell", "-c", HOLD_LIFTED)
        bank_file = _batch(first, second, server, 1, "Rp 600.000")
        (line,) = [row.split(",") for row in bank_file.splitlines()[1:-1]]
        assert line[3] == "0091234567"
        _result(first, server, [f"{bank_file.split(',')[1]},{line[1]},600000,paid,"])
        expect(first.locator("#result-summary")).to_contain_text("Diterapkan: 1 berhasil")
        applicant.goto(f"{server.url}/pembayaran-saya/")
        expect(applicant.locator("#total-paid")).to_have_text("Rp 600.000")
        _shot(applicant, "4-paid")

        # 7. The ledger and the report agree to the rupiah.
        first.goto(f"{server.url}/pembayaran/laporan/")
        expect(first.locator("#ledger-ok")).to_be_visible()
        expect(first.locator("#balance-paid")).to_have_text("Rp 1.200.000")
        _shot(first, "5-report")
    finally:
        for context in contexts:
            context.close()
