"""A data officer on a phone: signs in, downloads the template, uploads a filled list, watches
the progress bar (htmx polling) while the background worker imports it, and downloads the
rejected rows with their reasons.

The job runs in a real ``manage.py db_worker`` against the server's database, as in production.
The review of uncertain matches (linkage app) continues from the import's page; its URL is
``/data-disnaker/impor/<id>/`` (``labourdata:batch_detail``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import RESULTS_DIR, AppServer, page_check, staff_sign_in

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

DATA_OFFICER = "datajatim"


def _shot(page: Page, name: str) -> None:
    page_check(page, RESULTS_DIR / f"labour-{name}.png")


def _sign_in(page: Page, server: AppServer) -> None:
    staff_sign_in(page, server, DATA_OFFICER)


def _filled_list(path: Path) -> int:
    """60 generated workers, of which rows 11 and 31 are wrong (bad NIK, unknown category)."""
    from prakerja.labourdata import synthetic

    rows = list(synthetic.worker_rows(synthetic.population(60, seed=9), seed=9))
    rows[9]["NIK"] = rows[9]["NIK"][:12]
    rows[29]["Kategori"] = "Cuti"
    synthetic.workbook_write(path, rows)
    return len(rows)


def test_upload_progress_and_rejected_rows_download(
    phone_context: BrowserContext, app_server: AppServer, tmp_path: Path
) -> None:
    import fastexcel
    from playwright.sync_api import expect

    from prakerja.labourdata.columns import WORKER_COLUMNS
    from prakerja.labourdata.spreadsheet import table_read

    page = phone_context.new_page()
    try:
        _sign_in(page, app_server)
        page.goto(f"{app_server.url}/data-disnaker/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Impor data Disnaker")
        _shot(page, "0-upload")

        with page.expect_download() as template:
            page.get_by_role("link", name="pekerja terdampak (.xlsx)").click()
        assert template.value.suggested_filename == "templat-pekerja-terdampak.xlsx"

        upload = tmp_path / "pekerja-april.xlsx"
        total = _filled_list(upload)
        page.get_by_label("Sumber data (untuk data pekerja)").select_option("regency_disnaker")
        page.get_by_label("Berkas (.xlsx atau .csv)").set_input_files(str(upload))
        page.get_by_role("button", name="Unggah").click()

        # The upload answered at once: the job has not run (no worker yet), the page polls.
        expect(page).to_have_url(re.compile(r"/data-disnaker/impor/\d+/$"))
        expect(page.get_by_text("Berkas diterima dan sedang diproses.")).to_be_visible()
        progress = page.locator("#progress")
        expect(progress).to_have_attribute("data-status", "queued")
        expect(progress).to_have_attribute("hx-trigger", "every 2s")
        _shot(page, "1-queued")

        app_server.manage("db_worker", "--batch", "--no-startup-delay")

        # No reload: the polled fragment brings the result in.
        expect(progress).to_have_attribute("data-status", "completed", timeout=20_000)
        expect(page.locator("#batch-status")).to_have_text("Selesai")
        expect(page.locator("progress")).to_have_attribute("value", "100")
        expect(page.locator("#rows-accepted")).to_have_text(str(total - 2))
        expect(page.locator("#rows-rejected")).to_have_text("2")
        _shot(page, "2-completed")

        with page.expect_download() as download:
            page.locator("#rejected-xlsx").click()
        path = download.value.path()
        assert download.value.suggested_filename.endswith(".xlsx")
        data = Path(path).read_bytes()
        table = table_read(data=data, name="d.xlsx", columns=WORKER_COLUMNS)
        assert len(table) == 2
        assert len(table.cells["nik"][0] or "") == 12
        assert table.cells["category"][1] == "Cuti"
        sheet = fastexcel.read_excel(data).load_sheet(0, dtypes="string").to_polars()
        assert sheet.columns[-1] == "Alasan"
        reasons = sheet.get_column("Alasan").to_list()
        assert reasons[0] == "NIK: NIK harus terdiri dari 16 angka, yang diisi 12 karakter."
        assert reasons[1].startswith("Kategori: Kategori tidak dikenal.")
    except Exception:
        page.screenshot(path=RESULTS_DIR / "labour-failure.png", full_page=True)
        print(f"--- app server log (last lines) ---\n{app_server.log_tail()}")
        raise
