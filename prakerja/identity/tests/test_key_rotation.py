"""Key rotation covers every ciphertext (issue 11, item 7): the registry of encrypted columns is
complete, and after rotating and dropping the old key staff still sign in with TOTP, NIKs
still decrypt and waiting uploads still import."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client, override_settings

from prakerja.accounts.models import Role, User
from prakerja.accounts.testing import make_user, sign_in_with_totp, totp_secret_of
from prakerja.identity import crypto
from prakerja.identity.models import Person
from prakerja.identity.services import person_get_or_create
from prakerja.identity.tests.factories import KK_SURABAYA, NIK_WOMAN_SURABAYA, fake_nik
from prakerja.labourdata.columns import WORKER_COLUMNS
from prakerja.labourdata.models import ImportBatch
from prakerja.labourdata.selectors import rejected_rows_csv
from prakerja.labourdata.services import import_batch_process, import_batch_upload

pytestmark = pytest.mark.django_db

NEW_KEY = Fernet.generate_key().decode()
NIK_REPORTED = fake_nik(serial=31)
NIK_WAITING = fake_nik(serial=32)
# A Fernet token: version byte 0x80 and a timestamp of 2024+ give this base64url start.
FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_\-]{60,}={0,2}")
ENCRYPTED_NAME = re.compile(r"encrypt|terenkripsi|cipher|secret", re.IGNORECASE)


@pytest.fixture
def old_key(settings: Any) -> str:
    # The key the personas (their TOTP secrets) were written with: the one to retire.
    return str(settings.NIK_ENCRYPTION_KEYS[0])


@pytest.fixture(autouse=True)
def _dummy_tasks(settings: Any) -> None:
    # The tests run the import job themselves.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(column.header for column in WORKER_COLUMNS)]
    for cells in rows:
        values = {
            "nik": "",
            "full_name": "Siti Rahayu",
            "birth_date": "",
            "gender": "",
            "category": "Dirumahkan",
            "migrant_reason": "",
            "regency": "Kota Surabaya",
            "company": "PT Contoh Sejahtera",
            "report_date": "11/04/2020",
            "phone": "081234567890",
            **cells,
        }
        lines.append(",".join(values[column.key] for column in WORKER_COLUMNS))
    return ("\r\n".join(lines) + "\r\n").encode()


def _upload(actor: User, data: bytes, name: str) -> ImportBatch:
    return import_batch_upload(
        actor=actor, kind="workers", source="regency_disnaker", name=name, upload=io.BytesIO(data)
    ).batch


def _registered() -> set[tuple[str, str]]:
    return {(entry.model, entry.field) for entry in crypto.ENCRYPTED_FIELDS}


def _concrete_models() -> Iterator[type[models.Model]]:
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            yield model


def _every_kind_of_ciphertext(data_officer: User) -> dict[str, Any]:
    """One row of each thing the platform encrypts, written under the keys configured now."""
    person, _ = person_get_or_create(nik=NIK_WOMAN_SURABAYA, kk=KK_SURABAYA)
    officer = make_user(role=Role.OFFICER)  # TOTP activated
    RecoveryCodes.activate(officer)
    done = _upload(
        data_officer,
        _csv([{"nik": NIK_REPORTED}, {"nik": "3578", "full_name": "Budi"}]),
        "selesai.csv",
    )
    import_batch_process(batch_id=done.pk)
    waiting = _upload(data_officer, _csv([{"nik": NIK_WAITING}]), "menunggu.csv")
    return {"person": person, "officer": officer, "done": done, "waiting": waiting}


# --- The registry is complete -----------------------------------------------------------------


def test_every_registered_column_exists() -> None:
    for entry in crypto.ENCRYPTED_FIELDS:
        model = apps.get_model(entry.model)
        field = model._meta.get_field(entry.field)
        kind = {
            crypto.Storage.TEXT: models.TextField,
            crypto.Storage.BYTES: models.BinaryField,
            crypto.Storage.JSON: models.JSONField,
        }[entry.storage]
        assert isinstance(field, kind), entry


def test_every_column_named_or_labelled_as_encrypted_is_registered() -> None:
    # A new encrypted column (``*_encrypted``, "… (terenkripsi)", a binary blob) must be listed,
    # or the key rotation leaves it under the old key and dropping that key loses it.
    unregistered = []
    for model in _concrete_models():
        for field in model._meta.concrete_fields:
            looks_encrypted = (
                ENCRYPTED_NAME.search(field.name) is not None
                or ENCRYPTED_NAME.search(str(field.verbose_name)) is not None
                or isinstance(field, models.BinaryField)
            )
            if looks_encrypted and (model._meta.label, field.name) not in _registered():
                unregistered.append(f"{model._meta.label}.{field.name}")
    assert unregistered == []


def test_no_ciphertext_is_stored_outside_the_registered_columns(
    province_data_officer: User,
) -> None:
    # Whatever a column is called: after writing one of everything the platform encrypts,
    # every column that holds a Fernet token must be a registered one.
    _every_kind_of_ciphertext(province_data_officer)
    seen_in: set[tuple[str, str]] = set()
    for model in _concrete_models():
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(
                field, models.TextField | models.CharField | models.BinaryField | models.JSONField
            )
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*(field.attname for field in fields)):
            for field, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes | memoryview):
                    raw = bytes(value)
                elif isinstance(value, str):
                    raw = value.encode()
                else:
                    raw = json.dumps(value).encode()
                if FERNET_TOKEN.search(raw):
                    seen_in.add((model._meta.label, field.name))
    assert seen_in - _registered() == set()
    # And the scan did see what it was meant to find (otherwise it proves nothing).
    assert {
        ("identity.Person", "nik_encrypted"),
        ("mfa.Authenticator", "data"),
        ("labourdata.ImportBatch", "file_encrypted"),
        ("labourdata.ImportRow", "raw_encrypted"),
    } <= seen_in


# --- Rotation ---------------------------------------------------------------------------------


def test_after_rotating_and_dropping_the_old_key_everything_still_reads(
    province_data_officer: User,
    old_key: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with override_settings(NIK_ENCRYPTION_KEYS=[old_key]):
        written = _every_kind_of_ciphertext(province_data_officer)
        recovery_codes = RecoveryCodes(
            Authenticator.objects.get(
                user=written["officer"], type=Authenticator.Type.RECOVERY_CODES
            )
        ).get_unused_codes()

    with override_settings(NIK_ENCRYPTION_KEYS=[NEW_KEY, old_key]):
        call_command("personal_data_rotate_keys", "--batch-size", "1")
    output = capsys.readouterr().out

    # The applicant and the reported worker; the data officer's and the officer's TOTP, the
    # officer's recovery codes.
    assert "identity_person: 2 dari 2 baris dienkripsi ulang" in output
    assert "mfa_authenticator: 3 dari 3 baris dienkripsi ulang" in output
    # The finished batch's file is gone already; only the waiting one holds a file.
    assert "labourdata_importbatch: 1 dari 1 baris dienkripsi ulang" in output
    assert "labourdata_importrow: 1 dari 1 baris dienkripsi ulang" in output
    assert "  labourdata_importbatch: 1/1 baris diperiksa" in output

    with override_settings(NIK_ENCRYPTION_KEYS=[NEW_KEY]):
        # The staff member signs in with their authenticator app as before.
        officer = written["officer"]
        client = Client()
        sign_in_with_totp(client, officer)
        assert client.get("/accounts/2fa/").status_code == 200
        assert (
            RecoveryCodes(
                Authenticator.objects.get(user=officer, type=Authenticator.Type.RECOVERY_CODES)
            ).get_unused_codes()
            == recovery_codes
        )
        # The NIK and KK decrypt, the waiting upload imports, the rejected row downloads.
        person = Person.objects.get(pk=written["person"].pk)
        assert (person.nik, person.kk) == (NIK_WOMAN_SURABAYA, KK_SURABAYA)
        import_batch_process(batch_id=written["waiting"].pk)
        waiting = ImportBatch.objects.get(pk=written["waiting"].pk)
        assert (waiting.status, waiting.rows_accepted) == (ImportBatch.Status.COMPLETED, 1)
        assert "Budi" in str(rejected_rows_csv(batch=written["done"]))


def test_rotation_is_safe_to_run_again_and_rewrites_nothing_the_second_time(
    province_data_officer: User,
    old_key: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with override_settings(NIK_ENCRYPTION_KEYS=[old_key]):
        written = _every_kind_of_ciphertext(province_data_officer)

    with override_settings(NIK_ENCRYPTION_KEYS=[NEW_KEY, old_key]):
        call_command("personal_data_rotate_keys")
        capsys.readouterr()
        secret = totp_secret_of(written["officer"])
        stored = list(Authenticator.objects.order_by("pk").values_list("data", flat=True))
        call_command("personal_data_rotate_keys")
        second_run = capsys.readouterr().out

    for table in (
        "identity_person",
        "identity_historicalperson",
        "mfa_authenticator",
        "labourdata_importbatch",
        "labourdata_importrow",
    ):
        assert re.search(rf"^{table}: 0 dari [1-9]\d* baris dienkripsi ulang$", second_run, re.M)
    assert list(Authenticator.objects.order_by("pk").values_list("data", flat=True)) == stored
    with override_settings(NIK_ENCRYPTION_KEYS=[NEW_KEY]):
        assert totp_secret_of(written["officer"]) == secret


def test_rotation_stops_with_a_clear_message_when_no_key_opens_a_value(old_key: str) -> None:
    make_user(role=Role.OFFICER)

    with (
        override_settings(NIK_ENCRYPTION_KEYS=[NEW_KEY]),
        pytest.raises(CommandError) as caught,
    ):
        call_command("personal_data_rotate_keys")

    assert "mfa_authenticator.data" in str(caught.value)
    assert "tidak ada kunci di NIK_ENCRYPTION_KEYS yang dapat membukanya" in str(caught.value)
