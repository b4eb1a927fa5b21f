"""The steps of a registration, in the order the wizard shows them, and the wizard's pages.

The values are stable codes: they appear in URLs (``/daftar/<reference>/<step>/``), in the API
(``PATCH /api/v1/registrations/<reference>/<step>``) and in the status answer.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
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

Page = tuple[Step, ...]

# The wizard's pages: the steps a person fills in one sitting share one form, so a whole
# registration is three GET + POST round trips instead of seven (issue 17) on a phone's slow
# connection. Each step keeps its own validation and is saved on its own (a valid step is kept
# when another step of its page is refused). The identity step stays alone: its NIK check,
# the NIK throttle and the "already registered" refusal belong to it only. The middle page is
# the person's situation today (how to reach them, where they live, their work and
# schooling); the last one is what they agree to and the test.
PAGES: tuple[Page, ...] = (
    (Step.IDENTITY,),
    (Step.CONTACT, Step.DOMICILE, Step.WORK, Step.EDUCATION_DISABILITY),
    (Step.CONSENT, Step.TEST),
)
PAGE_TITLES: dict[Page, str | Promise] = {
    PAGES[0]: Step.IDENTITY.label,
    PAGES[1]: _("Kontak, domisili, dan pekerjaan"),
    PAGES[2]: _("Persetujuan dan tes"),
}
_PAGE_OF: dict[Step, Page] = {step: page for page in PAGES for step in page}


def step_next(step: Step) -> Step | None:
    index = STEP_ORDER.index(step)
    return STEP_ORDER[index + 1] if index + 1 < len(STEP_ORDER) else None


def page_of(step: Step) -> Page:
    """The page of the wizard that shows this step (with the other steps of that page)."""
    return _PAGE_OF[step]


def page_number(step: Step) -> int:
    """The position of the step's page in the wizard, from 1."""
    return PAGES.index(_PAGE_OF[step]) + 1
