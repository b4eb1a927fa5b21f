"""The "done when" of issue 3 in a phone-sized Chromium: from phone number to a complete,
eligible registration with a receipt; an officer registering someone at a posko and handing
the account over; and a visit booking that hits a slot which filled up meanwhile.

The app server, its SQLite database and the browser come from ``conftest.py``. SMS codes are
read from the outbox table of that database, exactly as the demo's "Kotak keluar" shows them;
scenes the browser cannot set up (another person taking the last seat of a slot) are prepared
with ``manage.py shell -c`` against the same database. Every person is generated fresh (phone,
NIK, KK), so the scenarios do not depend on each other or on their order.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import (
    PAGE_TIMEOUT_MS,
    PHONE_CONTEXT,
    RESULTS_DIR,
    AppServer,
    axe_violations,
    page_check,
    staff_sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

OFFICER = "petugas"
OFFICER_POST_CODE = "disnaker-3578"
SIGN_IN_CODE = r"Kode masuk Prakerja Jatim: (\d{6})"
ACCESS_CODE = r"Kode akses Prakerja Jatim: ([A-Z0-9]{4}-[A-Z0-9]{4})"
FULL_SLOT_MESSAGE = "Slot ini sudah penuh. Silakan pilih jam lain."
SURABAYA_DISTRICT = "357801"
PHONE_HEIGHT = PHONE_CONTEXT["viewport"]["height"]  # Kota Surabaya, Kecamatan Karang Pilang

_rng = random.SystemRandom()


# --- People ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    full_name: str
    birth_place: str
    birth_date: date
    gender: str  # "L" or "P", as on the KTP
    phone_local: str  # as people type it: 0812…
    nik: str
    kk: str

    @property
    def phone_e164(self) -> str:
        return "+62" + self.phone_local[1:]

    @property
    def gender_label(self) -> str:
        return "Laki-laki" if self.gender == "L" else "Perempuan"

    @property
    def nik_masked(self) -> str:
        return f"{self.nik[:4]}{'*' * 8}{self.nik[-4:]}"


def _new_phone() -> str:
    return "0812" + "".join(_rng.choice("0123456789") for _ in range(8))


def _new_person(full_name: str, birth_date: date, gender: str) -> Person:
    from prakerja.identity.nik import nik_build

    return Person(
        full_name=full_name,
        birth_place="Surabaya",
        birth_date=birth_date,
        gender=gender,
        phone_local=_new_phone(),
        # A well-formed NIK first registered in Karang Pilang, matching birth date and gender,
        # and a KK from the same district: no warning to distract from the flow under test.
        nik=nik_build(
            district_code=SURABAYA_DISTRICT,
            birth_date=birth_date,
            gender=gender,
            serial=_rng.randint(1, 9999),
        ),
        kk=SURABAYA_DISTRICT + "".join(_rng.choice("0123456789") for _ in range(10)),
    )


# --- Browser helpers ------------------------------------------------------------------------


class PageWatch:
    """Collects what must never happen on these pages: error answers and JavaScript errors."""

    def __init__(self) -> None:
        self.bad_responses: list[str] = []
        self.page_errors: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on(
            "response",
            lambda response: (
                self.bad_responses.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        return page

    def assert_clean(self) -> None:
        assert self.bad_responses == [], f"responses with an error status: {self.bad_responses}"
        assert self.page_errors == [], f"JavaScript errors: {self.page_errors}"


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


def _shot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"flow-{name}.png")


def _accessible(page: Page) -> None:
    """The wizard's own pages pass axe-core (WCAG 2.1 AA) as a person meets them."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}: {violations}"


def _failed(page: Page, server: AppServer, name: str) -> None:
    """What to look at when a scenario fails: the screen and the server's last log lines."""
    page.screenshot(path=RESULTS_DIR / f"flow-{name}-failure.png", full_page=True)
    print(f"--- gunicorn log (last lines) ---\n{server.log_tail()}")


def _new_page(context: BrowserContext, watch: PageWatch) -> Page:
    return watch.attach(context.new_page())


def _expect_heading(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _sign_in_by_phone(page: Page, server: AppServer, person: Person, shot: str) -> None:
    """``Masuk atau daftar dengan nomor HP``: a new number gets an account and an SMS code."""
    from playwright.sync_api import expect

    page.goto(f"{server.url}/")
    page.get_by_role("link", name="Masuk / daftar").click()
    _expect_heading(page, "Masuk atau daftar dengan nomor HP")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    before = server.last_sms_id()
    page.get_by_label("Nomor HP").fill(person.phone_local)
    _shot(page, f"{shot}-phone")
    page.get_by_role("button", name="Kirim kode SMS").click()

    _expect_heading(page, "Masukkan kode dari SMS")
    _, code = server.latest_sms(person.phone_e164, pattern=SIGN_IN_CODE, after_id=before)
    page.get_by_label("Kode", exact=True).fill(code)
    _shot(page, f"{shot}-code")
    page.get_by_role("button", name="Masuk", exact=True).click()
    # Signed in: the header offers "Keluar" instead of "Masuk / daftar".
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def _fill_identity(page: Page, person: Person) -> None:
    from playwright.sync_api import expect

    # Typed key by key: the live check (htmx, on keyup) answers while the person types, and
    # a valid NIK fills in the birth date (day, month by its name, year) and the sex.
    page.get_by_label("NIK", exact=True).press_sequentially(person.nik)
    result = page.locator("#nik-result")
    expect(result).to_contain_text(_indonesian_date(person.birth_date))
    expect(result).to_contain_text("Karang Pilang")
    birth_date = page.get_by_role("group", name="Tanggal lahir")
    expect(birth_date.get_by_label("Tanggal", exact=True)).to_have_value(str(person.birth_date.day))
    expect(birth_date.get_by_label("Bulan")).to_have_value(str(person.birth_date.month))
    expect(birth_date.get_by_label("Tahun")).to_have_value(str(person.birth_date.year))
    gender = page.get_by_label("Jenis kelamin")
    expect(gender).to_have_value(person.gender)

    # A sex against the NIK is pointed out at once, and goes away once put right.
    gender.select_option(value="L" if person.gender == "P" else "P")
    expect(page.locator("#nik-contradictions")).to_be_visible()
    page.get_by_label("Jenis kelamin").select_option(label=person.gender_label)
    expect(page.locator("#nik-contradictions")).to_have_count(0)

    page.get_by_label("Nomor Kartu Keluarga (KK)").fill(person.kk)
    page.get_by_label("Nama lengkap sesuai KTP").fill(person.full_name)
    page.get_by_label("Tempat lahir").fill(person.birth_place)


def _fill_contact(page: Page, person: Person) -> None:
    page.get_by_label("Nomor HP").fill(person.phone_local)


def _fill_domicile(page: Page, person: Person) -> None:
    from playwright.sync_api import expect

    # Started from where the NIK was issued (Karang Pilang, Kota Surabaya): only confirmed.
    expect(page.locator("#domicile-from-nik")).to_be_visible()
    expect(page.get_by_label("Provinsi")).to_have_value("35")
    expect(page.get_by_label("Kabupaten/kota domisili")).to_have_value(SURABAYA_DISTRICT[:4])
    expect(page.get_by_label("Kecamatan domisili")).to_have_value(SURABAYA_DISTRICT)
    page.get_by_label("Alamat domisili").fill("Jl. Mastrip No. 12, RT 03/RW 05, Kedurus")


def _fill_work(page: Page, person: Person) -> None:
    page.get_by_label("Status pekerjaan").select_option(label="Korban PHK")
    page.get_by_label("Jabatan").select_option(label="Tidak termasuk jabatan di bawah ini")
    page.get_by_label("Tempat kerja terakhir").fill("PT Sinar Jaya Garmen")
    page.get_by_label("Tanggal terakhir bekerja").fill("2025-06-30")


def _fill_education(page: Page, person: Person) -> None:
    page.get_by_label("Tidak, saya tidak sedang sekolah atau kuliah").check()


def _fill_consent(page: Page, person: Person) -> None:
    page.get_by_label("Saya menyetujui pemrosesan data pribadi saya").check()
    page.get_by_label("Saya menyatakan data yang saya isi benar").check()


def _fill_test(page: Page, person: Person) -> None:
    from playwright.sync_api import expect

    questions = page.locator("main form fieldset")
    expect(questions.first).to_be_visible()
    for question in questions.all():
        question.get_by_role("radio").first.check()


# Heading of each step → how a person fills it, in the wizard's order.
STEPS: dict[str, Callable[[Page, Person], None]] = {
    "Data diri": _fill_identity,
    "Kontak": _fill_contact,
    "Domisili": _fill_domicile,
    "Pekerjaan": _fill_work,
    "Pendidikan dan disabilitas": _fill_education,
    "Persetujuan": _fill_consent,
    "Tes pendaftaran": _fill_test,
}
STATUS_HEADING = "Status pendaftaran"
CHECK_HEADING = "Periksa jawaban Anda"


def _fill_wizard(page: Page, person: Person, shot: str) -> str:
    """Follow the wizard from "Data diri" to the check-answers page, filling whatever step it
    shows (it skips a step that is already complete: "Kontak" starts with the account's phone).
    Returns the reference."""
    from playwright.sync_api import expect

    _expect_heading(page, "Data diri")
    match = re.search(r"/daftar/([^/]+)/identity/", page.url)
    assert match, f"not on the identity step: {page.url}"
    reference = match.group(1)

    heading = page.get_by_role("heading", level=1)
    filled: list[str] = []
    for number in range(1, len(STEPS) + 1):
        title = heading.inner_text().strip()
        if title == CHECK_HEADING:
            break
        assert title in STEPS, f"unexpected page {title!r} at {page.url}"
        assert title not in filled, f"the wizard came back to {title!r}: {page.url}"
        expect(page.get_by_text(f"Nomor pendaftaran {reference}")).to_be_visible()
        position = list(STEPS).index(title) + 1
        expect(page.locator("#step-counter")).to_have_text(f"Langkah {position} dari {len(STEPS)}")
        # The list of steps is folded: the step's form (at least its first question) is on the
        # first screen, below the site's header.
        expect(page.locator("details.registry-steps-details")).not_to_have_attribute("open", "")
        box = page.locator("main form").bounding_box()
        assert box is not None and box["y"] + 100 < PHONE_HEIGHT, f"{title}: form at {box}"
        STEPS[title](page, person)
        _shot(page, f"{shot}-{number}-{title.split()[0].lower()}")
        _accessible(page)
        page.get_by_role("button", name="Simpan dan lanjut").click()
        # Saved (a redirect to the next step) rather than the same form again with errors.
        expect(heading).not_to_have_text(title)
        filled.append(title)
    _expect_heading(page, CHECK_HEADING)
    skipped = [title for title in STEPS if title not in filled]
    assert skipped in ([], ["Kontak"]), f"steps never shown: {skipped}"

    # Every answer, readable, the NIK masked, the contact step with the account's phone.
    identity = page.locator("#answers-identity")
    expect(identity.locator(".summary-list-row").filter(has_text="NIK")).to_contain_text(
        person.nik_masked
    )
    expect(identity).to_contain_text(person.full_name)
    expect(identity).to_contain_text(_indonesian_date(person.birth_date))
    expect(identity).to_contain_text(person.gender_label)
    expect(page.locator("#answers-domicile")).to_contain_text("Karang Pilang")
    expect(page.locator("#answers-work")).to_contain_text("30 Juni 2025")
    assert person.nik not in page.content(), "the check-answers page shows the whole NIK"
    _shot(page, f"{shot}-8-check")
    _accessible(page)

    # "Ubah" leads to the step and, saved, back to this page.
    page.get_by_role("link", name="Ubah Nomor HP").click()
    _expect_heading(page, "Kontak")
    expect(page.get_by_label("Nomor HP")).to_have_value(person.phone_e164)
    page.get_by_role("button", name="Simpan dan lanjut").click()
    _expect_heading(page, CHECK_HEADING)
    return reference


MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def _indonesian_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _submit_and_expect_eligible(page: Page, reference: str, shot: str) -> None:
    """From the check-answers page: submit, the confirmation, then the status page."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Kirim pendaftaran").click()
    _expect_heading(page, "Pendaftaran terkirim")
    expect(page.locator("#confirmation-reference")).to_have_text(reference)
    expect(page.get_by_role("heading", name="Apa yang terjadi selanjutnya")).to_be_visible()
    expect(page.get_by_text("Hasil seleksi dikirim lewat SMS")).to_be_visible()
    _shot(page, f"{shot}-9-confirmation")
    _accessible(page)
    page.get_by_role("link", name="Lihat status pendaftaran").click()
    _expect_heading(page, STATUS_HEADING)
    expect(page.locator(".reference")).to_have_text(reference)
    expect(page.locator("#registration-status")).to_have_text("Terkirim")
    expect(page.locator("#registration-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#ineligibility-reasons")).to_have_count(0)
    expect(page.get_by_text("Pendaftaran Anda sudah diterima")).to_be_visible()
    _shot(page, f"{shot}-10-submitted")


def _officer_sign_in(page: Page, server: AppServer) -> None:
    """Username and password, then the code of the authenticator app (TOTP)."""
    from playwright.sync_api import expect

    staff_sign_in(page, server, OFFICER)
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


# --- Scenario 1: online ----------------------------------------------------------------------


def test_online_registration_from_phone_number_to_receipt(
    phone_context: BrowserContext, app_server: AppServer, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    person = _new_person("Siti Rahayu Wulandari", date(1994, 3, 21), "P")
    page = _new_page(phone_context, watch)
    try:
        _sign_in_by_phone(page, app_server, person, "online-0")

        page.goto(f"{app_server.url}/daftar/")
        _expect_heading(page, "Pendaftaran Kartu Prakerja Jawa Timur")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        reference = _fill_wizard(page, person, "online")
        _submit_and_expect_eligible(page, reference, "online")

        page.get_by_role("button", name="Bukti pendaftaran").click()
        _expect_heading(page, "Bukti Pendaftaran Kartu Prakerja")
        receipt = page.locator(".receipt")
        expect(receipt.locator(".receipt-reference")).to_contain_text(reference)
        expect(receipt.get_by_role("row", name="NIK")).to_contain_text(person.nik_masked)
        expect(receipt.get_by_role("row", name="Kanal")).to_contain_text("Daring")
        expect(receipt.get_by_role("row", name="Status")).to_contain_text("Terkirim")
        assert person.nik not in page.content(), "the receipt shows the whole NIK"
        _shot(page, "online-11-receipt")

        pdf_link = page.get_by_role("button", name="Unduh PDF")
        expect(pdf_link).to_have_attribute("href", f"/daftar/{reference}/bukti.pdf")
        # Through the page's own cookies: the PDF is only for the signed-in applicant.
        pdf = page.request.get(f"{app_server.url}/daftar/{reference}/bukti.pdf")
        assert pdf.status == 200, pdf.text()[:500]
        assert pdf.headers["content-type"].startswith("application/pdf")
        assert pdf.body().startswith(b"%PDF")
        (RESULTS_DIR / "flow-online-receipt.pdf").write_bytes(pdf.body())
    except BaseException:
        _failed(page, app_server, "online")
        raise
    watch.assert_clean()


def test_a_refused_step_focuses_its_error_summary_linked_to_the_fields(
    phone_context: BrowserContext, app_server: AppServer
) -> None:
    from playwright.sync_api import expect

    person = _new_person("Rina Kusuma", date(1996, 1, 30), "P")
    page = phone_context.new_page()  # no PageWatch: the 422 of the refused step is expected
    try:
        _sign_in_by_phone(page, app_server, person, "errors-0")
        page.goto(f"{app_server.url}/daftar/")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        _expect_heading(page, "Data diri")
        page.get_by_role("button", name="Simpan dan lanjut").click()

        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading", level=2)).to_have_text("Ada masalah")
        expect(summary.get_by_role("link", name="NIK wajib diisi sesuai KTP.")).to_have_attribute(
            "href", "#id_nik"
        )
        expect(page.locator("#nik-error")).to_have_text("NIK wajib diisi sesuai KTP.")
        _shot(page, "errors-1-summary")
        _accessible(page)
    except BaseException:
        _failed(page, app_server, "errors")
        raise


# --- Scenario 2: assisted at a posko ---------------------------------------------------------


def test_assisted_registration_by_an_officer_with_handover(
    phone_context: BrowserContext, browser: Browser, app_server: AppServer, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    person = _new_person("Bambang Setiawan", date(1988, 11, 5), "L")
    (post_name,) = app_server.query(
        "SELECT name FROM assistance_post WHERE code = ?", (OFFICER_POST_CODE,)
    )[0]
    page = _new_page(phone_context, watch)
    try:
        _officer_sign_in(page, app_server)

        page.goto(f"{app_server.url}/petugas/")
        _expect_heading(page, "Konsol petugas")
        expect(page.get_by_text(post_name).first).to_be_visible()
        page.get_by_role("button", name="Daftarkan seseorang").click()
        _expect_heading(page, "Daftarkan seseorang")
        page.get_by_label("Nomor HP pendaftar").fill(person.phone_local)
        page.get_by_label("NIK (boleh dikosongkan)").fill(person.nik)
        _shot(page, "assisted-0-register")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        expect(page.get_by_role("status").filter(has_text="dibuat")).to_be_visible()

        reference = _fill_wizard(page, person, "assisted")
        _submit_and_expect_eligible(page, reference, "assisted")
        expect(page.locator("dl")).to_contain_text(post_name)  # "Didampingi di"

        # The record: channel "Posko" and the post, on the receipt the officer prints.
        page.get_by_role("button", name="Bukti pendaftaran").click()
        kanal = page.locator(".receipt").get_by_role("row", name="Kanal")
        expect(kanal).to_contain_text("Posko")
        expect(kanal).to_contain_text(post_name)
        _shot(page, "assisted-11-receipt")

        # Handover: the applicant's own phone gets a one-time access code by SMS.
        page.goto(f"{app_server.url}/petugas/")
        row = page.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text(person.nik_masked)
        expect(row).to_contain_text("Terkirim")
        _shot(page, "assisted-12-console")
        row.get_by_role("link", name="Buka").click()
        _expect_heading(page, f"Pendaftaran {reference}")
        before = app_server.last_sms_id()
        page.get_by_role("button", name="Kirim kode masuk lewat SMS").click()
        expect(page.get_by_text("Kode masuk dikirim lewat SMS")).to_be_visible()
        _shot(page, "assisted-13-handover")
        assert app_server.query(
            "SELECT channel FROM registry_registration WHERE reference = ?", (reference,)
        ) == [("post",)]
    except BaseException:
        _failed(page, app_server, "assisted")
        raise

    # The applicant, on their own phone, signs in with that code: the account is theirs.
    _, access_code = app_server.latest_sms(person.phone_e164, pattern=ACCESS_CODE, after_id=before)
    own_phone = browser.new_context(**PHONE_CONTEXT)
    own_phone.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        mine = _new_page(own_phone, watch)
        try:
            mine.goto(f"{app_server.url}/accounts/login/code/")
            mine.get_by_role("link", name="Masuk dengan kode akses").click()
            _expect_heading(mine, "Masuk dengan kode akses")
            mine.get_by_label("Nomor HP").fill(person.phone_local)
            mine.get_by_label("Kode akses").fill(access_code)
            mine.get_by_role("button", name="Masuk", exact=True).click()
            expect(mine.get_by_role("button", name="Keluar")).to_be_visible()
            mine.goto(f"{app_server.url}/daftar/")
            _expect_heading(mine, "Status pendaftaran")
            expect(mine.locator(".reference")).to_have_text(reference)
            expect(mine.locator("#registration-status")).to_have_text("Terkirim")
            expect(mine.locator("dl")).to_contain_text(post_name)
            _shot(mine, "assisted-14-applicant-signed-in")
        except BaseException:
            _failed(mine, app_server, "assisted-applicant")
            raise
    finally:
        own_phone.close()
    watch.assert_clean()


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

    person = _new_person("Dewi Lestari", date(1999, 7, 9), "P")
    (post_name,) = app_server.query(
        "SELECT name FROM assistance_post WHERE code = ?", (OFFICER_POST_CODE,)
    )[0]
    page = _new_page(phone_context, watch)
    try:
        _sign_in_by_phone(page, app_server, person, "booking-0")

        page.goto(f"{app_server.url}/posko/")
        page.get_by_label("Cari posko menurut nama atau kabupaten/kota").fill(post_name)
        page.get_by_role("button", name="Cari").click()
        page.get_by_role("link", name=f"Pesan jadwal kunjungan: {post_name}").click()
        _expect_heading(page, "Pesan jadwal kunjungan")
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
        _shot(page, "booking-1-slots")

        # Between opening the page and pressing "Pesan jadwal", someone takes the last seat.
        other = "+62" + _new_phone()[1:]
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
        _shot(page, "booking-2-full")

        chosen = slots.get_by_role("radio").first
        chosen_label = chosen.locator("xpath=..").inner_text()
        time_range = re.search(r"\d{2}\.\d{2}–\d{2}\.\d{2}", chosen_label)
        assert time_range, chosen_label
        assert time_range.group(0) not in full_slot_label
        chosen.check()
        page.get_by_role("button", name="Pesan jadwal").click()

        expect(page).to_have_url(re.compile(re.escape(f"{app_server.url}/posko/janji-temu/?baru=")))
        _expect_heading(page, "Jadwal kunjungan sudah dipesan")
        expect(page.locator("#booking-confirmation")).to_contain_text(time_range.group(0))
        save = page.get_by_role("button", name="Tambahkan ke kalender / Simpan")
        expect(save).to_be_visible()
        _shot(page, "booking-3-confirmation")
        appointment = page.locator("article.appointment")
        expect(appointment).to_have_count(1)
        expect(appointment).to_contain_text(post_name)
        expect(appointment).to_contain_text(day_label)
        expect(appointment).to_contain_text(time_range.group(0))
        expect(appointment).to_contain_text("Terjadwal")
        _shot(page, "booking-4-booked")
    except BaseException:
        _failed(page, app_server, "booking")
        raise
    watch.assert_clean()
