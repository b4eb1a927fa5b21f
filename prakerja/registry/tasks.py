"""Background jobs of the registry (django-tasks): just another caller of services."""

from __future__ import annotations

from django_tasks import task

from prakerja.notifications.services import sms_send


def receipt_sms_body(*, reference: str, eligible: bool) -> str:
    if eligible:
        return (
            f"Pendaftaran Kartu Prakerja Jatim Anda diterima. Nomor pendaftaran: {reference}. "
            "Simpan nomor ini untuk cek status."
        )
    return (
        f"Pendaftaran Kartu Prakerja Jatim {reference} belum memenuhi syarat. "
        "Lihat alasannya di halaman status pendaftaran."
    )


@task()
def registration_receipt_send(phone: str, reference: str, eligible: bool) -> None:
    """Text the applicant their registration number (or that they are not eligible).

    A job rather than a call in the request: during a surge the submit answers without
    waiting on the SMS gateway, and a gateway error fails (and can retry) the job, not the
    submission. Raises ``SmsDeliveryError`` when the gateway refuses, so the job shows as
    failed with the reason.
    """
    sms_send(to=phone, body=receipt_sms_body(reference=reference, eligible=eligible))
