"""The participant's payment account: register, change (after a code sent to their phone),
and the review of a holder name that does not match the registered name.

The number is stored encrypted with a blind index (as the NIK); the index is unique among
active accounts, so one account pays one person. A second person entering it is refused and
the attempt kept (``AccountRefusal``) for the fraud reviewers. A change blocks payments for
``PaymentSettings.change_block_hours`` and is refused while a batch holds the participant's
instalment.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from prakerja.accounts.models import Role
from prakerja.accounts.scopes import Capability, actor_require
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.enrolment.models import Participant
from prakerja.identity import crypto
from prakerja.identity.names import person_name_check
from prakerja.identity.phones import phone_normalise
from prakerja.notifications.services import sms_send_on_commit
from prakerja.payments.errors import PaymentError
from prakerja.payments.models import (
    BANKS,
    EWALLETS,
    AccountRefusal,
    ChangeCode,
    Channel,
    PaymentAccount,
    PaymentLine,
)
from prakerja.payments.services.schedule import _participant_for, payment_settings_get

CODE_LIFETIME = timedelta(minutes=10)
_TITLES = re.compile(r"\b(h|hj|dr|drs|ir|s\.?pd|s\.?e|s\.?kom|a\.?md|m\.?m|sdr|sdri|bpk|ibu)\b\.?")


def _invalid(message: str, field: str) -> ApplicationError:
    return ApplicationError(PaymentError.ACCOUNT_INVALID, message, field=field, status=422)


def account_number_clean(*, channel: str, provider: str, number: str) -> str:
    """The account number as stored: digits for a bank account, +62… for an e-wallet."""
    if channel == Channel.BANK:
        if provider not in BANKS:
            raise _invalid(_("Pilih bank dari daftar."), "provider")
        digits = re.sub(r"[\s.-]", "", number or "")
        if not digits.isdigit() or not 6 <= len(digits) <= 20:
            raise _invalid(_("Nomor rekening harus 6–20 angka."), "number")
        return digits
    if channel == Channel.EWALLET:
        if provider not in EWALLETS:
            raise _invalid(_("Pilih dompet digital dari daftar."), "provider")
        try:
            return phone_normalise(number or "")
        except ApplicationError as error:
            raise _invalid(str(error.message), "number") from None
    raise _invalid(_("Pilih rekening bank atau dompet digital."), "channel")


def name_similarity(holder: str, registered: str) -> int:
    """0–100: the holder's name against the registered name, ignoring case, titles and word
    order (rapidfuzz ``token_sort_ratio``)."""

    def key(text: str) -> str:
        return " ".join(_TITLES.sub(" ", text.lower().replace(",", " ")).split())

    return round(fuzz.token_sort_ratio(key(holder), key(registered)))


def _code_hash(participant_id: int, code: str) -> str:
    message = f"{participant_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def change_code_send(*, actor: Any) -> None:
    """Send a 6-digit code to the participant's registered phone; it confirms an account
    change within 10 minutes. A new code voids the earlier one."""
    participant = _participant_for(actor)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        ChangeCode.objects.filter(participant=participant, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        ChangeCode.objects.create(
            participant=participant,
            code_hash=_code_hash(participant.pk, code),
            expires_at=timezone.now() + CODE_LIFETIME,
        )
        phone = str(participant.registration.phone or "")
        if phone:
            sms_send_on_commit(
                to=phone,
                body=_(
                    "Kode ganti rekening Prakerja: %(code)s. Berlaku 10 menit. Jangan berikan "
                    "kode ini kepada siapa pun."
                )
                % {"code": code},
            )


def _change_code_use(participant: Participant, code: str) -> None:
    if not code:
        raise ApplicationError(
            PaymentError.CODE_REQUIRED,
            _("Masukkan kode yang kami kirim lewat SMS untuk mengganti rekening."),
            field="code",
            status=422,
        )
    row = (
        ChangeCode.objects.select_for_update()
        .filter(participant=participant, used_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-id")
        .first()
    )
    refused = ApplicationError(
        PaymentError.CODE_INVALID,
        _("Kode salah atau sudah kedaluwarsa. Minta kode baru."),
        field="code",
        status=422,
    )
    if row is None or row.attempts >= ChangeCode.MAX_ATTEMPTS:
        raise refused
    if not hmac.compare_digest(row.code_hash, _code_hash(participant.pk, code.strip())):
        ChangeCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        raise refused
    ChangeCode.objects.filter(pk=row.pk).update(used_at=timezone.now())


def account_register(
    *, actor: Any, channel: str, provider: str, number: str, holder_name: str, code: str = ""
) -> PaymentAccount:
    """Register the participant's payment account, or replace it (which needs ``code``).

    The holder's name is compared with the registered name: at or above the programme's
    threshold the account is ready; below, it waits for a reviewer."""
    participant = _participant_for(actor)
    clean = account_number_clean(channel=channel, provider=provider, number=number)
    holder, problem = person_name_check(holder_name or "")
    if problem is not None or not holder:
        raise _invalid(
            str(problem.message) if problem else _("Tulis nama pemilik rekening."),
            "holder_name",
        )
    index = crypto.blind_index(f"{channel}:{provider}:{clean}", purpose="payment-account")
    settings_row = payment_settings_get(programme_id=participant.wave.programme_id)
    score = name_similarity(holder, participant.registration.full_name)
    holder_of = (
        PaymentAccount.objects.filter(
            channel=channel, provider=provider, number_index=index, is_active=True
        )
        .exclude(participant=participant)
        .values_list("participant_id", flat=True)
        .first()
    )
    if holder_of is not None:
        # Kept (its own commit) although the request is refused: the reviewers' signal.
        AccountRefusal.objects.create(
            participant=participant,
            holder_id=holder_of,
            channel=channel,
            provider=provider,
            number_index=index,
        )
        raise _taken()
    now = timezone.now()
    with transaction.atomic():
        current = (
            PaymentAccount.objects.select_for_update()
            .filter(participant=participant, is_active=True)
            .first()
        )
        if current is not None:
            if current.number_index == index and current.holder_name == holder:
                raise ApplicationError(
                    PaymentError.ACCOUNT_UNCHANGED,
                    _("Rekening ini sudah terdaftar atas nama Anda."),
                    status=409,
                )
            if PaymentLine.objects.filter(
                participant=participant, result=PaymentLine.Result.PENDING
            ).exists():
                raise ApplicationError(
                    PaymentError.ACCOUNT_IN_OPEN_BATCH,
                    _(
                        "Rekening belum dapat diganti: pembayaran Anda sedang diproses bank. "
                        "Coba lagi setelah hasilnya keluar."
                    ),
                    status=409,
                )
            _change_code_use(participant, code)
        if current is not None:
            audit_as(current, actor=actor, reason="rekening diganti")
            current.is_active = False
            current.replaced_at = now
            current.save(update_fields=["is_active", "replaced_at"])
        account = PaymentAccount(
            participant=participant,
            channel=channel,
            provider=provider,
            number_encrypted=crypto.encrypt(clean),
            number_index=index,
            number_last4=clean[-4:],
            holder_name=holder,
            name_score=score,
            name_check=(
                PaymentAccount.NameCheck.MATCHED
                if score >= settings_row.name_match_threshold
                else PaymentAccount.NameCheck.REVIEW
            ),
            blocked_until=(
                now + timedelta(hours=settings_row.change_block_hours) if current else None
            ),
            created_by=actor,
        )
        audit_as(
            account, actor=actor, reason="rekening diganti" if current else "rekening didaftarkan"
        )
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise _taken() from None
    return account


def _taken() -> ApplicationError:
    return ApplicationError(
        PaymentError.ACCOUNT_TAKEN,
        _(
            "Rekening ini sudah dipakai peserta lain. Satu rekening hanya untuk satu orang: "
            "gunakan rekening atas nama Anda sendiri."
        ),
        field="number",
        status=409,
    )


def account_review(*, actor: Any, account_id: int, accept: bool) -> PaymentAccount:
    """A treasury officer accepts or rejects an account whose holder name did not match."""
    actor_require(actor, Capability.PAYMENT_MANAGE)
    with transaction.atomic():
        account = PaymentAccount.objects.select_for_update().filter(pk=account_id).first()
        if account is None:
            raise NotFound(PaymentError.FORBIDDEN, _("Rekening tidak ditemukan."))
        if account.name_check != PaymentAccount.NameCheck.REVIEW or not account.is_active:
            raise ApplicationError(
                PaymentError.REVIEW_NOT_PENDING,
                _("Rekening ini tidak sedang menunggu pemeriksaan."),
                status=409,
            )
        account.name_check = (
            PaymentAccount.NameCheck.MATCHED if accept else PaymentAccount.NameCheck.REJECTED
        )
        account.reviewed_by = actor
        account.reviewed_at = timezone.now()
        audit_as(account, actor=actor, reason="nama diterima" if accept else "nama ditolak")
        account.save(update_fields=["name_check", "reviewed_by", "reviewed_at"])
    if not accept:
        phone = str(account.participant.registration.phone or "")
        if phone:
            sms_send_on_commit(
                to=phone,
                body=_(
                    "Rekening pembayaran Prakerja Anda ditolak: nama pemilik tidak sesuai "
                    "dengan nama terdaftar. Daftarkan rekening atas nama Anda sendiri."
                ),
            )
    return account


def is_treasury(actor: Any) -> bool:
    return getattr(actor, "role", None) in {Role.TREASURY, Role.SUPERADMIN}
