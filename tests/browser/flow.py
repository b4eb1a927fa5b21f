"""What the registration browser tests share: generated people, the page watch, and how a
person goes through the wizard (each page, its steps filled as a person would, with its
screenshot and axe-core check). The scenarios are in ``test_registration_flow.py`` (online,
booking) and ``test_posko_flow.py`` (at a posko, with and without a phone of one's own).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tests.browser.support import (
    PHONE_CONTEXT,
    RESULTS_DIR,
    AppServer,
    axe_violations,
    page_check,
    staff_sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


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
    phone_local: str  # as people type it: 0812…; empty for someone without a phone
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


def new_phone() -> str:
    return "0812" + "".join(_rng.choice("0123456789") for _ in range(8))


def new_person(full_name: str, birth_date: date, gender: str) -> Person:
    from prakerja.identity.nik import nik_build

    return Person(
        full_name=full_name,
        birth_place="Surabaya",
        birth_date=birth_date,
        gender=gender,
        phone_local=new_phone(),
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


def screenshot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"flow-{name}.png")


def accessible(page: Page) -> None:
    """The wizard's own pages pass axe-core (WCAG 2.1 AA) as a person meets them."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}: {violations}"


def failed(page: Page, server: AppServer, name: str) -> None:
    """What to look at when a scenario fails: the screen and the server's last log lines."""
    page.screenshot(path=RESULTS_DIR / f"flow-{name}-failure.png", full_page=True)
    print(f"--- app server log (last lines) ---\n{server.log_tail()}")


def new_page(context: BrowserContext, watch: PageWatch) -> Page:
    return watch.attach(context.new_page())


def expect_heading(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def sign_in_by_phone(page: Page, server: AppServer, person: Person, shot: str) -> None:
    """``Masuk atau daftar dengan nomor HP``: a new number gets an account and an SMS code."""
    from playwright.sync_api import expect

    page.goto(f"{server.url}/")
    page.get_by_role("link", name="Masuk / daftar").click()
    expect_heading(page, "Masuk atau daftar dengan nomor HP")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    before = server.last_sms_id()
    page.get_by_label("Nomor HP").fill(person.phone_local)
    screenshot(page, f"{shot}-phone")
    page.get_by_role("button", name="Kirim kode SMS").click()

    expect_heading(page, "Masukkan kode dari SMS")
    _, code = server.latest_sms(person.phone_e164, pattern=SIGN_IN_CODE, after_id=before)
    page.get_by_label("Kode", exact=True).fill(code)
    screenshot(page, f"{shot}-code")
    page.get_by_role("button", name="Masuk", exact=True).click()
    # Signed in: the header offers "Keluar" instead of "Masuk / daftar".
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def fill_identity(page: Page, person: Person) -> None:
    from playwright.sync_api import expect

    # Typed key by key: the live check (htmx, on keyup) answers while the person types, and
    # a valid NIK fills in the birth date (day, month by its name, year) and the sex.
    page.get_by_label("NIK", exact=True).press_sequentially(person.nik)
    result = page.locator("#nik-result")
    expect(result).to_contain_text(indonesian_date(person.birth_date))
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


def fill_contact(page: Page, person: Person) -> None:
    if person.phone_local:
        page.get_by_label("Nomor HP", exact=True).fill(person.phone_local)


def fill_domicile(page: Page, person: Person) -> None:
    from playwright.sync_api import expect

    # Started from where the NIK was issued (Karang Pilang, Kota Surabaya): only confirmed.
    expect(page.locator("#domicile-from-nik")).to_be_visible()
    expect(page.get_by_label("Provinsi")).to_have_value("35")
    expect(page.get_by_label("Kabupaten/kota domisili")).to_have_value(SURABAYA_DISTRICT[:4])
    expect(page.get_by_label("Kecamatan domisili")).to_have_value(SURABAYA_DISTRICT)
    page.get_by_label("Alamat domisili").fill("Jl. Mastrip No. 12, RT 03/RW 05, Kedurus")


def fill_work(page: Page, person: Person) -> None:
    page.get_by_label("Status pekerjaan").select_option(label="Korban PHK")
    page.get_by_label("Jabatan").select_option(label="Tidak termasuk jabatan di bawah ini")
    page.get_by_label("Tempat kerja terakhir").fill("PT Sinar Jaya Garmen")
    # Three fields (day, month by its name, year), not the browser's date picker.
    last_worked = page.get_by_role("group", name="Tanggal terakhir bekerja")
    last_worked.get_by_label("Tanggal", exact=True).fill("30")
    last_worked.get_by_label("Bulan").select_option(label="Juni")
    last_worked.get_by_label("Tahun").fill("2025")


def fill_education(page: Page, person: Person) -> None:
    page.get_by_label("Tidak, saya tidak sedang sekolah atau kuliah").check()


def fill_consent(page: Page, person: Person) -> None:
    page.get_by_label("Saya menyetujui pemrosesan data pribadi saya").check()
    page.get_by_label("Saya menyatakan data yang saya isi benar").check()


def fill_test(page: Page, person: Person) -> None:
    from playwright.sync_api import expect

    questions = page.locator("#step-test fieldset")
    expect(questions.first).to_be_visible()
    for question in questions.all():
        question.get_by_role("radio").first.check()


# Heading of each page → its steps (the heading of each part of a page of several steps) and how
# a person fills each, in the wizard's order.
PAGES: dict[str, tuple[tuple[str, Callable[[Page, Person], None]], ...]] = {
    "Data diri": (("Data diri", fill_identity),),
    "Kontak, domisili, dan pekerjaan": (
        ("Kontak", fill_contact),
        ("Domisili", fill_domicile),
        ("Pekerjaan", fill_work),
        ("Pendidikan dan disabilitas", fill_education),
    ),
    "Persetujuan dan tes": (("Persetujuan", fill_consent), ("Tes pendaftaran", fill_test)),
}
STATUS_HEADING = "Status pendaftaran"
CHECK_HEADING = "Periksa jawaban Anda"


def fill_wizard(page: Page, person: Person, shot: str) -> str:
    """Follow the wizard from "Data diri" to the check-answers page, filling every step of
    whatever page it shows, each page sent once. Returns the reference."""
    from playwright.sync_api import expect

    expect_heading(page, "Data diri")
    match = re.search(r"/daftar/([^/]+)/identity/", page.url)
    assert match, f"not on the identity step: {page.url}"
    reference = match.group(1)

    heading = page.get_by_role("heading", level=1)
    filled: list[str] = []
    for number in range(1, len(PAGES) + 1):
        title = heading.inner_text().strip()
        if title == CHECK_HEADING:
            break
        assert title in PAGES, f"unexpected page {title!r} at {page.url}"
        assert title not in filled, f"the wizard came back to {title!r}: {page.url}"
        expect(page.get_by_text(f"Nomor pendaftaran {reference}")).to_be_visible()
        position = list(PAGES).index(title) + 1
        expect(page.locator("#step-counter")).to_have_text(f"Langkah {position} dari {len(PAGES)}")
        # The list of pages is folded: the page's form (at least its first question) is on the
        # first screen, below the site's header.
        expect(page.locator("details.registry-steps-details")).not_to_have_attribute("open", "")
        box = page.locator("main form").bounding_box()
        assert box is not None and box["y"] + 100 < PHONE_HEIGHT, f"{title}: form at {box}"
        steps = PAGES[title]
        if len(steps) > 1:
            # Each step of the page under its own heading, in order.
            expect(page.locator("main form legend h2")).to_have_text([name for name, _ in steps])
        for _name, fill in steps:
            fill(page, person)
        screenshot(page, f"{shot}-{number}-{title.split()[0].lower().strip(',')}")
        accessible(page)
        page.get_by_role("button", name="Simpan dan lanjut").click()
        # Saved (a redirect to the next page) rather than the same form again with errors.
        expect(heading).not_to_have_text(title)
        filled.append(title)
    expect_heading(page, CHECK_HEADING)
    assert filled == list(PAGES), f"pages shown: {filled}"

    # Every answer, readable, the NIK masked, the contact step with the account's phone.
    identity = page.locator("#answers-identity")
    expect(identity.locator(".summary-list-row").filter(has_text="NIK")).to_contain_text(
        person.nik_masked
    )
    expect(identity).to_contain_text(person.full_name)
    expect(identity).to_contain_text(indonesian_date(person.birth_date))
    expect(identity).to_contain_text(person.gender_label)
    expect(page.locator("#answers-domicile")).to_contain_text("Karang Pilang")
    expect(page.locator("#answers-work")).to_contain_text("30 Juni 2025")
    assert person.nik not in page.content(), "the check-answers page shows the whole NIK"
    screenshot(page, f"{shot}-8-check")
    accessible(page)

    # "Ubah" leads to the step on its page and, saved, back to this page.
    page.get_by_role("link", name="Ubah Nomor HP").click()
    expect_heading(page, "Kontak, domisili, dan pekerjaan")
    expect(page).to_have_url(re.compile(r"/contact/#step-contact$"))
    if person.phone_local:
        expect(page.get_by_label("Nomor HP", exact=True)).to_have_value(person.phone_e164)
    else:
        # No phone of their own: the step asks for a relative's number, which may stay empty.
        expect(page.get_by_label("Nomor HP keluarga atau kerabat")).to_have_value("")
    page.get_by_role("button", name="Simpan dan lanjut").click()
    expect_heading(page, CHECK_HEADING)
    if not person.phone_local:
        expect(page.locator("#answers-contact")).to_contain_text("Tidak ada")
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


def indonesian_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def submit_and_expect_eligible(page: Page, reference: str, shot: str) -> None:
    """From the check-answers page: submit, the confirmation, then the status page."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Kirim pendaftaran").click()
    expect_heading(page, "Pendaftaran terkirim")
    expect(page.locator("#confirmation-reference")).to_have_text(reference)
    expect(page.get_by_role("heading", name="Apa yang terjadi selanjutnya")).to_be_visible()
    expect(page.get_by_text("Hasil seleksi dikirim lewat SMS")).to_be_visible()
    screenshot(page, f"{shot}-9-confirmation")
    accessible(page)
    page.get_by_role("link", name="Lihat status pendaftaran").click()
    expect_heading(page, STATUS_HEADING)
    expect(page.locator(".reference")).to_have_text(reference)
    expect(page.locator("#registration-status")).to_have_text("Terkirim")
    expect(page.locator("#registration-status")).to_have_attribute("data-status", "submitted")
    expect(page.locator("#ineligibility-reasons")).to_have_count(0)
    expect(page.get_by_text("Pendaftaran Anda sudah diterima")).to_be_visible()
    screenshot(page, f"{shot}-10-submitted")


def officer_sign_in(page: Page, server: AppServer) -> None:
    """Username and password, then the code of the authenticator app (TOTP)."""
    from playwright.sync_api import expect

    staff_sign_in(page, server, OFFICER)
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
