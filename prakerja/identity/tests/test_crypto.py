from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from prakerja.identity import crypto
from prakerja.identity.tests.factories import NIK_WOMAN_SURABAYA


def test_it_encrypts_so_that_only_the_keys_can_read_it_back() -> None:
    token = crypto.encrypt(NIK_WOMAN_SURABAYA)

    assert NIK_WOMAN_SURABAYA not in token
    assert crypto.decrypt(token) == NIK_WOMAN_SURABAYA


def test_the_same_value_encrypts_differently_each_time() -> None:
    # Equal ciphertexts would let anyone with the table spot two rows with the same NIK.
    assert crypto.encrypt(NIK_WOMAN_SURABAYA) != crypto.encrypt(NIK_WOMAN_SURABAYA)


def test_it_refuses_a_token_no_configured_key_can_read() -> None:
    with override_settings(NIK_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        token = crypto.encrypt(NIK_WOMAN_SURABAYA)

    with pytest.raises(crypto.PersonalDataKeyError) as caught:
        crypto.decrypt(token)
    assert NIK_WOMAN_SURABAYA not in str(caught.value)


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(NIK_ENCRYPTION_KEYS=[old]):
        old_token = crypto.encrypt(NIK_WOMAN_SURABAYA)

    with override_settings(NIK_ENCRYPTION_KEYS=[new, old]):
        assert crypto.decrypt(old_token) == NIK_WOMAN_SURABAYA
        assert not crypto.is_current(old_token)
        rotated = crypto.rotate(old_token)
        assert crypto.is_current(rotated)
        assert crypto.is_current(crypto.encrypt("x"))

    with override_settings(NIK_ENCRYPTION_KEYS=[new]):
        assert crypto.decrypt(rotated) == NIK_WOMAN_SURABAYA


def test_the_blind_index_is_a_stable_keyed_hex_digest() -> None:
    index = crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="nik")

    assert index == crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="nik")
    assert len(index) == 64
    assert int(index, 16) >= 0
    assert NIK_WOMAN_SURABAYA not in index


def test_the_blind_index_depends_on_the_purpose_and_the_key() -> None:
    nik_index = crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="nik")

    assert crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="kk") != nik_index
    with override_settings(NIK_HMAC_KEY="another-key"):
        assert crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="nik") != nik_index
    with pytest.raises(ValueError):
        crypto.blind_index(NIK_WOMAN_SURABAYA, purpose="")
