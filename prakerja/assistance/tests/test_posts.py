from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prakerja.accounts.models import Role
from prakerja.accounts.testing import make_user
from prakerja.assistance.console.testing import make_registration
from prakerja.assistance.models import CallCentreLine, Post
from prakerja.assistance.services import assistance_seed_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> None:
    assistance_seed_load()


def test_it_seeds_the_56_east_java_posts(seeded: None) -> None:
    assert Post.objects.count() == 56
    kinds = {kind: Post.objects.filter(kind=kind).count() for kind in Post.Kind.values}
    assert kinds == {"province_office": 1, "upt_blk": 16, "ltsa": 1, "regency_office": 38}
    assert set(
        Post.objects.filter(kind="regency_office").values_list("regency__province", flat=True)
    ) == {"35"}
    assert Post.objects.filter(kind="regency_office").values("regency").distinct().count() == 38


def test_the_ltsa_post_is_on_jalan_bendul_merisi(seeded: None) -> None:
    ltsa = Post.objects.get(kind="ltsa")
    assert "Bendul Merisi" in ltsa.address
    assert ltsa.regency_id == "3578"


def test_it_seeds_the_two_call_centre_lines(seeded: None) -> None:
    assert set(CallCentreLine.objects.values_list("number", flat=True)) == {
        "031-8293097",
        "031-8280254",
    }


def test_a_second_seed_changes_nothing_and_keeps_admin_edits(seeded: None) -> None:
    post = Post.objects.get(code="disnaker-3578")
    post.slot_capacity = 3
    post.save()
    result = assistance_seed_load()
    assert result.posts_created == 0
    assert Post.objects.count() == 56
    assert Post.objects.get(code="disnaker-3578").slot_capacity == 3
    assert CallCentreLine.objects.count() == 2


def test_the_command_reports_what_it_did(seeded: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("assistance_posts_load")
    assert "posko: 56 (0 baru)" in capsys.readouterr().out


def test_the_public_page_lists_every_post_grouped_by_regency(seeded: None, client: Client) -> None:
    response = client.get("/posko/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="post"') == 56
    assert "Kota Surabaya" in html
    assert "Kabupaten Sumenep" in html
    assert "Jl. Bendul Merisi" in html


def test_the_public_page_hides_non_public_addresses(seeded: None, client: Client) -> None:
    Post.objects.filter(code="disnaker-3578").update(
        address="Jl. Rahasia No. 1", address_public=False
    )
    html = client.get("/posko/").content.decode()
    assert "Jl. Rahasia" not in html
    assert "Alamat diberikan setelah Anda memesan jadwal kunjungan." in html


def test_the_public_page_runs_a_fixed_number_of_queries(seeded: None, client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get("/posko/")
    first = len(queries)
    Post.objects.create(code="extra", name="Posko Tambahan", kind="upt_blk", regency_id="3501")
    with CaptureQueriesContext(connection) as queries:
        client.get("/posko/")
    assert len(queries) == first
    assert first <= 4


def test_the_api_lists_posts_and_hides_non_public_addresses(seeded: None, client: Client) -> None:
    Post.objects.filter(code="disnaker-3578").update(address="Jl. Rahasia No. 1")
    response = client.get("/api/v1/posts", {"regency": "3578"})
    assert response.status_code == 200
    codes = {row["code"]: row for row in response.json()}
    assert set(codes) == {
        "disnakertrans-jatim",
        "ltsa-p2tk-surabaya",
        "upt-blk-surabaya",
        "disnaker-3578",
    }
    assert codes["disnaker-3578"]["address"] is None
    assert codes["ltsa-p2tk-surabaya"]["address"].startswith("Jl. Bendul Merisi")


def test_the_api_refuses_a_malformed_regency_code(client: Client) -> None:
    response = client.get("/api/v1/posts", {"regency": "35x8"})
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"
    assert response.json()["field"] == "regency"


def test_seeding_without_regions_gives_a_clear_error() -> None:
    from prakerja.core.errors import ApplicationError
    from prakerja.regions.models import Regency

    with pytest.raises(ApplicationError) as raised, pytest.MonkeyPatch.context() as mp:
        mp.setattr(Regency.objects, "filter", lambda **kw: Regency.objects.none())
        assistance_seed_load()
    assert raised.value.code == "assistance.regions_missing"


def test_the_posts_are_searched_by_name_or_regency(seeded: None, client: Client) -> None:
    by_regency = client.get("/posko/", {"q": "  sumenep "}).content.decode()
    assert "posko ditemukan" in by_regency
    assert "Kabupaten Sumenep" in by_regency
    assert "Kota Surabaya</strong>" not in by_regency

    chosen = client.get("/posko/", {"kabupaten": "3578"}).content.decode()
    assert chosen.count('class="post"') == Post.objects.filter(regency_id="3578").count()
    assert 'value="3578" selected' in chosen

    nothing = client.get("/posko/", {"q": "tidak ada posko seperti ini"}).content.decode()
    assert "Tidak ada posko yang cocok" in nothing
    assert client.get("/posko/", {"kabupaten": "<script>"}).status_code == 200


def test_the_applicants_own_regency_comes_first_and_open(seeded: None, client: Client) -> None:
    applicant = make_user(role=Role.APPLICANT)
    make_registration(user=applicant, regency_code="3529")  # Sumenep
    client.force_login(applicant)
    html = client.get("/posko/").content.decode()
    first_group = html.index('<details class="post-regency"')
    assert html.index('id="kabupaten-3529" open') == first_group + len(
        '<details class="post-regency" '
    )
    assert "kabupaten/kota Anda" in html
    # The others stay folded: a short page on a phone.
    assert html.count(" open>") == 1
