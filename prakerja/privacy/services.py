"""Writes for the applicant's rights over their data: a download of everything, logged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from prakerja.identity.models import PersonalDataAccess
from prakerja.identity.services import personal_data_access_record
from prakerja.privacy.presentation import document_display
from prakerja.privacy.selectors import personal_data_collect
from prakerja.registry.models import Registration

FileFormat = Literal["json", "pdf"]


class PdfUnavailable(Exception):
    """WeasyPrint (pango) cannot run on this server; the JSON download still works."""


@dataclass(frozen=True)
class PersonalDataExport:
    content: bytes
    content_type: str
    filename: str


def personal_data_export(
    *, actor: Any, registration: Registration, file_format: FileFormat
) -> PersonalDataExport:
    """Everything held about the owner of ``registration``, as JSON or PDF, and one access-log
    row (purpose ``self_export``) for the download.

    The document is built and rendered before the log row is written, outside any
    transaction: a PDF takes about a second, and the log must not claim a download that
    failed. The caller has checked that ``actor`` owns ``registration``
    (``registration_get_own``).
    """
    document = personal_data_collect(registration=registration, now=timezone.now())
    if file_format == "json":
        content = json.dumps(document.as_json(), ensure_ascii=False, indent=2).encode("utf-8")
        content_type = "application/json; charset=utf-8"
    else:
        html = render_to_string("privacy/export_pdf.html", {"document": document_display(document)})
        try:
            # Imported here, as for the receipt: a server without pango still serves the rest.
            from weasyprint import HTML

            # No base_url and no external resources: rendering never fetches anything.
            content = HTML(string=html).write_pdf()
        except OSError as error:
            raise PdfUnavailable from error
        content_type = "application/pdf"
    with transaction.atomic():
        personal_data_access_record(
            actor=actor,
            purpose=PersonalDataAccess.Purpose.SELF_EXPORT,
            person=registration.person,
            reference=registration.reference,
            found=True,
        )
    return PersonalDataExport(
        content=content,
        content_type=content_type,
        filename=f"data-pribadi-{registration.reference}.{file_format}",
    )
