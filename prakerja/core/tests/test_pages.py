from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_home_page_is_in_indonesian_by_default(client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="id">' in html
    assert "Kartu Prakerja Jawa Timur" in html
    assert "Anda tidak perlu email untuk mendaftar" in html


def test_the_home_page_uses_vendored_assets_and_no_cdn(client: Client) -> None:
    html = client.get("/").content.decode()
    assert "/static/vendor/pico/pico.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "https://" not in html.split("<body")[0]


def test_the_footer_and_about_page_attribute_the_region_data(client: Client) -> None:
    home = client.get("/").content.decode()
    assert "idn-area-data 4.0.1" in home and "ODbL" in home
    about = client.get("/tentang/").content.decode()
    assert "Open Database License (ODbL) 1.0" in about
    assert "Kepmendagri No. 300.2.2-2138 Tahun 2025" in about


def test_the_language_switch_turns_the_page_into_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "East Java Kartu Prakerja" in html
    assert "Bahasa Indonesia" in html


def test_the_call_centre_numbers_are_on_every_page(client: Client) -> None:
    html = client.get("/tentang/").content.decode()
    assert "031-8293097" in html and "031-8280254" in html


def test_an_unknown_page_is_a_404_not_a_500(client: Client) -> None:
    assert client.get("/tidak-ada/").status_code == 404


def test_the_dashboard_asks_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get("/beranda/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_scope_refusal_in_a_page_is_an_indonesian_403(rf) -> None:
    from prakerja.core.errors import PermissionDenied
    from prakerja.core.middleware import ApplicationErrorMiddleware

    request = rf.get("/")
    middleware = ApplicationErrorMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    error = PermissionDenied("post.out_of_scope", "Posko ini di luar wilayah tugas Anda.")
    response = middleware.process_exception(request, error)
    assert response is not None
    assert response.status_code == 403
    assert "Posko ini di luar wilayah tugas Anda." in response.content.decode()


def test_demo_setup_is_idempotent_and_prints_every_demo_account(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from django.core.management import call_command

    from prakerja.accounts.models import User
    from prakerja.assistance.demo import DEMO_USERNAMES
    from prakerja.assistance.models import Post

    call_command("demo_setup")
    users = User.objects.count()
    call_command("demo_setup")
    out = capsys.readouterr().out
    assert Post.objects.count() == 56
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == 12
    # The dashboard's daily counts are filled, so the viewer's dashboard is not empty.
    from prakerja.reports.models import DailyCount, RefreshState

    assert DailyCount.objects.filter(metric="complete").exists()
    assert RefreshState.objects.get().refreshed_at is not None
    # The demo wave's generated applicants (enrolment.demo_journey) and the demo population
    # of Gelombang 1 (linkage.demo) are made once.
    from prakerja.linkage.demo import DEMO_APPLICANTS

    assert User.objects.count() == users == 12 + 49 + DEMO_APPLICANTS
    assert out.count(f"pendaftar demo: {DEMO_APPLICANTS} ({DEMO_APPLICANTS} baru)") == 1
    assert out.count(f"pendaftar demo: {DEMO_APPLICANTS} (0 baru)") == 1
    # Payments: one batch, made once.
    assert out.count("peserta lulus untuk demo pembayaran: 0; batch: 1") == 1
    from prakerja.payments import selectors as payments
    from prakerja.payments.models import Instalment, PaymentAccount, PaymentLine

    # Every payment screen has something: due instalments, a name to review, a failed line.
    assert Instalment.objects.filter(status="due").count() >= 2
    assert PaymentAccount.objects.filter(name_check="review").count() == 1
    assert PaymentLine.objects.filter(result="failed").count() == 1
    assert payments.ledger_mismatches() == {}
    from prakerja.fraud.models import Signal

    assert set(Signal.objects.values_list("kind", flat=True)) >= {
        "phone_shared",
        "email_shared",
        "account_refused",
    }
    assert out.count("posko: 56 (0 baru)") == 1
    for username in ("pendaftar", "petugas", "callcenter", "datajatim", "manajer", "lpk", "admin"):
        assert username in out


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        ("applicant", "/daftar/", "/petugas/"),
        ("officer", "/petugas/", "/laporan/harian/"),
        ("callcentre_agent", "/callcenter/", "/petugas/"),
        ("manager", "/laporan/harian/", "/petugas/"),
        ("viewer", "/laporan/harian/", "/callcenter/"),
        ("manager", "/gelombang/", "/data-disnaker/"),
        ("province_data_officer", "/data-disnaker/", "/gelombang/"),
        ("surabaya_data_officer", "/pencocokan/", "/petugas/"),
        ("viewer", "/data-disnaker/rekap/", "/gelombang/"),
    ],
)
def test_the_dashboard_links_each_role_to_its_own_work(
    client: Client, request: pytest.FixtureRequest, persona: str, expected: str, absent: str
) -> None:
    client.force_login(request.getfixturevalue(persona))
    html = client.get("/beranda/").content.decode()
    assert f'href="{expected}"' in html
    assert f'href="{absent}"' not in html


def test_a_malformed_json_body_gets_an_indonesian_error(client: Client, applicant) -> None:  # type: ignore[no-untyped-def]
    client.force_login(applicant)
    client.post("/api/v1/registrations", content_type="application/json")
    response = client.patch(
        "/api/v1/registrations/PJ-2345-6789/identity",
        data="{bukan json",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "request.malformed_body"
    assert "JSON" in response.json()["message"]


def test_the_favicon_is_linked_and_browsers_asking_for_the_root_icon_are_sent_to_it(
    client: Client, db: None
) -> None:
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]


def test_the_site_is_indonesian_whatever_the_browser_asks(client: Client, db: None) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in html


def test_english_is_the_persons_own_choice_and_is_remembered(client: Client, db: None) -> None:
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/posko/"})
    assert chosen.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()
    assert '<html lang="en">' in client.get("/posko/").content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/"})
    assert '<html lang="id">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_home_page_leads_straight_into_sign_up_by_phone(client: Client, db: None) -> None:
    html = client.get("/").content.decode()
    assert '<a role="button" class="cta" href="/accounts/login/code/">Daftar sekarang</a>' in html


def test_a_person_is_greeted_by_name_never_by_the_generated_username(
    client: Client, db: None
) -> None:
    from prakerja.accounts.models import Role
    from prakerja.accounts.testing import make_user

    nameless = make_user(role=Role.APPLICANT, username="hp-9q39abcd", full_name="")
    nameless.full_name = ""
    nameless.save(update_fields=["full_name"])
    client.force_login(nameless)
    html = client.get("/beranda/").content.decode()
    assert "<h1>Selamat datang</h1>" in html
    assert "hp-9q39abcd" not in html
    nameless.full_name = "Siti Aminah"
    nameless.save(update_fields=["full_name"])
    assert "Selamat datang, Siti Aminah" in client.get("/beranda/").content.decode()
