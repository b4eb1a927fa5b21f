"""The ministry's list of training institutions (Sisnaker), reconciled with the providers
registered here (SPEC §3.6, issue 14).

The list is read with the same machinery as the labour lists (``labourdata.spreadsheet``: size
and decompression caps before parsing, text cells, loose headers, title rows and totals
refused or skipped). A province's list has a few thousand rows, so it is read in the request.

Pairing, one institution to at most one provider and back:
1. the same Sisnaker number → ``by_number``;
2. else, in the same regency, the most similar name (rapidfuzz ``token_sort_ratio`` on names
   without legal forms and kinds such as "LPK", "PT", "CV", punctuation and case):
   ≥ ``AUTOMATIC_SCORE`` → ``automatic``; ≥ ``REVIEW_SCORE`` → ``review`` (a data officer
   confirms or rejects it, audited); lower → no pair.
The report has three groups: providers here missing in Sisnaker, Sisnaker institutions not
registered here (per regency), and mismatches of name, address or capacity in the pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, Capability, actor_require, actor_role, scope_denied
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.labourdata.columns import Column
from prakerja.labourdata.errors import SisnakerError
from prakerja.labourdata.models import SisnakerImport, SisnakerInstitution, SisnakerMatch
from prakerja.labourdata.spreadsheet import table_read
from prakerja.labourdata.values import RegencyIndex
from prakerja.regions.models import Regency
from prakerja.regions.selectors import EAST_JAVA
from prakerja.training.models import Provider

AUTOMATIC_SCORE = 92
REVIEW_SCORE = 75
ADDRESS_SCORE = 80
SISNAKER_COLUMNS: tuple[Column, ...] = (
    Column("number", "Nomor Sisnaker", False, "LPK.3578.0012", "", ("No Sisnaker", "Nomor")),
    Column("name", "Nama Lembaga", True, "LPK Cipta Karya", "", ("Nama", "Nama LPK")),
    Column("kind", "Jenis", False, "LPK", "LPK, PLK atau BLK", ("Jenis Lembaga",)),
    Column("regency", "Kabupaten/Kota", True, "Kota Surabaya", "", ("Kab/Kota", "Kabupaten")),
    Column("address", "Alamat", False, "Jl. Darmo 12", "", ("Alamat Lembaga",)),
    Column(
        "capacity",
        "Kapasitas per Tahun",
        False,
        "240",
        "orang per tahun",
        ("Kapasitas", "Kapasitas Latih", "Kapasitas Pertahun"),
    ),
)
_LEGAL = re.compile(
    r"\b(lpk|plk|blk|uptd?|upt|pt|cv|ud|yayasan|lembaga|pelatihan|kerja|balai|latihan)\b"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9 ]+")


def name_key(name: str) -> str:
    """ "LPK Cipta Karya, PT." → "cipta karya": what two spellings of one institution share."""
    text = _NOT_ALNUM.sub(" ", name.lower())
    return " ".join(_LEGAL.sub(" ", text).split())


def name_score(a: str, b: str) -> int:
    return round(fuzz.token_sort_ratio(name_key(a), name_key(b)))


def _require(actor: Actor | None) -> None:
    actor_require(actor, Capability.PROVIDER_VERIFY)


def _row_text(value: str | None) -> str:
    return (value or "").strip()


@dataclass(frozen=True)
class ImportOutcome:
    list_import: SisnakerImport
    institutions: int
    rejected: int


def sisnaker_import(*, actor: Actor | None, data: bytes, name: str) -> ImportOutcome:
    """Read the list, store its institutions, pair them with the providers; rows that cannot
    be read are listed with their row number and reason (nothing stored for them)."""
    _require(actor)
    if actor_role(actor) == Role.DATA_OFFICER:
        assert isinstance(actor, User)
        if actor.regency_id is not None:
            raise scope_denied(SisnakerError.FORBIDDEN)  # the list is the whole province's
    table = table_read(data=data, name=name, columns=SISNAKER_COLUMNS)
    index = RegencyIndex.build(
        list(Regency.objects.filter(province_id=EAST_JAVA).values_list("code", "name"))
    )
    rows: list[SisnakerInstitution] = []
    rejected: list[dict[str, object]] = []
    # Optional columns missing from the file read as empty, built once (not per row).
    blank: list[str | None] = [None] * len(table)
    cells = {column.key: table.cells.get(column.key, blank) for column in SISNAKER_COLUMNS}
    for i, row_number in enumerate(table.row_numbers):
        institution_name = _row_text(cells["name"][i])
        code, _problem = index.resolve(_row_text(cells["regency"][i]))
        capacity_text = _row_text(cells["capacity"][i]).replace(".", "")
        if not institution_name:
            rejected.append({"row": row_number, "message": _("Nama lembaga kosong.")})
            continue
        if code is None:
            rejected.append(
                {"row": row_number, "message": _("Kabupaten/kota tidak dikenal di Jawa Timur.")}
            )
            continue
        if capacity_text and not capacity_text.isdigit():
            rejected.append(
                {"row": row_number, "message": _("Kapasitas harus angka (orang per tahun).")}
            )
            continue
        rows.append(
            SisnakerInstitution(
                row_number=row_number,
                sisnaker_number=_row_text(cells["number"][i])[:50],
                name=institution_name[:200],
                regency_id=code,
                address=_row_text(cells["address"][i])[:300],
                yearly_capacity=int(capacity_text) if capacity_text else None,
            )
        )
    if not rows:
        raise ApplicationError(
            SisnakerError.NO_ROWS,
            _("Tidak ada baris yang dapat dibaca: periksa kolom Nama Lembaga dan Kabupaten/Kota."),
        )
    assert isinstance(actor, User)
    with transaction.atomic():
        list_import = SisnakerImport.objects.create(
            uploaded_by=actor,
            original_name=name[:200],
            rows_total=len(table),
            rejected=rejected,
            notes=table.notes,
        )
        for row in rows:
            row.list_import = list_import
        SisnakerInstitution.objects.bulk_create(rows)
        matches = _pairs(list(list_import.institutions.all()))
        for match in matches:
            audit_as(match, actor=actor, reason="pencocokan Sisnaker")
            match.save()
    return ImportOutcome(list_import, len(rows), len(rejected))


def _pairs(institutions: list[SisnakerInstitution]) -> list[SisnakerMatch]:
    providers = list(Provider.objects.all())
    by_number = {p.sisnaker_number.strip().upper(): p for p in providers if p.sisnaker_number}
    taken: set[int] = set()
    matches: list[SisnakerMatch] = []
    rest: list[SisnakerInstitution] = []
    for institution in institutions:
        provider = by_number.get(institution.sisnaker_number.strip().upper())
        if institution.sisnaker_number and provider is not None and provider.pk not in taken:
            taken.add(provider.pk)
            score = name_score(institution.name, provider.name)
            matches.append(
                SisnakerMatch(
                    institution=institution,
                    provider=provider,
                    score=score,
                    status=SisnakerMatch.Status.BY_NUMBER,
                )
            )
        else:
            rest.append(institution)
    # Names: every candidate pair in a regency, best first, each side used once.
    candidates = sorted(
        (
            (name_score(institution.name, provider.name), institution.pk, institution, provider)
            for institution in rest
            for provider in providers
            if provider.regency_id == institution.regency_id and provider.pk not in taken
        ),
        key=lambda c: (-c[0], c[1], c[3].pk),
    )
    paired: set[int] = set()
    for score, _pk, institution, provider in candidates:
        if score < REVIEW_SCORE:
            break
        if institution.pk in paired or provider.pk in taken:
            continue
        paired.add(institution.pk)
        taken.add(provider.pk)
        status = (
            SisnakerMatch.Status.AUTOMATIC
            if score >= AUTOMATIC_SCORE
            else SisnakerMatch.Status.REVIEW
        )
        matches.append(
            SisnakerMatch(institution=institution, provider=provider, score=score, status=status)
        )
    return matches


def sisnaker_match_decide(*, actor: Actor | None, match_id: int, same: bool) -> SisnakerMatch:
    """A data officer confirms (same institution) or rejects a pair waiting for review."""
    _require(actor)
    with transaction.atomic():
        match = SisnakerMatch.objects.select_for_update().filter(pk=match_id).first()
        if match is None:
            raise NotFound(SisnakerError.MATCH_NOT_FOUND, _("Pasangan tidak ditemukan."))
        if match.status != SisnakerMatch.Status.REVIEW:
            raise ApplicationError(
                SisnakerError.MATCH_DECIDED,
                _("Pasangan ini sudah diputuskan (%(status)s).")
                % {"status": match.get_status_display()},
                status=409,
            )
        match.status = SisnakerMatch.Status.CONFIRMED if same else SisnakerMatch.Status.REJECTED
        assert isinstance(actor, User)
        match.decided_by = actor
        match.decided_at = timezone.now()
        audit_as(match, actor=actor, reason="keputusan pencocokan Sisnaker")
        match.save(update_fields=["status", "decided_by", "decided_at"])
    return match


# --- The report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    match: SisnakerMatch
    fields: list[str]  # "nama", "alamat", "kapasitas"


@dataclass(frozen=True)
class Report:
    list_import: SisnakerImport
    missing_in_sisnaker: list[Provider]
    not_registered: dict[str, list[SisnakerInstitution]]  # regency name → institutions
    mismatches: list[Mismatch]
    to_review: list[SisnakerMatch]
    matched: int


def sisnaker_latest() -> SisnakerImport | None:
    return SisnakerImport.objects.order_by("-uploaded_at", "-pk").first()


def sisnaker_report(*, actor: Actor | None, list_import: SisnakerImport) -> Report:
    _require(actor)
    matches = list(
        SisnakerMatch.objects.filter(institution__list_import=list_import).select_related(
            "institution__regency", "provider__regency"
        )
    )
    paired = [m for m in matches if m.status in SisnakerMatch.MATCHED]
    paired_providers = {m.provider_id for m in paired}
    paired_institutions = {m.institution_id for m in paired}
    to_review = [m for m in matches if m.status == SisnakerMatch.Status.REVIEW]
    reviewing = {m.institution_id for m in to_review}
    not_registered: dict[str, list[SisnakerInstitution]] = {}
    for institution in list_import.institutions.select_related("regency").order_by(
        "regency__name", "name"
    ):
        if institution.pk not in paired_institutions and institution.pk not in reviewing:
            not_registered.setdefault(institution.regency.name, []).append(institution)
    reviewed_providers = {m.provider_id for m in to_review}
    missing = list(
        Provider.objects.exclude(pk__in=paired_providers | reviewed_providers)
        .select_related("regency")
        .order_by("regency__name", "name")
    )
    mismatches = []
    for match in paired:
        fields = []
        if name_key(match.institution.name) != name_key(match.provider.name):
            fields.append(_("nama"))
        if (
            match.institution.address
            and match.provider.address
            and fuzz.token_set_ratio(
                match.institution.address.lower(), match.provider.address.lower()
            )
            < ADDRESS_SCORE
        ):
            fields.append(_("alamat"))
        if (
            match.institution.yearly_capacity is not None
            and match.institution.yearly_capacity != match.provider.yearly_capacity
        ):
            fields.append(_("kapasitas"))
        if fields:
            mismatches.append(Mismatch(match, fields))
    return Report(
        list_import=list_import,
        missing_in_sisnaker=missing,
        not_registered=not_registered,
        mismatches=mismatches,
        to_review=to_review,
        matched=len(paired),
    )


def sisnaker_report_rows(report: Report) -> list[list[object]]:
    """The report as rows for the formula-safe CSV writer (``core.exports``)."""
    rows: list[list[object]] = [
        [
            _("Kelompok"),
            _("Kabupaten/kota"),
            _("Lembaga di sini"),
            _("Lembaga di Sisnaker"),
            _("Nomor Sisnaker"),
            _("Keterangan"),
        ]
    ]
    for provider in report.missing_in_sisnaker:
        rows.append(
            [
                _("Tidak ada di Sisnaker"),
                provider.regency.name,
                provider.name,
                "",
                provider.sisnaker_number,
                provider.get_status_display(),
            ]
        )
    for regency, institutions in report.not_registered.items():
        for institution in institutions:
            rows.append(
                [
                    _("Belum terdaftar di sini"),
                    regency,
                    "",
                    institution.name,
                    institution.sisnaker_number,
                    institution.address,
                ]
            )
    for mismatch in report.mismatches:
        rows.append(
            [
                _("Data berbeda"),
                mismatch.match.provider.regency.name,
                mismatch.match.provider.name,
                mismatch.match.institution.name,
                mismatch.match.institution.sisnaker_number,
                ", ".join(mismatch.fields),
            ]
        )
    return rows
