"""Linkage, review, outreach and JPS cases through their services, on a real database."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.signals import selection_published
from prakerja.identity.tests.factories import fake_nik
from prakerja.labourdata.models import Category, Kind, Source
from prakerja.linkage.evidence import link_evidence
from prakerja.linkage.models import DataExport, JpsReviewCase, Link, LinkageRun, OutreachInvitation
from prakerja.linkage.selectors import (
    outreach_rows,
    regional_vs_ministry,
    review_queue_for_actor,
)
from prakerja.linkage.services import decisions, jps, outreach, runs
from prakerja.linkage.tests import factories as f
from prakerja.notifications.models import OutboxMessage
from prakerja.registry.models import Registration
from prakerja.registry.services.programme import registry_seed_load
from prakerja.waves.models import Wave

pytestmark = pytest.mark.django_db(transaction=False)

DOB = date(1990, 8, 17)


def run_linkage(actor: User) -> LinkageRun:
    run = LinkageRun.objects.create(started_by=actor)
    return runs.linkage_run_execute(run_id=run.pk)


def flag(registration: Registration) -> bool:
    registration.refresh_from_db()
    return registration.reported_by_disnaker


def test_it_links_the_same_nik_exactly_and_flags_the_registrant(
    surabaya_data_officer: User,
) -> None:
    nik = fake_nik(serial=11)
    registration = f.registrant(nik=nik, full_name="Siti Rahayu")
    worker = f.worker(nik=nik, full_name="SITI RAHAYOE")

    run = run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.worker_id, link.registration_id) == (worker.pk, registration.pk)
    assert (link.method, link.status, link.match_probability) == ("exact_nik", "linked", 1.0)
    assert (run.status, run.exact_links, run.percent) == ("completed", 1, 100)
    assert flag(registration) is True
    assert link.history.count() == 1


def test_it_links_spelling_variants_with_a_one_digit_nik_typo_automatically(
    surabaya_data_officer: User,
) -> None:
    nik = fake_nik(serial=21)
    # A typo in the regency code: the serial and district still agree (a serial-only or
    # district-only difference is what a neighbour's NIK looks like, see the next tests).
    typo = nik[:3] + ("7" if nik[3] != "7" else "8") + nik[4:]
    registration = f.registrant(nik=nik, full_name="Muhammad Joko Santoso")
    f.registrant(nik=fake_nik(serial=22), full_name="Siti Aminah")
    f.worker(nik=typo, full_name="Moh. Djoko Santoso, S.Pd.")

    run = run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert link.registration_id == registration.pk
    assert (link.method, link.status) == ("probabilistic", "linked")
    assert link.match_probability >= 0.99
    assert link.evidence["nik"]["level"] == "beda 1 angka di kode wilayah/tanggal"
    assert link.evidence["nama"]["level"] == "sama"
    assert run.auto_links == 1
    assert flag(registration) is True


def test_a_nik_differing_only_in_its_serial_goes_to_review_not_to_an_automatic_link(
    surabaya_data_officer: User,
) -> None:
    # Same name, birth date and district, consecutive serials: a typo, or a neighbour born
    # the same day (issue 12: 148 namesakes were linked automatically this way).
    registration = f.registrant(nik=fake_nik(serial=21), full_name="Agus Salim")
    f.worker(nik=fake_nik(serial=22), full_name="Agus Salim")

    run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.registration_id, link.status) == (registration.pk, "pending")
    assert link.evidence["nik"]["level"] == "beda hanya di nomor urut"
    assert link.evidence["nik"]["weight"] < 0
    assert flag(registration) is False


@pytest.mark.parametrize(
    ("registrant_phone", "status", "reason"),
    [("", "pending", "not_identified"), ("+6281234567890", "linked", "")],
)
def test_a_namesake_with_a_nik_one_digit_off_in_the_district_is_linked_only_if_the_phone_agrees(
    surabaya_data_officer: User, registrant_phone: str, status: str, reason: str
) -> None:
    # Same name, birth date and serial, district code one digit off: a typo, or a namesake
    # from the next district (issue 12's independent set: 55 namesakes linked this way).
    nik = fake_nik(serial=21)
    neighbour = nik[:5] + ("7" if nik[5] != "7" else "8") + nik[6:]
    registration = f.registrant(nik=nik, full_name="Agus Salim", phone=registrant_phone)
    f.worker(nik=neighbour, full_name="Agus Salim", phone="+6281234567890")

    run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.registration_id, link.status) == (registration.pk, status)
    assert link.evidence["nik"]["level"] == "beda 1 angka di kode kecamatan"
    assert link.evidence.get("_review_reason", "") == reason
    assert flag(registration) is (status == "linked")


def test_a_nik_one_digit_off_into_a_district_that_does_not_exist_is_linked_automatically(
    surabaya_data_officer: User,
) -> None:
    # No neighbour has a NIK in district 9x of Surabaya: the digit is a typo.
    nik = fake_nik(serial=21)
    typo = nik[:4] + "9" + nik[5:]
    registration = f.registrant(nik=nik, full_name="Agus Salim")
    f.worker(nik=typo, full_name="Agus Salim")

    run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.registration_id, link.status) == (registration.pk, "linked")
    assert link.evidence["nik"]["level"] == "beda 1 angka, kode kecamatan tidak ada"
    assert flag(registration) is True


def test_a_namesake_like_pair_is_linked_when_both_name_the_same_employer(
    surabaya_data_officer: User,
) -> None:
    # Name, birth date and regency agree, the NIKs differ the way a neighbour's do, and only
    # the report has a phone: what namesakes look like, unless the employer tells them apart.
    registration = f.registrant(
        nik=fake_nik(serial=21),
        full_name="Agus Salim",
        last_employer="pt. surya kencana tekstil cabang sidoarjo",
    )
    f.worker(nik=fake_nik(serial=22), full_name="AGUS SALIM", company="PT SURYA KENCANA TEKSTIL")

    run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.registration_id, link.status) == (registration.pk, "linked")
    assert link.evidence["nik"]["level"] == "beda hanya di nomor urut"
    assert link.evidence["tempat_kerja"]["level"] == "sama, satu lebih lengkap"
    assert link.evidence["tempat_kerja"]["weight"] > 0
    assert flag(registration) is True
    evidence = link_evidence(actor=surabaya_data_officer, link_id=link.pk)
    assert evidence.worker.employer == "PT SURYA KENCANA TEKSTIL"
    assert evidence.registrant.employer == "pt. surya kencana tekstil cabang sidoarjo"
    employer = next(c for c in evidence.comparisons if c["key"] == "tempat_kerja")
    assert employer["name"] == "Tempat kerja"
    assert employer["direction"] == "mendukung"


def test_two_registrants_with_one_name_at_one_employer_go_to_review(
    surabaya_data_officer: User,
) -> None:
    # Twins, or namesakes, at one factory: the employer does not say which of them it is.
    for serial in (21, 23):
        f.registrant(
            nik=fake_nik(serial=serial), full_name="Agus Salim", last_employer="Surya Kencana"
        )
    f.worker(nik=fake_nik(serial=22), full_name="Agus Salim", company="PT Surya Kencana")

    run_linkage(surabaya_data_officer)

    assert {link.status for link in Link.objects.all()} == {"pending"}


def test_the_same_large_employer_does_not_identify_a_namesake(
    surabaya_data_officer: User,
) -> None:
    # One in ten of Surabaya's registrants here work at the factory: a namesake may too.
    registration = f.registrant(
        nik=fake_nik(serial=21), full_name="Agus Salim", last_employer="PT Surya Kencana"
    )
    for serial in range(40, 49):
        f.registrant(
            nik=fake_nik(serial=serial),
            full_name=f"Budi Santoso {serial}",
            birth_date=date(1980, 1, 1),
            last_employer="PT. SURYA KENCANA",
        )
    f.worker(nik=fake_nik(serial=22), full_name="Agus Salim", company="PT Surya Kencana")

    run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.registration_id, link.status) == (registration.pk, "pending")
    assert link.evidence["tempat_kerja"]["level"] == "sama, tempat kerja besar"
    assert link.evidence["_review_reason"] == "not_identified"
    evidence = link_evidence(actor=surabaya_data_officer, link_id=link.pk)
    employer = next(c for c in evidence.comparisons if c["key"] == "tempat_kerja")
    assert employer["level"].startswith("sama, tetapi tempat kerja besar")


def uncertain_pair() -> tuple[Registration, int]:
    # Same name, birth date and regency but unrelated NIKs: maybe a typo-ridden NIK, maybe a
    # namesake. Exactly what a person must look at.
    registration = f.registrant(nik=fake_nik(serial=31), full_name="Agus Salim")
    worker = f.worker(nik=fake_nik(serial=4431, district_code="357802"), full_name="Agus Salim")
    return registration, worker.pk


def test_it_sends_an_uncertain_pair_to_the_review_queue_unflagged(
    surabaya_data_officer: User,
) -> None:
    registration, worker_id = uncertain_pair()

    run = run_linkage(surabaya_data_officer)

    link = Link.objects.get()
    assert (link.worker_id, link.status) == (worker_id, "pending")
    assert 0.5 <= link.match_probability < 0.99
    assert run.review_pairs == 1
    assert flag(registration) is False
    assert list(review_queue_for_actor(actor=surabaya_data_officer)) == [link]


def test_the_evidence_shows_both_sides_with_masked_niks_and_weights(
    surabaya_data_officer: User,
) -> None:
    uncertain_pair()
    run_linkage(surabaya_data_officer)

    evidence = link_evidence(actor=surabaya_data_officer, link_id=Link.objects.get().pk)

    assert evidence.worker.nik_masked == "3578********4431"
    assert evidence.registrant.nik_masked == "3578********0031"
    assert evidence.worker.name == evidence.registrant.name == "Agus Salim"
    levels = {c["name"]: (c["level"], c["weight"]) for c in evidence.comparisons}
    assert levels["NIK"][0] == "berbeda"
    assert levels["Kabupaten/kota"][0] == "sama"
    assert levels["Kabupaten/kota"][1] > 0


def test_accepting_flags_the_registrant_and_unlinking_clears_it(
    surabaya_data_officer: User,
) -> None:
    registration, _ = uncertain_pair()
    run_linkage(surabaya_data_officer)
    link = Link.objects.get()

    decisions.link_accept(actor=surabaya_data_officer, link_id=link.pk)
    assert flag(registration) is True
    link.refresh_from_db()
    assert (link.status, link.decided_by) == ("accepted", surabaya_data_officer)

    decisions.link_unlink(actor=surabaya_data_officer, link_id=link.pk, reason="Salah orang")
    assert flag(registration) is False
    assert [h.status for h in link.history.order_by("history_date")] == [
        "pending",
        "accepted",
        "unlinked",
    ]


def test_a_rejected_pair_is_never_proposed_again(surabaya_data_officer: User) -> None:
    registration, _ = uncertain_pair()
    run_linkage(surabaya_data_officer)
    link = Link.objects.get()

    with pytest.raises(ApplicationError) as missing:
        decisions.link_reject(actor=surabaya_data_officer, link_id=link.pk, reason=" ")
    assert missing.value.code == "linkage.reason_required"
    decisions.link_reject(actor=surabaya_data_officer, link_id=link.pk, reason="Beda orang")
    run_linkage(surabaya_data_officer)

    assert Link.objects.get().status == "rejected"
    assert flag(registration) is False
    with pytest.raises(ApplicationError) as again:
        decisions.link_accept(actor=surabaya_data_officer, link_id=link.pk)
    assert again.value.code == "linkage.already_decided"


def test_running_twice_adds_nothing(surabaya_data_officer: User) -> None:
    nik = fake_nik(serial=41)
    f.registrant(nik=nik, full_name="Budi")
    f.worker(nik=nik, full_name="Budi")
    uncertain_pair()

    run_linkage(surabaya_data_officer)
    second = run_linkage(surabaya_data_officer)

    assert Link.objects.count() == 2
    assert (second.exact_links, second.auto_links, second.review_pairs) == (0, 0, 0)


def test_a_data_officer_of_another_regency_cannot_decide(surabaya_data_officer: User) -> None:
    uncertain_pair()
    run_linkage(surabaya_data_officer)
    malang = make_user(role=Role.DATA_OFFICER, regency_code="3507")

    assert list(review_queue_for_actor(actor=malang)) == []
    with pytest.raises(PermissionDenied):
        decisions.link_accept(actor=malang, link_id=Link.objects.get().pk)


def test_a_manager_cannot_review_links(manager: User) -> None:
    uncertain_pair()
    run_linkage(manager)

    with pytest.raises(PermissionDenied):
        decisions.link_accept(actor=manager, link_id=Link.objects.get().pk)


def test_the_run_start_queues_one_run_at_a_time(surabaya_data_officer: User, settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = runs.linkage_run_start(actor=surabaya_data_officer)
    second = runs.linkage_run_start(actor=surabaya_data_officer)
    assert first.pk == second.pk


# --- Outreach -------------------------------------------------------------------------------


def test_the_outreach_list_holds_only_workers_who_have_not_registered(
    surabaya_data_officer: User,
) -> None:
    nik = fake_nik(serial=51)
    f.registrant(nik=nik, full_name="Sudah Daftar")
    f.worker(nik=nik, full_name="Sudah Daftar")
    f.worker(nik=fake_nik(serial=52), full_name="Belum Daftar", phone="+6281200000052")
    f.worker(
        nik=fake_nik(serial=53, district_code="350701"), full_name="Orang Malang", regency="3507"
    )
    draft_nik = fake_nik(serial=54)
    f.registrant(nik=draft_nik, full_name="Masih Draf", status=Registration.Status.DRAFT)
    f.worker(nik=draft_nik, full_name="Masih Draf", phone="+6281200000054")

    rows = outreach_rows(actor=surabaya_data_officer)

    assert rows["full_name"].to_list() == ["Belum Daftar", "Masih Draf"]
    assert rows["phone"].to_list() == ["+6281200000052", "+6281200000054"]
    assert rows["category"].to_list() == ["laid_off", "laid_off"]


def _wave(number: int, *, closes_in_days: int = 7) -> Wave:
    """A wave of the demo programme straight in the table (the waves app's rules are tested
    there); ``closes_in_days`` < 0 gives a wave already closed."""
    now = timezone.now()
    return Wave.objects.create(
        programme=registry_seed_load().programme,
        number=number,
        name=f"Gelombang {number}",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=closes_in_days),
        total_quota=100,
        status=Wave.Status.OPEN if closes_in_days > 0 else Wave.Status.CLOSED,
    )


def test_each_worker_gets_at_most_one_invitation_per_wave(
    surabaya_data_officer: User, django_capture_on_commit_callbacks
) -> None:
    f.worker(nik=fake_nik(serial=61), full_name="Satu", phone="+6281200000061")
    f.worker(nik=fake_nik(serial=62), full_name="Dua", phone="")
    fourth, fifth = _wave(4), _wave(5, closes_in_days=40)

    def send(wave: Wave) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return outreach.outreach_invitations_send(
                actor=surabaya_data_officer, wave_id=wave.pk, regency_code=None
            )

    assert (send(fourth), send(fourth), send(fifth)) == (1, 0, 1)
    assert OutreachInvitation.objects.count() == 2
    messages = OutboxMessage.objects.filter(recipient="+6281200000061").order_by("pk")
    assert [m.body for m in messages] == [
        outreach.invitation_sms_body(wave=fourth),
        outreach.invitation_sms_body(wave=fifth),
    ]
    assert "Gelombang 4 gratis sampai" in messages[0].body


def test_invitations_need_a_wave_still_open_or_to_open(
    surabaya_data_officer: User, django_capture_on_commit_callbacks
) -> None:
    f.worker(nik=fake_nik(serial=63), full_name="Tiga", phone="+6281200000063")
    closed = _wave(3, closes_in_days=-1)
    for wave_id in ("  ", "abc", closed.pk, 999_999):
        with pytest.raises(ApplicationError) as error:
            outreach.outreach_invitations_start(
                actor=surabaya_data_officer, wave_id=wave_id, regency_code=None
            )
        assert error.value.code == "linkage.wave_invalid"
    # A job queued before its wave closed sends nothing once it has.
    with django_capture_on_commit_callbacks(execute=True):
        sent = outreach.outreach_invitations_send(
            actor=surabaya_data_officer, wave_id=closed.pk, regency_code=None
        )
    assert sent == 0
    assert not OutboxMessage.objects.filter(recipient="+6281200000063").exists()


def test_an_outreach_export_is_recorded(surabaya_data_officer: User) -> None:
    outreach.outreach_export_record(
        actor=surabaya_data_officer, file_format="xlsx", regency_code="3578", row_count=3
    )
    export = DataExport.objects.get()
    assert (export.actor, export.kind, export.row_count) == (surabaya_data_officer, "outreach", 3)


# --- Regional vs ministry -------------------------------------------------------------------


def test_the_report_splits_people_into_both_one_only_and_conflicting(
    province_data_officer: User,
) -> None:
    ministry = f.batch(source=Source.MINISTRY)
    regional = f.batch(source=Source.REGENCY_DISNAKER)
    f.worker(
        nik=fake_nik(serial=71),
        full_name="Di Keduanya",
        reports=[(ministry, Category.LAID_OFF, "3578"), (regional, Category.LAID_OFF, "3578")],
    )
    f.worker(
        nik=fake_nik(serial=72),
        full_name="Beda Kategori",
        reports=[(ministry, Category.LAID_OFF, "3578"), (regional, Category.FURLOUGHED, "3578")],
    )
    f.worker(
        nik=fake_nik(serial=73),
        full_name="Beda Wilayah",
        reports=[(ministry, Category.MIGRANT, "3578"), (regional, Category.MIGRANT, "3507")],
    )
    f.worker(
        nik=fake_nik(serial=74),
        full_name="Hanya Kemnaker",
        reports=[(ministry, Category.LAID_OFF, "3578")],
    )
    f.worker(
        nik=fake_nik(serial=75),
        full_name="Hanya Daerah",
        reports=[(regional, Category.LAID_OFF, "3578")],
    )

    report = regional_vs_ministry(actor=province_data_officer)

    assert report.totals() == {"both": 3, "only_ministry": 1, "only_regional": 1, "conflicting": 2}
    groups = dict(zip(report.people["full_name"], report.people["group"], strict=True))
    assert groups == {
        "Di Keduanya": "both",
        "Beda Kategori": "conflicting",
        "Beda Wilayah": "conflicting",
        "Hanya Kemnaker": "only_ministry",
        "Hanya Daerah": "only_regional",
    }


# --- JPS review cases -----------------------------------------------------------------------


def jps_overlap(officer: User) -> tuple[Registration, int]:
    nik = fake_nik(serial=81)
    registration = f.registrant(nik=nik, full_name="Penerima PKH")
    jps_batch = f.batch(kind=Kind.JPS, source="", uploader=officer)
    f.jps_receipt(nik=nik, full_name="Penerima PKH", jps_batch=jps_batch)
    f.jps_receipt(nik=fake_nik(serial=82), full_name="Tidak Mendaftar", jps_batch=jps_batch)
    return registration, jps_batch.pk


def test_an_imported_jps_list_opens_one_case_per_overlap_assigned_locally(
    surabaya_data_officer: User,
) -> None:
    registration, batch_id = jps_overlap(surabaya_data_officer)

    assert jps.jps_cases_open_for_batch(batch_id=batch_id) == 1
    assert jps.jps_cases_open_for_batch(batch_id=batch_id) == 0

    case = JpsReviewCase.objects.get()
    assert (case.registration, case.regency_id, case.assigned_to) == (
        registration,
        "3578",
        surabaya_data_officer,
    )
    assert (case.trigger, case.status) == ("jps_import", "open")


def test_a_published_selection_opens_cases_for_selected_jps_recipients(
    surabaya_data_officer: User,
) -> None:
    registration, _ = jps_overlap(surabaya_data_officer)
    other = f.registrant(nik=fake_nik(serial=83), full_name="Bukan Penerima")

    # The signal's contract (prakerja.core.signals): the published run and its wave. Stand-ins
    # with a primary key keep this test free of the waves app; every receiver only reads .pk.
    selection_published.send(
        sender=None,
        run=SimpleNamespace(pk=9),
        wave=SimpleNamespace(pk=4),
        registration_ids=[registration.pk, other.pk],
    )

    case = JpsReviewCase.objects.get()
    assert (case.registration, case.trigger) == (registration, "selection")
    assert case.selection_ref == "4/9"


def test_a_manager_resolves_a_case_with_a_reason(
    surabaya_data_officer: User, manager: User
) -> None:
    _, batch_id = jps_overlap(surabaya_data_officer)
    jps.jps_cases_open_for_batch(batch_id=batch_id)
    case = JpsReviewCase.objects.get()

    with pytest.raises(ApplicationError) as no_reason:
        jps.jps_case_resolve(actor=manager, case_id=case.pk, decision="stop", reason="")
    assert (no_reason.value.code, str(no_reason.value.message)) == (
        "linkage.reason_required",
        "Tuliskan alasannya.",
    )
    with pytest.raises(ApplicationError) as bad:
        jps.jps_case_resolve(actor=manager, case_id=case.pk, decision="maybe", reason="x")
    assert bad.value.code == "linkage.jps_decision_invalid"

    jps.jps_case_resolve(
        actor=manager, case_id=case.pk, decision="adjust", reason="Dikurangi selama pelatihan"
    )

    case.refresh_from_db()
    assert (case.status, case.decision, case.decided_by) == ("resolved", "adjust", manager)
    assert case.history.first().history_user == manager
    with pytest.raises(ApplicationError) as twice:
        jps.jps_case_resolve(actor=manager, case_id=case.pk, decision="stop", reason="x")
    assert twice.value.code == "linkage.jps_case_closed"


def test_a_viewer_cannot_resolve_a_case(surabaya_data_officer: User, viewer: User) -> None:
    _, batch_id = jps_overlap(surabaya_data_officer)
    jps.jps_cases_open_for_batch(batch_id=batch_id)
    with pytest.raises(PermissionDenied):
        jps.jps_case_resolve(
            actor=viewer, case_id=JpsReviewCase.objects.get().pk, decision="stop", reason="x"
        )


def test_an_imported_jps_list_opens_cases_when_its_import_job_finishes(
    surabaya_data_officer: User, settings, tmp_path
) -> None:
    import io

    from prakerja.labourdata import synthetic
    from prakerja.labourdata.columns import JPS_COLUMNS
    from prakerja.labourdata.services import import_batch_upload
    from prakerja.labourdata.tasks import import_batch_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    nik = fake_nik(serial=85)
    registration = f.registrant(nik=nik, full_name="Penerima BST")
    person = synthetic.SyntheticPerson(
        key="S0-1",
        nik=nik,
        full_name="Penerima BST",
        birth_date=DOB,
        gender="P",
        regency_code="3578",
        phone="081200000085",
    )
    path = tmp_path / "jps.csv"
    synthetic.csv_write(path, synthetic.jps_rows([person]), columns=JPS_COLUMNS)
    upload = import_batch_upload(
        actor=surabaya_data_officer,
        kind=Kind.JPS,
        name="jps.csv",
        upload=io.BytesIO(path.read_bytes()),
    )

    import_batch_run.enqueue(upload.batch.pk)

    case = JpsReviewCase.objects.get()
    assert (case.registration, case.trigger) == (registration, "jps_import")


def test_a_run_whose_worker_died_stops_blocking_new_runs(
    surabaya_data_officer: User, settings
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    first = runs.linkage_run_start(actor=surabaya_data_officer)
    # The worker started it, reported progress, then was killed: no sign of life since.
    quiet_since = timezone.now() - runs.LINKAGE_RUN_STALE_AFTER - timedelta(minutes=1)
    LinkageRun.objects.filter(pk=first.pk).update(
        status=LinkageRun.Status.RUNNING, started_at=quiet_since, progress_at=quiet_since
    )
    second = runs.linkage_run_start(actor=surabaya_data_officer)
    assert second.pk != first.pk and second.status == LinkageRun.Status.QUEUED
    first.refresh_from_db()
    assert (first.status, first.error_message) == (LinkageRun.Status.FAILED, "StalledRun")
    # A run that reported progress a moment ago is alive: it is returned, not replaced.
    LinkageRun.objects.filter(pk=second.pk).update(
        status=LinkageRun.Status.RUNNING, progress_at=timezone.now()
    )
    assert runs.linkage_run_start(actor=surabaya_data_officer).pk == second.pk
