"""Training providers (LPK, PLK, BLK), their verification, and the course catalogue (SPEC §3.6).

A provider operator registers an institution (``Provider``) with its legal documents
(``ProviderDocument``) and a yearly capacity per training field (``ProviderCapacity``); a
Disnaker data officer verifies it with a checklist (``ProviderReview``), four-eyes: two
different staff members approve before it is ``verified``. Only verified providers offer
courses (``Course``); a Disnaker officer publishes a course or sends it back; a course runs in
batches (``CourseBatch``) with dates and seats. Enrolment, attendance and certificates live in
the ``enrolment`` app, which builds on these.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TrainingField(models.TextChoices):
    """Fields of training (bidang pelatihan): capacity and courses are counted per field."""

    DIGITAL = "digital", _("Teknologi informasi dan digital")
    LANGUAGE = "language", _("Bahasa")
    MARKETING = "marketing", _("Penjualan dan pemasaran")
    CULINARY = "culinary", _("Kuliner dan tata boga")
    BEAUTY = "beauty", _("Kecantikan dan tata rias")
    FASHION = "fashion", _("Menjahit dan tata busana")
    AUTOMOTIVE = "automotive", _("Otomotif")
    ELECTRICAL = "electrical", _("Listrik dan elektronika")
    CONSTRUCTION = "construction", _("Konstruksi dan bangunan")
    MANUFACTURING = "manufacturing", _("Manufaktur dan pengelasan")
    AGRICULTURE = "agriculture", _("Pertanian dan perikanan")
    HOSPITALITY = "hospitality", _("Pariwisata dan perhotelan")
    OFFICE = "office", _("Administrasi perkantoran")
    ENTREPRENEURSHIP = "entrepreneurship", _("Kewirausahaan")


class Provider(models.Model):
    class Kind(models.TextChoices):
        LPK = "lpk", _("Lembaga Pelatihan Kerja (LPK)")
        PLK = "plk", _("Penyelenggara Pelatihan Kerja (PLK)")
        BLK = "blk", _("Balai Latihan Kerja (BLK)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu verifikasi")
        # One staff member approved; a second, different one must approve too (four-eyes).
        APPROVED_ONCE = "approved_once", _("Menunggu persetujuan kedua")
        CHANGES_REQUESTED = "changes_requested", _("Perlu perbaikan")
        VERIFIED = "verified", _("Terverifikasi")
        REJECTED = "rejected", _("Ditolak")

    class Accreditation(models.TextChoices):
        NONE = "none", _("Belum terakreditasi")
        A = "a", _("Terakreditasi A")
        B = "b", _("Terakreditasi B")
        C = "c", _("Terakreditasi C")

    name = models.CharField(_("nama lembaga"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices)
    regency = models.ForeignKey(
        "regions.Regency", on_delete=models.PROTECT, related_name="providers"
    )
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    sisnaker_number = models.CharField(_("nomor Sisnaker"), max_length=50, blank=True)
    accreditation = models.CharField(
        _("akreditasi"), max_length=4, choices=Accreditation.choices, default=Accreditation.NONE
    )
    # The sum of the per-field capacities (``ProviderCapacity``), kept by the services.
    yearly_capacity = models.PositiveIntegerField(_("kapasitas per tahun"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # The reason of the last "ask for changes" or "reject": the operator sees it.
    status_reason = models.CharField(_("alasan"), max_length=500, blank=True)
    contact_phone = models.CharField(_("nomor HP kontak"), max_length=20, blank=True)
    contact_email = models.EmailField(_("email kontak"), blank=True)
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    verified_at = models.DateTimeField(_("terverifikasi"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Figures the catalogue shows, kept by the enrolment app on every completion and rating
    # (``enrolment.selectors_stats.provider_figures``): average stars, how many ratings, and
    # completed / assessed participants.
    rating_average = models.DecimalField(
        _("rata-rata nilai"), max_digits=2, decimal_places=1, null=True, blank=True
    )
    rating_count = models.PositiveIntegerField(_("jumlah penilaian"), default=0)
    completion_rate = models.DecimalField(
        _("tingkat kelulusan"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    history = HistoricalRecords(
        excluded_fields=["rating_average", "rating_count", "completion_rate"]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("lembaga pelatihan")
        verbose_name_plural = _("lembaga pelatihan")
        indexes = [models.Index(fields=["status", "regency"])]

    def __str__(self) -> str:
        return self.name


class ProviderCapacity(models.Model):
    """How many trainees a provider can train per year in one field."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="capacities")
    field = models.CharField(_("bidang"), max_length=20, choices=TrainingField.choices)
    yearly_capacity = models.PositiveIntegerField(_("kapasitas per tahun"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "field"]
        verbose_name = _("kapasitas lembaga")
        verbose_name_plural = _("kapasitas lembaga")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "field"], name="provider_capacity_once_per_field"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.field}={self.yearly_capacity}"


class ProviderDocument(models.Model):
    """A legal document (PDF or image) of a provider, stored in the database: type and size
    are checked before it is stored (``training.documents``)."""

    class Kind(models.TextChoices):
        DEED = "deed", _("Akta pendirian")
        PERMIT = "permit", _("Izin operasional")
        ACCREDITATION = "accreditation", _("Sertifikat akreditasi")
        OTHER = "other", _("Dokumen lain")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("jenis dokumen"), max_length=20, choices=Kind.choices)
    original_name = models.CharField(_("nama berkas"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Encrypted under the personal-data keys (``identity.crypto.encrypt_bytes``): a deed names
    # founders and directors with their NIKs.
    content_encrypted = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["content_encrypted"])

    class Meta:
        ordering = ["provider", "kind", "uploaded_at"]
        verbose_name = _("dokumen lembaga")
        verbose_name_plural = _("dokumen lembaga")

    def __str__(self) -> str:
        return self.original_name


class ProviderReview(models.Model):
    """One verification decision by one staff member, with the checklist as it was ticked.
    Append-only: the list of reviews is the verification's audit record."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Setujui")
        REQUEST_CHANGES = "request_changes", _("Minta perbaikan")
        REJECT = "reject", _("Tolak")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("keputusan"), max_length=20, choices=Decision.choices)
    documents_valid = models.BooleanField(_("dokumen sah"), default=False)
    site_visited_on = models.DateField(_("tanggal kunjungan lapangan"), null=True, blank=True)
    capacity_plausible = models.BooleanField(_("kapasitas wajar"), default=False)
    reason = models.CharField(_("alasan"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "created_at"]
        verbose_name = _("verifikasi lembaga")
        verbose_name_plural = _("verifikasi lembaga")

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.decision}"


class Course(models.Model):
    class Mode(models.TextChoices):
        ONLINE = "online", _("Daring")
        OFFLINE = "offline", _("Luring (tatap muka)")
        BLENDED = "blended", _("Campuran")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu kurasi")
        PUBLISHED = "published", _("Terbit")
        RETURNED = "returned", _("Dikembalikan untuk perbaikan")

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Bahasa Indonesia")
        JAVANESE = "jv", _("Bahasa Jawa")
        MADURESE = "mad", _("Bahasa Madura")
        ENGLISH = "en", _("Bahasa Inggris")

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("judul"), max_length=200)
    field = models.CharField(_("bidang"), max_length=20, choices=TrainingField.choices)
    mode = models.CharField(_("cara belajar"), max_length=10, choices=Mode.choices)
    # Where an offline or blended course meets (defaults to the provider's regency and address).
    regency = models.ForeignKey("regions.Regency", on_delete=models.PROTECT, related_name="courses")
    place = models.CharField(_("tempat"), max_length=300, blank=True)
    hours = models.PositiveSmallIntegerField(
        _("jumlah jam"), validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    price = models.BigIntegerField(_("harga (Rp)"), validators=[MinValueValidator(0)])
    language = models.CharField(
        _("bahasa"), max_length=3, choices=Language.choices, default=Language.INDONESIAN
    )
    description = models.TextField(_("deskripsi"), max_length=4000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The curator's reason when a course is sent back: the operator sees it.
    status_reason = models.CharField(_("alasan"), max_length=500, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("diterbitkan"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        verbose_name = _("pelatihan")
        verbose_name_plural = _("pelatihan")
        indexes = [models.Index(fields=["status", "field", "regency"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="course_price_gte_0"),
        ]

    def __str__(self) -> str:
        return self.title


class CourseBatch(models.Model):
    """One run of a course with dates and seats. ``seats_taken`` is changed only by conditional
    updates in the enrolment services (``seats_taken < seats``): the check constraint is the
    database's last word that a batch is never oversold."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="batches")
    starts_on = models.DateField(_("tanggal mulai"))
    ends_on = models.DateField(_("tanggal selesai"))
    seats = models.PositiveIntegerField(_("jumlah kursi"), validators=[MinValueValidator(1)])
    seats_taken = models.PositiveIntegerField(_("kursi terisi"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "starts_on"]
        verbose_name = _("angkatan pelatihan")
        verbose_name_plural = _("angkatan pelatihan")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("seats")),
                name="course_batch_not_oversold",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="course_batch_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.starts_on}"
