"""At a posko, in a phone-sized Chromium: an officer registers someone with their own phone
and hands the account over by SMS, and registers someone without a phone of their own, whose
printed slip (reference and one-time code) lets them sign in on any device.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pytest

from tests.browser.flow import (
    ACCESS_CODE,
    OFFICER_POST_CODE,
    PageWatch,
    expect_heading,
    failed,
    fill_wizard,
    new_page,
    new_person,
    officer_sign_in,
    screenshot,
    submit_and_expect_eligible,
)
from tests.browser.support import PAGE_TIMEOUT_MS, PHONE_CONTEXT, AppServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

pytestmark = pytest.mark.browser

# --- Scenario 2: assisted at a posko ---------------------------------------------------------


def test_assisted_registration_by_an_officer_with_handover(
    phone_context: BrowserContext, browser: Browser, app_server: AppServer, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    person = new_person("Bambang Setiawan", date(1988, 11, 5), "L")
    (post_name,) = app_server.query(
        "SELECT name FROM assistance_post WHERE code = ?", (OFFICER_POST_CODE,)
    )[0]
    page = new_page(phone_context, watch)
    try:
        officer_sign_in(page, app_server)

        page.goto(f"{app_server.url}/petugas/")
        expect_heading(page, "Konsol petugas")
        expect(page.get_by_text(post_name).first).to_be_visible()
        page.get_by_role("button", name="Daftarkan seseorang").click()
        expect_heading(page, "Daftarkan seseorang")
        page.get_by_label("Nomor HP", exact=True).fill(person.phone_local)
        page.get_by_label("NIK (wajib bila tidak memakai nomor HP sendiri)").fill(person.nik)
        screenshot(page, "assisted-0-register")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        expect(page.get_by_role("status").filter(has_text="dibuat")).to_be_visible()

        reference = fill_wizard(page, person, "assisted")
        submit_and_expect_eligible(page, reference, "assisted")
        expect(page.locator("dl")).to_contain_text(post_name)  # "Didampingi di"

        # The record: channel "Posko" and the post, on the receipt the officer prints.
        page.get_by_role("button", name="Bukti pendaftaran").click()
        kanal = page.locator(".receipt").get_by_role("row", name="Kanal")
        expect(kanal).to_contain_text("Posko")
        expect(kanal).to_contain_text(post_name)
        screenshot(page, "assisted-11-receipt")

        # Handover: the applicant's own phone gets a one-time access code by SMS.
        page.goto(f"{app_server.url}/petugas/")
        row = page.get_by_role("row").filter(has_text=reference)
        expect(row).to_contain_text(person.nik_masked)
        expect(row).to_contain_text("Terkirim")
        screenshot(page, "assisted-12-console")
        row.get_by_role("link", name="Buka").click()
        expect_heading(page, f"Pendaftaran {reference}")
        before = app_server.last_sms_id()
        page.get_by_role("button", name="Kirim kode masuk lewat SMS").click()
        expect(page.get_by_text("Kode masuk dikirim lewat SMS")).to_be_visible()
        screenshot(page, "assisted-13-handover")
        assert app_server.query(
            "SELECT channel FROM registry_registration WHERE reference = ?", (reference,)
        ) == [("post",)]
    except BaseException:
        failed(page, app_server, "assisted")
        raise

    # The applicant, on their own phone, signs in with that code: the account is theirs.
    _, access_code = app_server.latest_sms(person.phone_e164, pattern=ACCESS_CODE, after_id=before)
    own_phone = browser.new_context(**PHONE_CONTEXT)
    own_phone.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        mine = new_page(own_phone, watch)
        try:
            mine.goto(f"{app_server.url}/accounts/login/code/")
            mine.get_by_role("link", name="Masuk dengan kode akses").click()
            expect_heading(mine, "Masuk dengan kode akses")
            mine.get_by_label("Nomor HP atau nomor pendaftaran").fill(person.phone_local)
            mine.get_by_label("Kode akses").fill(access_code)
            mine.get_by_role("button", name="Masuk", exact=True).click()
            expect(mine.get_by_role("button", name="Keluar")).to_be_visible()
            mine.goto(f"{app_server.url}/daftar/")
            expect_heading(mine, "Status pendaftaran")
            expect(mine.locator(".reference")).to_have_text(reference)
            expect(mine.locator("#registration-status")).to_have_text("Terkirim")
            expect(mine.locator("dl")).to_contain_text(post_name)
            screenshot(mine, "assisted-14-applicant-signed-in")
        except BaseException:
            failed(mine, app_server, "assisted-applicant")
            raise
    finally:
        own_phone.close()
    watch.assert_clean()


# --- Scenario: someone without a phone of their own -----------------------------------------


def test_an_officer_registers_someone_without_a_phone_and_prints_their_slip(
    phone_context: BrowserContext, browser: Browser, app_server: AppServer, watch: PageWatch
) -> None:
    from dataclasses import replace

    from playwright.sync_api import expect

    person = replace(new_person("Sumiati", date(1979, 2, 14), "P"), phone_local="")
    page = new_page(phone_context, watch)
    try:
        officer_sign_in(page, app_server)
        page.goto(f"{app_server.url}/petugas/daftarkan/")
        expect_heading(page, "Daftarkan seseorang")
        page.get_by_label("Tidak ada nomor HP").check()
        page.get_by_label("NIK (wajib bila tidak memakai nomor HP sendiri)").fill(person.nik)
        screenshot(page, "no-phone-0-register")
        page.get_by_role("button", name="Mulai pendaftaran").click()
        expect(page.get_by_role("status").filter(has_text="dibuat")).to_be_visible()

        reference = fill_wizard(page, person, "no-phone")
        page.get_by_role("button", name="Kirim pendaftaran").click()
        expect_heading(page, "Pendaftaran terkirim")
        expect(page.get_by_text("Anda mendaftar tanpa nomor HP")).to_be_visible()
        screenshot(page, "no-phone-9-confirmation")

        # The handover: no SMS to offer, a slip to print that speaks to the applicant.
        page.goto(f"{app_server.url}/petugas/pendaftaran/{reference}/")
        expect(page.get_by_role("button", name="Kirim kode masuk lewat SMS")).to_have_count(0)
        expect(page.locator("dl")).to_contain_text("Tidak ada nomor HP")
        page.get_by_role("button", name="Cetak kode sekali pakai").click()
        expect_heading(page, "Kartu Prakerja Jawa Timur: kode masuk Anda")
        expect(page.get_by_role("button", name="Cetak")).to_be_visible()
        slip = page.locator(".slip")
        expect(slip).to_contain_text(reference)
        expect(slip).to_contain_text("Berlaku sampai")
        expect(slip).to_contain_text("/accounts/kode-akses/")
        access_code = page.locator("#access-code").inner_text()
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", access_code), access_code
        screenshot(page, "no-phone-10-slip")
        # What the printer gets: the slip only, without the site's header and buttons.
        page.emulate_media(media="print")
        expect(page.get_by_role("button", name="Cetak")).to_be_hidden()
        expect(page.locator("header").first).to_be_hidden()
        page.emulate_media(media="screen")
    except BaseException:
        failed(page, app_server, "no-phone")
        raise

    # On a borrowed phone, the person signs in with the reference and the code from paper.
    borrowed = browser.new_context(**PHONE_CONTEXT)
    borrowed.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        theirs = new_page(borrowed, watch)
        try:
            theirs.goto(f"{app_server.url}/accounts/kode-akses/")
            expect_heading(theirs, "Masuk dengan kode akses")
            theirs.get_by_label("Nomor HP atau nomor pendaftaran").fill(reference.lower())
            theirs.get_by_label("Kode akses").fill(access_code)
            screenshot(theirs, "no-phone-11-sign-in")
            theirs.get_by_role("button", name="Masuk", exact=True).click()
            expect(theirs.get_by_role("button", name="Keluar")).to_be_visible()
            theirs.goto(f"{app_server.url}/daftar/")
            expect_heading(theirs, "Status pendaftaran")
            expect(theirs.locator(".reference")).to_have_text(reference)
            expect(theirs.locator("#registration-status")).to_have_text("Terkirim")
            screenshot(theirs, "no-phone-12-status")
        except BaseException:
            failed(theirs, app_server, "no-phone-applicant")
            raise
    finally:
        borrowed.close()
    watch.assert_clean()
    assert app_server.query(
        "SELECT phone_owner, phone FROM registry_registration WHERE reference = ?", (reference,)
    ) == [("none", "")]
