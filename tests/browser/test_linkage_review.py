"""Issue 4 in a phone-sized Chromium: the Surabaya data officer reviews an uncertain match
(accepts it, with the evidence shown and the NIKs masked) and downloads the outreach list for
the call centre; a manager resolves a JPS review case.

The scene (a registrant, a reported worker with the same name but an unrelated NIK and another
employer, a worker who has not registered, a registrant on a JPS list) is set with ``manage.py
shell -c`` against the server's database, and the linkage job is run there once; the pages do
the rest. Every run uses fresh NIKs, so it does not depend on other browser tests.
"""

from __future__ import annotations

import json
import random
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
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

SCENE = """
import json
from datetime import date
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import Kind
from prakerja.linkage.services import jps, runs
from prakerja.linkage.models import Link, LinkageRun
from prakerja.linkage.tests import factories as f

s = {serial}
registrant = f.registrant(
    nik=fake_nik(serial=s),
    full_name="{name}",
    birth_date=date(1990, 8, 17),
    last_employer="PT Sinar Jaya Abadi",
)
f.worker(
    nik=fake_nik(serial=(s + 2222) % 10000, district_code="357802"),
    full_name="{name}",
    company="CV Berkah Mandiri",
)
f.worker(nik=fake_nik(serial=s + 2), full_name="{outreach_name}", phone="{outreach_phone}")
jps_nik = fake_nik(serial=s + 3)
selected = f.registrant(nik=jps_nik, full_name="{jps_name}")
jps_batch = f.batch(kind=Kind.JPS, source="")
f.jps_receipt(nik=jps_nik, full_name="{jps_name}", jps_batch=jps_batch)
jps.jps_cases_open_for_batch(batch_id=jps_batch.pk)
runs.linkage_run_execute(run_id=LinkageRun.objects.create().pk)
link = Link.objects.get(registration=registrant)
print(json.dumps({{"link": link.pk, "status": link.status, "registration": registrant.pk}}))
"""


def _staff_sign_in(page: Page, server: AppServer, username: str) -> None:
    staff_sign_in(page, server, username)


def _shot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"linkage-{name}.png")


def test_a_data_officer_accepts_a_match_and_exports_outreach_and_a_manager_resolves_jps(
    browser: Browser, app_server: AppServer
) -> None:
    from playwright.sync_api import expect

    serial = random.SystemRandom().randrange(1000, 9000, 4)
    name = f"Agus Salim Uji {serial}"
    outreach_name = f"Belum Daftar {serial}"
    outreach_phone = f"+62812{serial:04d}0000"
    jps_name = f"Penerima PKH {serial}"
    scene = json.loads(
        app_server.manage(
            "shell",
            "-c",
            SCENE.format(
                serial=serial,
                name=name,
                outreach_name=outreach_name,
                outreach_phone=outreach_phone,
                jps_name=jps_name,
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    assert scene["status"] == "pending", scene

    officer = browser.new_context(**PHONE_CONTEXT, accept_downloads=True)
    officer.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = officer.new_page()
        _staff_sign_in(page, app_server, "datasby")
        page.goto(f"{app_server.url}/pencocokan/tinjau/")
        row = page.get_by_role("row").filter(has_text=name)
        row.get_by_role("link", name="Tinjau").click()
        expect(page.get_by_test_id("worker-name")).to_have_text(name)
        expect(page.get_by_test_id("registrant-name")).to_have_text(name)
        expect(page.get_by_text(re.compile(r"3578\*{8}\d{4}")).first).to_be_visible()
        # Why (issue 12): each comparison's result and weight, in plain Indonesian.
        expect(page.get_by_role("heading", name="Mengapa: bobot tiap perbandingan")).to_be_visible()
        name_row = page.get_by_test_id("evidence-nama")
        expect(name_row).to_contain_text("Nama")
        expect(name_row).to_contain_text("mendukung")
        expect(name_row.locator("meter")).to_be_visible()
        expect(page.get_by_test_id("evidence-nik")).to_contain_text("NIK")
        expect(page.get_by_test_id("evidence-tanggal_lahir")).to_contain_text("sama")
        # The employers side by side, and their comparison (issue 12, employers).
        expect(page.get_by_test_id("worker-employer")).to_have_text("CV Berkah Mandiri")
        expect(page.get_by_test_id("registrant-employer")).to_have_text("PT Sinar Jaya Abadi")
        employer_row = page.get_by_test_id("evidence-tempat_kerja")
        expect(employer_row).to_contain_text("Tempat kerja")
        expect(employer_row).to_contain_text("berbeda")
        expect(page.get_by_test_id("review-reason")).to_be_visible()
        _shot(page, "1-evidence")
        page.get_by_role("button", name="Terima: orang yang sama").click()
        expect(page.get_by_text("Keputusan disimpan.")).to_be_visible()
        status, flag = app_server.query(
            "SELECT l.status, r.reported_by_disnaker FROM linkage_link l "
            "JOIN registry_registration r ON r.id = l.registration_id WHERE l.id = ?",
            (scene["link"],),
        )[0]
        assert (status, flag) == ("accepted", 1)

        page.goto(f"{app_server.url}/pencocokan/penjangkauan/")
        _shot(page, "2-outreach")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Unduh CSV").click()
        content = download_info.value.path().read_text("utf-8")
        # "+62…" is written as text with a leading quote (core.exports: no live formulas).
        assert f"{outreach_name},'{outreach_phone}" in content
        assert name not in content  # the accepted match has registered
        exports = app_server.query(
            "SELECT e.file_format FROM linkage_dataexport e JOIN accounts_user u "
            "ON u.id = e.actor_id WHERE u.username = 'datasby' ORDER BY e.id DESC LIMIT 1"
        )
        assert exports == [("csv",)]
    finally:
        officer.close()

    manager = browser.new_context(**PHONE_CONTEXT)
    manager.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        page = manager.new_page()
        _staff_sign_in(page, app_server, "manajer")
        page.goto(f"{app_server.url}/pencocokan/jps/")
        page.get_by_role("row").filter(has_text=jps_name).get_by_role(
            "link", name="Putuskan"
        ).click()
        page.get_by_label("JPS dihentikan").check()
        page.get_by_label("Alasan").fill("Sudah menerima insentif Prakerja")
        _shot(page, "3-jps-case")
        page.get_by_role("button", name="Simpan keputusan").click()
        expect(page.get_by_text("Keputusan kasus JPS disimpan.")).to_be_visible()
        decided = app_server.query(
            "SELECT c.status, c.decision, u.username FROM linkage_jpsreviewcase c "
            "JOIN registry_registration r ON r.id = c.registration_id "
            "JOIN accounts_user u ON u.id = c.decided_by_id WHERE r.full_name = ?",
            (jps_name,),
        )
        assert decided == [("resolved", "stop", "manajer")]
    finally:
        manager.close()
