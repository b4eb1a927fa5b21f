"""The "done when" of issue 5 for the manager path, in a phone-sized Chromium: a manager creates
a wave with per-regency quotas, opens it, an applicant joins it with the button on their status
page, the manager closes it and previews a dry run (seed first, progress bar, outcome per
regency), a second manager approves (the first is told why they cannot) and publishes, the
results are announced by SMS exactly once, and the applicant sees their result and reason.

Five applicants are written straight into the server's database with ``manage.py shell -c``
(the registration wizard has its own browser test); the background jobs (the selection and the
announcement) run when the test runs ``manage.py db_worker --batch``, as a worker would.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from tests.browser.support import (
    PAGE_TIMEOUT_MS,
    PHONE_CONTEXT,
    RESULTS_DIR,
    AppServer,
    page_check,
    staff_sign_in,
)
from tests.browser.test_registration_flow import PageWatch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

WIB = ZoneInfo("Asia/Jakarta")
SIGN_IN_CODE = r"Kode masuk Prakerja Jatim: (\d{6})"
FIRST_MANAGER, SECOND_MANAGER = "manajer", "manajer2"
_rng = random.SystemRandom()

# (phone, regency, category, reported by Disnaker). Surabaya has 2 seats, Malang 1.
PEOPLE = [
    ("+62812" + "".join(_rng.choice("0123456789") for _ in range(8)), code, category, reported)
    for code, category, reported in [
        ("3578", "laid_off", True),  # the applicant who joins with the button: rank 1
        ("3578", "furloughed", False),
        ("3578", "job_seeker", False),  # rank 3 in Surabaya: not selected (quota full)
        ("3573", "migrant_worker", False),
        ("3573", "job_seeker", False),
    ]
]

SETUP = """
import json
from django.utils import timezone
from prakerja.accounts.models import Role, User
from prakerja.registry.models import Registration
from prakerja.registry.references import reference_generate
from prakerja.registry.services.programme import programme_default

programme = programme_default()
references = []
for phone, regency, category, reported in json.loads({people!r}):
    user = User.objects.create_user(
        username="uji-" + phone[1:], role=Role.APPLICANT, phone=phone,
        phone_verified_at=timezone.now(), full_name="Pendaftar " + phone[-4:],
    )
    registration = Registration.objects.create(
        reference=reference_generate(), programme=programme, user=user, status="submitted",
        kk_index=phone[-10:].rjust(64, "0"), domicile_regency_id=regency,
        employment_status=category, reported_by_disnaker=reported, phone=phone,
        full_name=user.full_name, submitted_at=timezone.now(),
    )
    references.append(registration.reference)
print(json.dumps(references))
"""

JOIN = """
from prakerja.accounts.models import User
from prakerja.registry.models import Registration
from prakerja.waves.models import Wave
from prakerja.waves.services import wave_join

manager = User.objects.get(username="manajer")
wave = Wave.objects.get(name={wave!r})
for reference in {references!r}:
    registration = Registration.objects.get(reference=reference)
    wave_join(actor=manager, wave=wave, registration=registration)
print(wave.entries.count())
"""


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


def _shot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"waves-{name}.png")


def _heading(page: Page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def _wib(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%dT%H:%M")


def _manager_sign_in(page: Page, server: AppServer, username: str) -> None:
    staff_sign_in(page, server, username)


def _applicant_sign_in(page: Page, server: AppServer, phone_e164: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server.url}/accounts/login/code/")
    before = server.last_sms_id()
    page.get_by_label("Nomor HP").fill("0" + phone_e164[3:])
    page.get_by_role("button", name="Kirim kode SMS").click()
    _, code = server.latest_sms(phone_e164, pattern=SIGN_IN_CODE, after_id=before)
    page.get_by_label("Kode", exact=True).fill(code)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def _new_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(**PHONE_CONTEXT)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    return context


def _failed(page: Page, server: AppServer, name: str) -> None:
    page.screenshot(path=RESULTS_DIR / f"waves-{name}-failure.png", full_page=True)
    print(f"--- app server log (last lines) ---\n{server.log_tail()}")


def test_a_wave_from_quotas_to_announced_results(
    browser: Browser, app_server: AppServer, watch: PageWatch
) -> None:
    from playwright.sync_api import expect

    references = json.loads(
        app_server.manage("shell", "-c", SETUP.format(people=json.dumps(PEOPLE)))
        .strip()
        .splitlines()[-1]
    )
    wave_name = f"Gelombang Uji {_rng.randint(1000, 9999)}"
    now = datetime.now(tz=WIB)

    manager_context, applicant_context = _new_context(browser), _new_context(browser)
    second_context = _new_context(browser)
    manager = watch.attach(manager_context.new_page())
    applicant = watch.attach(applicant_context.new_page())
    second = watch.attach(second_context.new_page())
    try:
        # 1. The manager creates the wave: 3 seats, 2 for Surabaya and 1 for Kota Malang.
        _manager_sign_in(manager, app_server, FIRST_MANAGER)
        manager.get_by_role("link", name="Gelombang", exact=True).click()
        _heading(manager, "Gelombang")
        manager.get_by_role("button", name="Buat gelombang").click()  # a link styled as a button
        _heading(manager, "Buat gelombang")
        manager.get_by_label("Nama gelombang").fill(wave_name)
        manager.get_by_label("Pendaftaran dibuka (WIB)").fill(_wib(now - timedelta(hours=1)))
        manager.get_by_label("Pendaftaran ditutup (WIB)").fill(_wib(now + timedelta(days=5)))
        manager.get_by_label("Kuota total").fill("3")
        manager.get_by_label("Kota Surabaya", exact=True).fill("2")
        # The running sum follows the typing (htmx): 2 of 3, one short.
        expect(manager.locator("#quota-sum")).to_contain_text("kurang 1")
        manager.get_by_label("Kota Malang", exact=True).fill("1")
        expect(manager.locator("#quota-sum")).to_contain_text("sesuai")
        _shot(manager, "1-create")
        manager.get_by_role("button", name="Simpan gelombang").click()
        _heading(manager, wave_name)
        expect(manager.locator("#quotas")).to_contain_text("Kota Surabaya")
        manager.get_by_role("button", name="Buka gelombang").click()
        expect(manager.locator("#wave-status")).to_have_attribute("data-status", "open")
        _shot(manager, "2-open")

        # 2. The first applicant joins with the button on their status page; the others
        #    (already tested in the view tests) join through the service.
        _applicant_sign_in(applicant, app_server, PEOPLE[0][0])
        applicant.goto(f"{app_server.url}/daftar/")
        _heading(applicant, "Status pendaftaran")
        applicant.get_by_role("button", name=f"Ikut {wave_name}").click()
        expect(applicant.get_by_text(f"Anda sudah bergabung ke {wave_name}.")).to_be_visible()
        expect(applicant.locator(".wave-result")).to_have_attribute("data-result", "joined")
        _shot(applicant, "3-joined")
        joined = app_server.manage(
            "shell", "-c", JOIN.format(wave=wave_name, references=references[1:])
        )
        assert joined.strip().splitlines()[-1] == "5"

        # 3. Close, then a dry run: the seed is on the page before anything is ranked.
        manager.reload()
        manager.get_by_role("button", name="Tutup gelombang").click()
        # The confirmation states the numbers first; nothing is closed until "Ya".
        expect(manager.locator("#close-numbers")).to_contain_text("5 orang")
        _shot(manager, "3b-close-confirm")
        manager.get_by_role("button", name="Ya, tutup gelombang").click()
        expect(manager.locator("#wave-status")).to_have_attribute("data-status", "closed")
        manager.get_by_role("button", name="Mulai uji coba seleksi").click()
        _heading(manager, re.compile(r"Proses seleksi #\d+"))  # type: ignore[arg-type]
        seed = manager.locator("#seed-value").inner_text()
        assert re.fullmatch(r"[0-9a-f]{32}", seed), seed
        expect(manager.locator("#run-progress")).to_be_visible()
        _shot(manager, "4-run-queued")
        app_server.manage("db_worker", "--batch", "--no-startup-delay")
        # The polled progress fragment sees the job done and reloads the page.
        expect(manager.locator("#outcome")).to_be_visible()
        surabaya = manager.locator("#outcome tr[data-regency='3578'] td")
        for index, value in enumerate(["2", "3", "2"]):  # quota, eligible, selected
            expect(surabaya.nth(index)).to_have_text(value)
        expect(manager.locator("#run-status")).to_have_attribute("data-status", "ready")
        expect(manager.locator("#four-eyes-note")).to_be_visible()
        expect(manager.get_by_role("button", name="Tinjau dan setujui atau tolak")).to_have_count(0)
        run_url = manager.url
        _shot(manager, "5-dry-run")

        # 4. The second manager approves and publishes.
        _manager_sign_in(second, app_server, SECOND_MANAGER)
        second.goto(run_url)
        expect(second.locator("#seed-value")).to_have_text(seed)
        second.get_by_role("button", name="Tinjau dan setujui atau tolak").click()
        expect(second.locator("#review-numbers")).to_contain_text("3 orang")
        _shot(second, "5b-approve-confirm")
        second.get_by_role("button", name=re.compile(r"Ya, setujui \(3 orang terpilih\)")).click()
        expect(second.locator("#run-status")).to_have_attribute("data-status", "approved")
        expect(second.locator("#approved-by")).to_contain_text("Pengelola Program Demo Kedua")
        before = app_server.last_sms_id()
        second.get_by_role("button", name="Umumkan hasil seleksi").click()
        expect(second.locator("#publish-consequence")).to_contain_text("5 orang akan menerima SMS")
        _shot(second, "5c-publish-confirm")
        second.get_by_role("button", name="Ya, umumkan hasil seleksi").click()
        expect(second.locator("#run-status")).to_have_attribute("data-status", "published")
        _shot(second, "6-published")

        # 5. The announcement job texts everyone once; running it again sends nothing more.
        app_server.manage("db_worker", "--batch", "--no-startup-delay")
        _, selected_sms = app_server.latest_sms(
            PEOPLE[0][0], pattern=r"Selamat, Anda TERPILIH.*", after_id=before
        )
        assert wave_name in selected_sms and references[0] in selected_sms
        _, left_out_sms = app_server.latest_sms(
            PEOPLE[2][0], pattern=r"Maaf, Anda belum terpilih.*031-8293097", after_id=before
        )
        assert references[2] in left_out_sms
        sent = app_server.last_sms_id()
        app_server.manage("shell", "-c", _ANNOUNCE_AGAIN.format(wave=wave_name))
        app_server.manage("db_worker", "--batch", "--no-startup-delay")
        assert app_server.last_sms_id() == sent, "the announcement was sent twice"
        # Each of the five people was texted their result exactly once. (Other browser tests
        # share this server: a draft they left behind is told about the waiting list.)
        phones = [person[0] for person in PEOPLE]
        texted = app_server.query(
            "SELECT recipient, COUNT(*) FROM notifications_outboxmessage WHERE channel = 'sms'"
            " AND id > ? AND body LIKE ? GROUP BY recipient",
            (before, f"%{wave_name}%"),
        )
        assert sorted(row for row in texted if row[0] in phones) == sorted(
            (phone, 1) for phone in phones
        )

        # 6. The applicant sees the result and the reason.
        applicant.reload()
        result = applicant.locator(".wave-result")
        expect(result).to_have_attribute("data-result", "selected")
        expect(result.locator(".wave-category")).to_have_text("Korban PHK · dilaporkan Disnaker")
        expect(result.locator(".wave-rank")).to_have_text("1 di Kota Surabaya")
        expect(result.locator(".wave-quota")).to_have_text("2 orang")
        expect(applicant.locator("#wave-next-steps")).to_contain_text("031-8293097")
        _shot(applicant, "7-result")
    except BaseException:
        _failed(manager, app_server, "manager")
        _failed(second, app_server, "second-manager")
        _failed(applicant, app_server, "applicant")
        raise
    finally:
        for context in (manager_context, applicant_context, second_context):
            context.close()
    watch.assert_clean()


_ANNOUNCE_AGAIN = """
from prakerja.waves.announcements import wave_results_announce_job
from prakerja.waves.models import Wave

wave_results_announce_job.enqueue(wave_id=Wave.objects.get(name={wave!r}).pk)
"""
