"""The steps of a registration, in the order the wizard shows them.

The values are stable codes: they appear in URLs (``/daftar/<reference>/<step>/``), in the API
(``PATCH /api/v1/registrations/<reference>/<step>``) and in the status answer.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    IDENTITY = "identity", _("Data diri")
    CONTACT = "contact", _("Kontak")
    DOMICILE = "domicile", _("Domisili")
    WORK = "work", _("Pekerjaan")
    EDUCATION_DISABILITY = "education_disability", _("Pendidikan dan disabilitas")
    CONSENT = "consent", _("Persetujuan")
    TEST = "test", _("Tes pendaftaran")


STEP_ORDER: list[Step] = list(Step)


def step_next(step: Step) -> Step | None:
    index = STEP_ORDER.index(step)
    return STEP_ORDER[index + 1] if index + 1 < len(STEP_ORDER) else None
