"""The Splink model: what is compared, at which levels, and how it is trained.

Every comparison is built from Splink 5's comparison library (``comparison_level_library``
levels inside a ``CustomComparison``, or ``ExactMatch``); their m and u are not set by hand.
u comes from random sampling of report–registrant pairs, m from expectation maximisation on
the pairs of the run itself, starting from the values below (which are also what a run too
small to train on uses, see ``MIN_TRAINING_REPORTS``). The trained model (Splink's settings
JSON) is stored with every run (``LinkageRun.model``), so each link can be explained later.
"""

from __future__ import annotations

from typing import Any

# Levels whose u cannot come from random sampling, with the u they get instead. The NIK's
# date part repeats the birth date and its region the district, so two strangers whose NIKs
# differ only in the serial are rare among random pairs (u ~ 1e-8) but common among the
# candidates that already agree on birth date and district: people born the same day in the
# same district get consecutive serials, and an opposite-sex twin's NIK differs from the
# other's in one digit of the day (+40). Counting those digits again would make a neighbour a
# "sure" match (issue 12: 148 namesakes and 120 twins linked automatically). The u here is
# the share of different people among such pairs: most of them.
_NIK_SERIAL_ONLY_U = 0.5
_NIK_ONE_DIGIT_U = 0.05
# A serial one digit off and ten or more away (or two of its digits swapped): a neighbour
# with it would be the eleventh person of one sex born that day in that district. A district
# of East Java has ~60,000 people born over ~22,000 days: about 1.4 per day and sex, so such a
# neighbour is far rarer than one in a thousand same-day pairs (0.01 until issue 12's recall
# work, which let a real typo here plus one other small difference fall below the bar).
_NIK_FAR_SERIAL_U = 0.001


def _unmatched_sql(side: str, other: str) -> str:
    """How many tokens of one name agree with no token of the other (equal, or one is the
    other's initial); the SQL twin of ``names.unmatched``."""
    return (
        f"len(list_filter(name_tokens_{side}, lambda a: NOT list_bool_or(list_transform("
        f"name_tokens_{other}, lambda b: a = b OR (length(a) = 1 AND starts_with(b, a))"
        " OR (length(b) = 1 AND starts_with(a, b))))))"
    )


def comparisons() -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    left, right = _unmatched_sql("l", "r"), _unmatched_sql("r", "l")
    dropped = f"({left} = 0 AND {right} = 1) OR ({left} = 1 AND {right} = 0)"
    name = cl.CustomComparison(
        output_column_name="nama",
        comparison_description="nama",
        comparison_levels=[
            cll.NullLevel("name_sorted"),
            cll.ExactMatchLevel("name_sorted").configure(
                label_for_charts="sama", m_probability=0.7, u_probability=0.0007
            ),
            cll.CustomLevel(f"{left} = 0 AND {right} = 0", "sama, dengan inisial").configure(
                m_probability=0.08, u_probability=0.0005
            ),
            # A name left out ("Rizki" for "Muhammad Rizki"): every token of the shorter name
            # in the longer one, one token over. Its own level when what is left is a lone
            # common name ("Siti" for "Siti Aminah"; ``names.name_common_column``), which many
            # people share: that says little.
            # (The flags first: DuckDB then counts the tokens only for the rows they let by.)
            cll.CustomLevel(
                f"NOT name_common_l AND NOT name_common_r AND ({dropped})",
                "satu nama tidak ditulis",
            ).configure(m_probability=0.05, u_probability=0.0003),
            cll.CustomLevel(
                f"(name_common_l OR name_common_r) AND ({dropped})",
                "hanya satu nama umum yang sama",
            ).configure(m_probability=0.01, u_probability=0.001),
            cll.JaroWinklerLevel("name_sorted", 0.92).configure(
                label_for_charts="sangat mirip", m_probability=0.08, u_probability=0.001
            ),
            cll.JaroWinklerLevel("name_sorted", 0.8).configure(
                label_for_charts="mirip", m_probability=0.05, u_probability=0.012
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.01, u_probability=0.985
            ),
        ],
    )
    day_l, day_r = "substr(birth_date_l, 9, 2)", "substr(birth_date_r, 9, 2)"
    month_l, month_r = "substr(birth_date_l, 6, 2)", "substr(birth_date_r, 6, 2)"
    year_l, year_r = "substr(birth_date_l, 1, 4)", "substr(birth_date_r, 1, 4)"
    birth = cl.CustomComparison(
        output_column_name="tanggal_lahir",
        comparison_description="tanggal lahir",
        comparison_levels=[
            cll.NullLevel("birth_date"),
            cll.ExactMatchLevel("birth_date").configure(
                label_for_charts="sama", m_probability=0.85, u_probability=0.0007
            ),
            cll.CustomLevel(
                f"{day_l} = {month_r} AND {month_l} = {day_r} AND {year_l} = {year_r}",
                "tanggal dan bulan tertukar",
            ).configure(m_probability=0.04, u_probability=5e-5),
            # "1990" typed as "2000" or "1980": one digit of the two-digit year.
            cll.CustomLevel(
                f"{day_l} = {day_r} AND {month_l} = {month_r} AND ("
                f"levenshtein(substr({year_l}, 3, 2), substr({year_r}, 3, 2)) <= 1"
                f" OR levenshtein({year_l}, {year_r}) <= 1)",
                "tahun beda 1 angka",
            ).configure(m_probability=0.04, u_probability=6e-4),
            cll.DamerauLevenshteinLevel("birth_date", 1).configure(
                label_for_charts="tanggal/bulan beda 1 angka",
                m_probability=0.04,
                u_probability=0.0013,
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.03, u_probability=0.997
            ),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="jenis_kelamin",
        comparison_description="jenis kelamin",
        comparison_levels=[
            cll.NullLevel("sex"),
            cll.ExactMatchLevel("sex").configure(
                label_for_charts="sama", m_probability=0.995, u_probability=0.5
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.005, u_probability=0.5
            ),
        ],
    )
    phone = cl.CustomComparison(
        output_column_name="nomor_hp",
        comparison_description="nomor HP",
        comparison_levels=[
            cll.NullLevel("phone"),
            cll.ExactMatchLevel("phone").configure(
                label_for_charts="sama", m_probability=0.6, u_probability=1e-6
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.4, u_probability=1.0
            ),
        ],
    )
    region = "substr(nik_l, 1, 6) = substr(nik_r, 1, 6)"
    regency_code = "substr(nik_l, 1, 4) = substr(nik_r, 1, 4)"
    date = "substr(nik_l, 7, 6) = substr(nik_r, 7, 6)"
    serial = "substr(nik_l, 13, 4) = substr(nik_r, 13, 4)"
    one_edit = "damerau_levenshtein(nik_l, nik_r) <= 1"
    # Two neighbouring digits swapped (Damerau counts one edit, Levenshtein two).
    swapped = "levenshtein(nik_l, nik_r) = 2"
    serial_gap = (
        "abs(TRY_CAST(substr(nik_l, 13, 4) AS INTEGER) - TRY_CAST(substr(nik_r, 13, 4) AS INTEGER))"
    )
    nik = cl.CustomComparison(
        output_column_name="nik",
        comparison_description="NIK",
        comparison_levels=[
            cll.CustomLevel(
                "(nik_l IS NULL OR nik_r IS NULL) AND (kk_key_l IS NULL OR kk_key_r IS NULL)",
                "tidak ada data",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("nik").configure(
                label_for_charts="sama", m_probability=0.05, u_probability=1e-9
            ),
            # A KK number typed in the NIK column: the registrant's KK, by blind index.
            cll.ExactMatchLevel("kk_key").configure(
                label_for_charts="NIK di laporan = nomor KK pendaftar",
                m_probability=0.15,
                u_probability=1e-8,
            ),
            # One digit off (or two neighbouring digits swapped) where the province/regency
            # code or the date is: someone born the same day in the same regency has those
            # digits in common with the registrant, so only a typo looks like that. That covers
            # a swap across the district and the date (…1|3 0…), across the regency and the
            # district, and across the date and the serial (…0690|6001 for …0696|0001).
            cll.CustomLevel(
                f"{one_edit} AND (NOT {regency_code} OR NOT {date})",
                "beda 1 angka di kode wilayah/tanggal",
            ).configure(m_probability=0.3, u_probability=1e-6),
            # One digit off in the serial, far from it (0012 for 0712), or two of its digits
            # swapped (0010 for 0001): a typo. People born the same day in the same district
            # get the next serials (0001, 0002, ...), which a swap never turns into each other.
            cll.CustomLevel(
                f"{region} AND {date} AND NOT {serial} AND {one_edit}"
                f" AND ({serial_gap} >= 10 OR {swapped})",
                "beda 1 angka di nomor urut",
            ).configure(
                m_probability=0.15, u_probability=_NIK_FAR_SERIAL_U, fix_u_probability=True
            ),
            cll.CustomLevel(
                f"{region} AND {date} AND NOT {serial}", "beda hanya di nomor urut"
            ).configure(
                m_probability=0.1, u_probability=_NIK_SERIAL_ONLY_U, fix_u_probability=True
            ),
            # One digit off in a district code that does not exist: a typo (every person's
            # NIK names a real district).
            cll.CustomLevel(
                f"{serial} AND {one_edit} AND "
                "(NOT nik_district_known_l OR NOT nik_district_known_r)",
                "beda 1 angka, kode kecamatan tidak ada",
            ).configure(m_probability=0.05, u_probability=1e-6),
            # One digit off in the district code: the same serial in the next district.
            cll.CustomLevel(f"{serial} AND {one_edit}", "beda 1 angka di kode kecamatan").configure(
                m_probability=0.1, u_probability=_NIK_ONE_DIGIT_U, fix_u_probability=True
            ),
            # Two digits: among pairs born the same day in the same area, mostly neighbours.
            cll.DamerauLevenshteinLevel("nik", 2).configure(
                label_for_charts="beda 2 angka",
                m_probability=0.05,
                u_probability=_NIK_SERIAL_ONLY_U,
                fix_u_probability=True,
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.15, u_probability=0.9995
            ),
        ],
    )
    regency = cl.CustomComparison(
        output_column_name="kabupaten",
        comparison_description="kabupaten/kota",
        comparison_levels=[
            cll.NullLevel("regency"),
            cll.ExactMatchLevel("regency").configure(
                label_for_charts="sama", m_probability=0.85, u_probability=0.033
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.15, u_probability=0.967
            ),
        ],
    )
    return [name, birth, sex, phone, nik, regency, _employer(cll, cl)]


def _employer(cll: Any, cl: Any) -> Any:
    """The registration's "tempat kerja terakhir" against the report's "perusahaan", both
    normalised (``employers``: legal forms, punctuation and case out). Blank on either side
    (a third of applicants leave it empty; a migrant worker's report has no company) is the
    null level: no evidence either way."""
    acronym = (
        "(len(employer_tokens_l) = 1 AND employer_tokens_l[1] = employer_initials_r)"
        " OR (len(employer_tokens_r) = 1 AND employer_tokens_r[1] = employer_initials_l)"
    )

    def agreeing() -> list[Any]:
        return [
            cll.ExactMatchLevel("employer_norm"),
            # A word left out or a branch added: "surya kencana" in "surya kencana tekstil",
            # "surya kencana tekstil cabang sidoarjo".
            cll.ArraySubsetLevel("employer_tokens"),
            # "SKT" for "Surya Kencana Tekstil".
            cll.CustomLevel(acronym),
            cll.JaroWinklerLevel("employer_norm", 0.92),
        ]

    exact, subset, initials, similar = agreeing()
    return cl.CustomComparison(
        output_column_name="tempat_kerja",
        comparison_description="tempat kerja",
        comparison_levels=[
            cll.NullLevel("employer_norm"),
            # Any agreeing level below, at an employer that many of the regency's registrants
            # name (``employers.employer_large_column``): people from one place, namesakes
            # among them, work at its big factory, so this level does not identify anyone.
            cll.And(
                cll.Or(*agreeing()), cll.CustomLevel("employer_large_l OR employer_large_r")
            ).configure(
                label_for_charts="sama, tempat kerja besar",
                m_probability=0.25,
                u_probability=1e-3,
            ),
            exact.configure(label_for_charts="sama", m_probability=0.3, u_probability=1e-4),
            subset.configure(
                label_for_charts="sama, satu lebih lengkap", m_probability=0.08, u_probability=2e-4
            ),
            initials.configure(
                label_for_charts="singkatan", m_probability=0.02, u_probability=1e-5
            ),
            similar.configure(
                label_for_charts="sangat mirip", m_probability=0.03, u_probability=2e-4
            ),
            cll.ElseLevel().configure(
                label_for_charts="berbeda", m_probability=0.32, u_probability=0.9995
            ),
        ],
    )


# Comparison → column shown as "the value compared" (output names are the keys of evidence).
COMPARISONS = (
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "nomor_hp",
    "nik",
    "kabupaten",
    "tempat_kerja",
)


def blocking_rules() -> list[Any]:
    """Which pairs are scored at all (never all pairs). Across the whole province, not only
    within a regency: someone reported in Surabaya may live in Sidoarjo."""
    from splink import block_on

    return [
        block_on("birth_date", "regency"),
        # The names' tokens plus the birth date: any order, a dropped first or last name.
        block_on("name_sorted", "birth_date"),
        block_on("name_first", "birth_date"),
        block_on("name_last", "birth_date"),
        # A birth date typed wrong (swapped, a digit off) with the name intact.
        block_on("name_sorted", "regency"),
        block_on("phone"),
        # The NIK's date part (and sex) with the name's first letter: keeps the pairs few.
        block_on("nik_date", "name_initial"),
        block_on("kk_key"),
    ]


# The rules above that need no registrant's NIK (see ``frames.candidate_filter``); the NIK
# rule is approximated there by the registrant's birth date.
PLAIN_BLOCKING_KEYS = (
    ("birth_date", "regency"),
    ("name_sorted", "birth_date"),
    ("name_first", "birth_date"),
    ("name_last", "birth_date"),
    ("name_sorted", "regency"),
    ("phone",),
    ("kk_key",),
)

# Expectation maximisation: each session fixes the comparisons in its blocking rule, so two
# sessions between them train every comparison.
EM_BLOCKING = (("birth_date", "regency"), ("name_sorted", "regency"))
# Below this many reports EM has too few matches to learn from; the starting values stand.
MIN_TRAINING_REPORTS = 500


# EM sets m to 0 for a level it never sees among its matches (no true pair with a wholly
# different birth date in this run, say); that weight would be minus infinity, and one such
# pair in the next run could never be linked, even by a reviewer's queue. A floor keeps every
# level's evidence finite.
M_FLOOR = 0.002


def floor_m(settings_dict: dict[str, Any]) -> dict[str, Any]:
    for comparison in settings_dict["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if m is not None and not level.get("is_null_level"):
                level["m_probability"] = max(m, M_FLOOR)
    return settings_dict


def settings(*, prior: float) -> Any:
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=prior,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )


# What a careful reviewer needs before a pair is linked without them, besides the bar: the
# names agree (one of these levels), and something that a namesake, a twin or a neighbour
# born the same day in the same district does not share: a NIK off by a typo that no other
# person's NIK looks like, the registrant's KK typed as the NIK, the same phone number, or the
# same employer (see below). Name, birth date and regency alone are what namesakes have in
# common.
NAMES_AGREE = (
    "sama",
    "sama, dengan inisial",
    "satu nama tidak ditulis",
    "hanya satu nama umum yang sama",
    "sangat mirip",
)
NIK_IDENTIFIES = (
    "sama",
    "NIK di laporan = nomor KK pendaftar",
    "beda 1 angka di kode wilayah/tanggal",
    "beda 1 angka di nomor urut",
    "beda 1 angka, kode kecamatan tidak ada",
)
PHONE_IDENTIFIES = ("sama",)
# The same employer, as both sides wrote it: what tells namesakes apart for a reviewer. It
# points to one person only when no other candidate of the report (or of the registrant)
# shares the names and the employer too (``assign``: twins at one factory go to review), not
# at a large employer (its own level), and only with every word of the names accounted for,
# or all but one left out ("Rizki" for "Muhammad Rizki", "Siti" for "Siti Aminah": born the
# same day, in the same regency, at the same not-large employer): families work at one
# factory, and a sibling's name there differs by a given name ("sangat mirip" on the sorted
# words).
EMPLOYER_IDENTIFIES = ("sama", "sama, satu lebih lengkap", "singkatan", "sangat mirip")
NAMES_AGREE_CLOSELY = (
    "sama",
    "sama, dengan inisial",
    "satu nama tidak ditulis",
    "hanya satu nama umum yang sama",
)


def gamma_values(output_column_name: str, labels: tuple[str, ...]) -> frozenset[int]:
    """Splink's level numbers (``gamma_<comparison>``) of the levels with these labels."""
    for comparison in comparisons():
        built = comparison.get_comparison("duckdb")
        if built.output_column_name == output_column_name:
            return frozenset(
                level.comparison_vector_value
                for level in built.comparison_levels
                if level.label_for_charts in labels
            )
    raise KeyError(output_column_name)
