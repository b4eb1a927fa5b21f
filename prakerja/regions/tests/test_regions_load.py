from __future__ import annotations

import pytest
from django.core.management import call_command

from prakerja.regions.models import District, LoadedDataset, Province, Regency, Village

pytestmark = pytest.mark.django_db


def test_it_loads_38_provinces_and_514_regencies() -> None:
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514


def test_east_java_has_38_regencies_and_cities() -> None:
    east_java = Regency.objects.filter(province_id="35")
    assert east_java.count() == 38
    assert east_java.get(code="3578").name == "Kota Surabaya"


def test_it_loads_districts_and_villages_with_plain_codes() -> None:
    assert District.objects.count() == 7285
    assert District.objects.get(code="357801").regency_id == "3578"
    assert Village.objects.filter(district_id="357801").exists()


def test_a_second_load_changes_nothing_and_skips_unchanged_files(capsys) -> None:
    before = (Province.objects.count(), Regency.objects.count(), Village.objects.count())
    call_command("regions_load")
    out = capsys.readouterr().out
    assert out.count("dilewati") == 4
    assert (Province.objects.count(), Regency.objects.count(), Village.objects.count()) == before


def test_a_forced_reload_upserts_without_duplicates() -> None:
    Regency.objects.filter(code="3578").update(name="Nama Lama")
    call_command("regions_load", "--force")
    assert Regency.objects.get(code="3578").name == "Kota Surabaya"
    assert Regency.objects.count() == 514
    assert LoadedDataset.objects.get(name="villages").rows == Village.objects.count()


def test_the_licence_file_ships_beside_the_data() -> None:
    from prakerja.regions.services import DATA_DIR

    assert "Open Database License" in (DATA_DIR / "LICENSE.md").read_text()
