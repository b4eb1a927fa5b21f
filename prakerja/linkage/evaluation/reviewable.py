"""Which true pairs a careful reviewer would link: the evidence both records carry.

The per-class bar of issue 12 is "recall >= 0.95 in each error class that a careful human
reviewer would link". A reviewer links a report to a registrant when something on both records
points to this one person and not to someone else who merely looks like them. The set's hard
negatives say who looks like them: namesakes share the name, the birth date and the regency
(and their NIK is a same-day neighbour's: the same district with the next serial, or another
district of the regency), and some work at the registrant's own large employer. So a true pair
is **reviewer-linkable** when it has at least one of (``evidence``):

- ``nik``: the report's NIK is the registrant's, or one that no other person born that day
  nearby could hold (``neighbour_like`` is false): a digit off in the regency or the date, a
  district code that does not exist, a serial of 10 or more (serials are given per district,
  birth date and sex in order; a district has a handful of people of one sex born on one day);
- ``kk``: the report's NIK is the registrant's KK number;
- ``phone``: the report's phone number is the registrant's;
- ``employer``: the registration's "tempat kerja terakhir" names the employer the report names
  ("perusahaan" not blank), and that employer is not one of its regency's large ones (where
  namesakes work too).

Otherwise (``NONE``) the pair has name, birth date and regency, which namesakes share, and a
NIK that could be a neighbour's: on the evidence it is indistinguishable from the set's
namesakes, and a reviewer who linked it would link those too. Such pairs are counted, and the
per-class recall is reported over all pairs and over the reviewer-linkable ones.

Computed from the set's own records (``EvalReport``, ``EvalPerson``, ``Employer``), never from
the matching's comparison levels.
"""

from __future__ import annotations

from prakerja.identity.nik import region_catalog
from prakerja.linkage.evaluation.employers import Employer
from prakerja.linkage.evaluation.population import EvalPerson, EvalReport, EvalSet

NIK = "nik"
KK = "kk"
PHONE = "phone"
EMPLOYER = "employer"
NONE = ""
# A serial above this is not a same-day neighbour's: NIK serials count the people of one sex
# born on one day in one district (the set's registrants have 1-3).
NEIGHBOUR_SERIAL_MAX = 9


def neighbour_like(report_nik: str, registrant_nik: str) -> bool:
    """Could ``report_nik`` be the NIK of another person born the same day near the registrant:
    the same regency code, a district that exists, the same date-and-sex part, a small serial."""
    serial = int(report_nik[12:]) if report_nik[12:].isdigit() else 0
    return (
        report_nik != registrant_nik
        and report_nik[:4] == registrant_nik[:4]
        and report_nik[:6] in region_catalog().districts
        and report_nik[6:12] == registrant_nik[6:12]
        and 1 <= serial <= NEIGHBOUR_SERIAL_MAX
    )


def evidence(report: EvalReport, registrant: EvalPerson, employers: list[Employer]) -> str:
    """What on both records points to this one person (``NONE``: nothing a namesake lacks)."""
    if report.nik == registrant.kk:
        return KK
    if not neighbour_like(report.nik, registrant.nik):
        return NIK
    if report.phone and report.phone == registrant.phone:
        return PHONE
    typed = registrant.last_employer_index
    if (
        report.company
        and typed is not None
        and typed == registrant.employer
        and employers[typed].tier != "large"
    ):
        return EMPLOYER
    return NONE


def evidence_by_report(dataset: EvalSet) -> dict[int, str]:
    """Report index (its position in ``dataset.reports``) → ``evidence``, for the positives."""
    by_key = {person.key: person for person in dataset.registrants}
    return {
        index: evidence(report, by_key[report.truth_key], dataset.employers)
        for index, report in enumerate(dataset.reports)
        if report.truth_key is not None
    }
