"""The "done when" of issue 14, in a phone-sized Chromium: a participant selected in the demo
wave browses the catalogue, enrols (the price taken from the balance), the provider records the
completion, the participant downloads the certificate PDF, anyone verifies it on the public
page (masked name), and the participant rates the course once.

The demo data is loaded as ``make run`` loads it (``training_demo_courses`` then
``enrolment_demo_load``, which publishes a small demo wave in which the demo applicant
"pendaftar" is selected). The batch's dates are moved into the past between enrolment and
completion with ``manage.py shell -c``, as time would.
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
COURSE = "Dasar Pembukuan Usaha Kecil"
PARTICIPANT, OPERATOR = "pendaftar", "lpk"
BATCH_TO_THE_PAST = """
from datetime import timedelta
from django.utils import timezone
from prakerja.training.models import CourseBatch
today = timezone.localdate()
CourseBatch.objects.filter(pk={batch}).update(
    starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=1)
)
"""


def _context(browser: Browser) -> BrowserContext:
    context = browser.new_context(**PHONE_CONTEXT, accept_downloads=True)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context


def _shot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"training-{name}.png")


def _applicant_sign_in(page: Page, server: AppServer) -> None:
    from playwright.sync_api import expect

    from prakerja.assistance.demo import DEMO_PASSWORD

    page.goto(f"{server.url}/accounts/login/")
    page.get_by_label("Nama pengguna").fill(PARTICIPANT)
    page.get_by_label("Sandi", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def test_from_catalogue_to_a_verified_certificate_and_a_rating(
    browser: Browser, own_app_server: AppServer
) -> None:
    app_server = own_app_server
    from playwright.sync_api import expect

    app_server.manage("training_demo_courses")
    app_server.manage("enrolment_demo_load")
    applicant_context, operator_context, public_context = (
        _context(browser),
        _context(browser),
        _context(browser),
    )
    applicant = applicant_context.new_page()
    operator = operator_context.new_page()
    public = public_context.new_page()
    try:
        # 1. The catalogue, filtered on a phone, and the course page with its batches.
        _applicant_sign_in(applicant, app_server)
        applicant.goto(f"{app_server.url}/pelatihan/")
        applicant.get_by_text("Cari dan saring").click()
        applicant.get_by_label("Kata kunci (judul atau lembaga)").fill("pembukuan")
        applicant.get_by_role("button", name="Tampilkan").click()
        expect(applicant.locator("#catalogue-count")).to_have_text("1 pelatihan")
        _shot(applicant, "1-catalogue")
        applicant.get_by_role("link", name=COURSE).click()
        expect(applicant.locator("#course-price")).to_have_text("Rp 500.000")
        _shot(applicant, "2-course")

        # 2. Enrolment: check answers with the balance before and after, then confirmation.
        applicant.get_by_role("button", name="Pilih angkatan ini").first.click()
        expect(applicant.locator("#balance-before")).to_have_text("Rp 1.000.000")
        expect(applicant.locator("#balance-after")).to_have_text("Rp 500.000")
        _shot(applicant, "3-confirm")
        applicant.get_by_role("button", name=re.compile("Daftar dan bayar Rp 500.000")).click()
        _shot(applicant, "4-enrolled")
        batch = app_server.query(
            "SELECT e.batch_id FROM enrolment_enrolment e "
            "JOIN enrolment_participant p ON p.id = e.participant_id "
            "JOIN registry_registration r ON r.id = p.registration_id "
            "JOIN accounts_user u ON u.id = r.user_id WHERE u.username = ?",
            (PARTICIPANT,),
        )[0][0]

        # 3. The training runs; the provider records attendance and the final score.
        app_server.manage("shell", "-c", BATCH_TO_THE_PAST.format(batch=batch))
        staff_sign_in(operator, app_server, OPERATOR)
        operator.goto(f"{app_server.url}/penyelenggaraan/angkatan/{batch}/")
        row = operator.locator("article.participant", has_text="Pe*** De***")
        row.get_by_label("Kehadiran (%)").fill("92")
        row.get_by_label("Nilai ujian akhir").fill("81")
        row.get_by_role("button", name="Simpan kelulusan").click()
        expect(operator.get_by_text("Tercatat: Selesai.")).to_be_visible()
        _shot(operator, "5-provider")

        # 4. The certificate PDF, and its public check with a masked name.
        applicant.goto(f"{app_server.url}/pelatihan-saya/")
        with applicant.expect_download() as download:
            applicant.get_by_role("button", name="Unduh sertifikat (PDF)").click()
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")
        number = app_server.query(
            "SELECT c.number FROM enrolment_certificate c "
            "JOIN enrolment_enrolment e ON e.id = c.enrolment_id WHERE e.batch_id = ?",
            (batch,),
        )[0][0]
        public.goto(f"{app_server.url}/sertifikat/{number}")
        expect(public.locator("#certificate-number")).to_have_text(number)
        expect(public.locator("#certificate-name")).to_have_text("Pe*** De***")
        expect(public.get_by_text("Pendaftar Demo")).to_have_count(0)
        _shot(public, "6-verified")

        # 5. One rating.
        applicant.get_by_role("link", name="Beri penilaian").click()
        applicant.get_by_label("5").check()
        applicant.get_by_label("Komentar (boleh kosong)").fill("Jelas dan praktis.")
        applicant.get_by_role("button", name="Kirim penilaian").click()
        expect(applicant.get_by_text("Terima kasih, penilaian Anda tersimpan.")).to_be_visible()
        expect(applicant.get_by_role("link", name="Beri penilaian")).to_have_count(0)
        _shot(applicant, "7-rated")
    finally:
        for context in (applicant_context, operator_context, public_context):
            context.close()


def _review(page: Page, server: AppServer, provider: str, *, visited: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/lembaga/verifikasi/")
    page.get_by_role("link", name=provider).click()
    page.get_by_label("Dokumen legalitas sah dan sesuai").check()
    page.get_by_label("Kapasitas wajar untuk tempat dan pengajar").check()
    page.get_by_label("Tanggal kunjungan lapangan").fill(visited)
    page.get_by_role("button", name=re.compile("^Setujui")).click()
    expect(page.get_by_text("Keputusan disimpan.")).to_be_visible()


def test_a_provider_is_verified_by_two_staff_members(
    browser: Browser, own_app_server: AppServer
) -> None:
    app_server = own_app_server
    from datetime import date, timedelta

    from playwright.sync_api import expect

    app_server.manage("training_demo_courses")
    provider = "LPK Karya Mandiri Surabaya"
    visited = (date.today() - timedelta(days=2)).isoformat()
    first_context, second_context = _context(browser), _context(browser)
    first, second = first_context.new_page(), second_context.new_page()
    try:
        # The regency's data officer approves first: the provider waits for a second approval.
        staff_sign_in(first, app_server, "datasby")
        _review(first, app_server, provider, visited=visited)
        first.get_by_role("link", name=provider).click()
        expect(first.locator("#provider-status")).to_have_text("Menunggu persetujuan kedua")
        # The same person cannot give the second approval (four-eyes).
        first.get_by_label("Dokumen legalitas sah dan sesuai").check()
        first.get_by_label("Kapasitas wajar untuk tempat dan pengajar").check()
        first.get_by_label("Tanggal kunjungan lapangan").fill(visited)
        first.get_by_role("button", name=re.compile("^Setujui")).click()
        expect(first.locator("#error-summary")).to_contain_text("petugas lain")
        _shot(first, "8-four-eyes")
        # A manager gives the second approval: verified.
        staff_sign_in(second, app_server, "manajer")
        _review(second, app_server, provider, visited=visited)
        status = app_server.query(
            "SELECT status FROM training_provider WHERE name = ?", (provider,)
        )[0][0]
        assert status == "verified"
        _shot(second, "9-verified")
    finally:
        first_context.close()
        second_context.close()
