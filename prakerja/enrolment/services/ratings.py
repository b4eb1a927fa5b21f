"""A participant rates a completed course once: 1 to 5 stars and an optional comment."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from prakerja.accounts.models import User
from prakerja.accounts.scopes import Actor
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, NotFound
from prakerja.enrolment.errors import CompletionError
from prakerja.enrolment.models import Enrolment, Rating
from prakerja.enrolment.selectors_stats import provider_figures_refresh


def _twice() -> ApplicationError:
    return ApplicationError(
        CompletionError.RATING_TWICE,
        _("Anda sudah menilai pelatihan ini. Penilaian hanya sekali."),
        status=409,
    )


def rating_create(
    *, actor: Actor | None, enrolment_id: int, stars: int | None, comment: str = ""
) -> Rating:
    if stars is None or not 1 <= stars <= 5:
        raise ApplicationError(
            CompletionError.RATING_INVALID, _("Pilih nilai 1 sampai 5 bintang."), field="stars"
        )
    comment = comment.strip()
    if len(comment) > 1000:
        raise ApplicationError(
            CompletionError.RATING_INVALID,
            _("Komentar paling panjang 1.000 huruf."),
            field="comment",
        )
    enrolment = (
        Enrolment.objects.select_related("participant__registration", "batch__course")
        .filter(pk=enrolment_id)
        .first()
    )
    if (
        enrolment is None
        or not isinstance(actor, User)
        or enrolment.participant.registration.user_id != actor.pk
    ):
        raise NotFound(CompletionError.ENROLMENT_NOT_FOUND, _("Pendaftaran tidak ditemukan."))
    if enrolment.status != Enrolment.Status.COMPLETED:
        raise ApplicationError(
            CompletionError.RATING_NOT_COMPLETED,
            _("Penilaian dibuka setelah Anda lulus pelatihan ini."),
            status=409,
        )
    if Rating.objects.filter(enrolment=enrolment).exists():
        raise _twice()
    rating = Rating(enrolment=enrolment, stars=stars, comment=comment)
    audit_as(rating, actor=actor)
    try:
        with transaction.atomic():
            rating.save()
            provider_figures_refresh(provider_id=enrolment.batch.course.provider_id)
    except IntegrityError:  # the same participant rating twice at once
        raise _twice() from None
    return rating
