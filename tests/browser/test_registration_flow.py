"""The "done when" of issue 3 in a phone-sized Chromium: from phone number to a complete,
eligible registration with a receipt, and a visit booking that hits a slot which filled up
meanwhile. (At a posko: ``test_posko_flow.py``; the shared steps: ``flow.py``.)

The app server, its SQLite database and the browser come from ``conftest.py``. SMS codes are
read from the outbox table of that database, exactly as the demo's "Kotak keluar" shows them;
scenes the browser cannot set up (another person taking the last seat of a slot) are prepared
with ``manage.py shell -c`` against the same database. Every person is generated fresh (phone,
NIK, KK), so the scenarios do not depend on each other or on their order.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import TYPE_CHECKING

import pytest

from tests.browser.flow import (
    FULL_SLOT_MESSAGE,
    OFFICER_POST_CODE,
    PageWatch,
    accessible,
    expect_heading,
    failed,
    fill_contact,
    fill_identity,
    fill_wizard,
    new_page,
    new_person,
    new_phone,
    screenshot,
    sign_in_by_phone,
    submit_and_expect_eligible,
)
from tests.browser.support import RESULTS_DIR, AppServer

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser

# --- Scenario 1: online ----------------------------------------------------------------------


def test_online_registration_from_phone_number_to_receipt(
    phone_context: BrowserContext, app_server: AppServer, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    person = new_person("Siti Rahayu Wulandari", date(1994, 3, 21), "P")
    page = new_page(phone_context, watch)
    try:
        sign_in_by_phone(page, app_server, person, "online-0")

        page.goto(f"{app_server.url}/daftar/")
        expect_heading(page, "Pendaftaran Kartu Prakerja Jawa Timur")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        reference = fill_wizard(page, person, "online")
        submit_and_expect_eligible(page, reference, "online")

        page.get_by_role("button", name="Bukti pendaftaran").click()
        expect_heading(page, "Bukti Pendaftaran Kartu Prakerja")
        receipt = page.locator(".receipt")
        expect(receipt.locator(".receipt-reference")).to_contain_text(reference)
        expect(receipt.get_by_role("row", name="NIK")).to_contain_text(person.nik_masked)
        expect(receipt.get_by_role("row", name="Kanal")).to_contain_text("Daring")
        expect(receipt.get_by_role("row", name="Status")).to_contain_text("Terkirim")
        assert person.nik not in page.content(), "the receipt shows the whole NIK"
        screenshot(page, "online-11-receipt")

        pdf_link = page.get_by_role("button", name="Unduh PDF")
        expect(pdf_link).to_have_attribute("href", f"/daftar/{reference}/bukti.pdf")
        # Through the page's own cookies: the PDF is only for the signed-in applicant.
        pdf = page.request.get(f"{app_server.url}/daftar/{reference}/bukti.pdf")
        assert pdf.status == 200, pdf.text()[:500]
        assert pdf.headers["content-type"].startswith("application/pdf")
        assert pdf.body().startswith(b"%PDF")
        (RESULTS_DIR / "flow-online-receipt.pdf").write_bytes(pdf.body())
    except BaseException:
        failed(page, app_server, "online")
        raise
    watch.assert_clean()


def test_a_refused_step_focuses_its_error_summary_linked_to_the_fields(
    phone_context: BrowserContext, app_server: AppServer
) -> None:
    from playwright.sync_api import expect

    person = new_person("Rina Kusuma", date(1996, 1, 30), "P")
    page = phone_context.new_page()  # no PageWatch: the 422 of the refused step is expected
    try:
        sign_in_by_phone(page, app_server, person, "errors-0")
        page.goto(f"{app_server.url}/daftar/")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        expect_heading(page, "Data diri")
        page.get_by_role("button", name="Simpan dan lanjut").click()

        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading", level=2)).to_have_text("Ada masalah")
        expect(summary.get_by_role("link", name="NIK wajib diisi sesuai KTP.")).to_have_attribute(
            "href", "#id_nik"
        )
        expect(page.locator("#nik-error")).to_have_text("NIK wajib diisi sesuai KTP.")
        screenshot(page, "errors-1-summary")
        accessible(page)

        # On a page of several steps, the step filled in right is kept; the others are refused.
        fill_identity(page, person)
        page.get_by_role("button", name="Simpan dan lanjut").click()
        expect_heading(page, "Kontak, domisili, dan pekerjaan")
        fill_contact(page, person)
        page.get_by_role("button", name="Simpan dan lanjut").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link", name="Alamat domisili wajib diisi.")).to_have_attribute(
            "href", "#id_address"
        )
        expect(page.locator("#step-domicile #address-error")).to_have_text(
            "Alamat domisili wajib diisi."
        )
        expect(page.locator("details.registry-steps-details")).to_contain_text("Kontak sudah diisi")
        screenshot(page, "errors-2-grouped-page")
        accessible(page)
    except BaseException:
        failed(page, app_server, "errors")
        raise


# --- Scenario 3: booking hits a full slot ---------------------------------------------------

# Another person takes the last seat of the slot the applicant is looking at: the slot's
# capacity shrinks to what is booked plus one, and the other person books that seat through the
# same service the page uses.
FILL_SLOT = """
import json
from django.db.models import F
from prakerja.accounts.services import applicant_get_or_create_by_phone
from prakerja.assistance.models import Channel, Slot
from prakerja.assistance.services import appointment_book

Slot.objects.filter(pk={slot_id}).update(capacity=F("booked") + 1)
slot = Slot.objects.select_related("post").get(pk={slot_id})
other, _ = applicant_get_or_create_by_phone(phone={phone!r})
appointment_book(actor=other, slot=slot, applicant=other, channel=Channel.ONLINE)
slot.refresh_from_db()
print(json.dumps({{"booked": slot.booked, "capacity": slot.capacity}}))
"""


def test_booking_a_full_slot_then_a_free_one(
    phone_context: BrowserContext, app_server: AppServer, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    person = new_person("Dewi Lestari", date(1999, 7, 9), "P")
    (post_name,) = app_server.query(
        "SELECT name FROM assistance_post WHERE code = ?", (OFFICER_POST_CODE,)
    )[0]
    page = new_page(phone_context, watch)
    try:
        sign_in_by_phone(page, app_server, person, "booking-0")

        page.goto(f"{app_server.url}/posko/")
        page.get_by_label("Cari posko menurut nama atau kabupaten/kota").fill(post_name)
        page.get_by_role("button", name="Cari").click()
        page.get_by_role("link", name=f"Pesan jadwal kunjungan: {post_name}").click()
        expect_heading(page, "Pesan jadwal kunjungan")
        expect(page.get_by_text(post_name).first).to_be_visible()

        # Not today: today's slots may already have started, depending on the hour.
        dates = page.get_by_label("Tanggal")
        assert dates.locator("option").count() >= 2, "the post has fewer than two open days"
        day_value = dates.locator("option").nth(1).get_attribute("value")
        day_label = dates.locator("option").nth(1).inner_text().strip()
        assert day_value
        dates.select_option(value=day_value)
        slots = page.locator("#slots")
        expect(slots.get_by_role("group")).to_contain_text(f"Pilih jam pada {day_label}")
        radios = slots.get_by_role("radio")
        expect(radios.first).to_be_visible()
        free_before = radios.count()
        assert free_before >= 2, "fewer than two free slots to choose from"
        full_slot = radios.nth(0)
        full_slot_id = full_slot.get_attribute("value")
        full_slot_label = full_slot.locator("xpath=..").inner_text()
        screenshot(page, "booking-1-slots")

        # Between opening the page and pressing "Pesan jadwal", someone takes the last seat.
        other = "+62" + new_phone()[1:]
        assert full_slot_id
        outcome = app_server.manage(
            "shell", "-c", FILL_SLOT.format(slot_id=int(full_slot_id), phone=other)
        )
        seats = json.loads(outcome.strip().splitlines()[-1])
        assert seats["booked"] == seats["capacity"], seats

        full_slot.check()
        page.get_by_role("button", name="Pesan jadwal").click()
        expect(page.get_by_role("alert")).to_have_text(FULL_SLOT_MESSAGE)
        # The choice of day is kept; only the full slot is gone from the list.
        expect(page.get_by_label("Tanggal")).to_have_value(day_value)
        expect(slots.get_by_role("radio")).to_have_count(free_before - 1)
        expect(slots.locator(f"input[value='{full_slot_id}']")).to_have_count(0)
        screenshot(page, "booking-2-full")

        chosen = slots.get_by_role("radio").first
        chosen_label = chosen.locator("xpath=..").inner_text()
        time_range = re.search(r"\d{2}\.\d{2}–\d{2}\.\d{2}", chosen_label)
        assert time_range, chosen_label
        assert time_range.group(0) not in full_slot_label
        chosen.check()
        page.get_by_role("button", name="Pesan jadwal").click()

        expect(page).to_have_url(re.compile(re.escape(f"{app_server.url}/posko/janji-temu/?baru=")))
        expect_heading(page, "Jadwal kunjungan sudah dipesan")
        expect(page.locator("#booking-confirmation")).to_contain_text(time_range.group(0))
        save = page.get_by_role("button", name="Tambahkan ke kalender / Simpan")
        expect(save).to_be_visible()
        screenshot(page, "booking-3-confirmation")
        appointment = page.locator("article.appointment")
        expect(appointment).to_have_count(1)
        expect(appointment).to_contain_text(post_name)
        expect(appointment).to_contain_text(day_label)
        expect(appointment).to_contain_text(time_range.group(0))
        expect(appointment).to_contain_text("Terjadwal")
        screenshot(page, "booking-4-booked")
    except BaseException:
        failed(page, app_server, "booking")
        raise
    watch.assert_clean()
