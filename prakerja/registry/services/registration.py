"""Starting a registration, recording its NIK, following the account's phone number."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import Actor, Capability, actor_can, actor_role
from prakerja.assistance.models import Post
from prakerja.core.audit import audit_as
from prakerja.core.errors import ApplicationError, PermissionDenied
from prakerja.core.rowsql import insert_with_history
from prakerja.core.units import service_atomic
from prakerja.identity.nik import nik_parse
from prakerja.identity.services import person_get_or_create
from prakerja.registry.errors import RegistryErrorCode, not_draft
from prakerja.registry.models import (
    Channel,
    Programme,
    Registration,
)
from prakerja.registry.references import reference_generate
from prakerja.registry.selectors import registration_of_user
from prakerja.registry.services.common import nik_free_for, person_given_up, require_editor
from prakerja.registry.services.programme import programme_default

REFERENCE_ATTEMPTS = 8


def registration_start(
    *,
    actor: Actor,
    user: User,
    channel: Channel | str = Channel.ONLINE,
    post: Post | None = None,
    programme: Programme | None = None,
) -> Registration:
    """Start ``user``'s registration as a draft, or return the one they already have (see
    ``registration_get_or_start``)."""
    registration, _created = registration_get_or_start(
        actor=actor, user=user, channel=channel, post=post, programme=programme
    )
    return registration


def registration_get_or_start(
    *,
    actor: Actor,
    user: User,
    channel: Channel | str = Channel.ONLINE,
    post: Post | None = None,
    programme: Programme | None = None,
) -> tuple[Registration, bool]:
    """Start ``user``'s registration as a draft, or return the one they already have; the
    flag says whether it was started now.

    ``actor`` is the applicant themself (channel online) or staff acting on their behalf: an
    officer at their own post (channel post; ``post`` defaults to theirs), a call-centre agent
    (channel callcentre) or a superadmin. The applicant keeps the account; the officer is only
    recorded as ``assisted_by``. When an officer starts a registration the applicant already
    began elsewhere, a draft is taken over by the officer's post (so the officer can continue
    it); a submitted one is returned unchanged.
    """
    role = actor_role(actor)
    if role is None:
        raise PermissionDenied(RegistryErrorCode.FORBIDDEN, _("Silakan masuk terlebih dahulu."))
    assert isinstance(actor, User)
    channel = Channel(channel)
    on_behalf = actor.pk != user.pk
    if on_behalf:
        if not actor_can(actor, Capability.APPLICANT_REGISTER_ON_BEHALF):
            raise PermissionDenied(
                RegistryErrorCode.FORBIDDEN,
                _("Anda tidak berhak mendaftarkan orang lain."),
            )
        if role == Role.OFFICER:
            post = post or actor.post
            if post is None or post.pk != actor.post_id:
                raise PermissionDenied(
                    RegistryErrorCode.POST_FORBIDDEN,
                    _("Petugas hanya dapat mendaftarkan atas nama posko tempatnya bertugas."),
                )
            channel = Channel.POST
        elif role == Role.CALLCENTRE:
            channel, post = Channel.CALLCENTRE, None
    else:
        channel, post = Channel.ONLINE, None
    if user.role != Role.APPLICANT or not user.is_active:
        raise ApplicationError(
            RegistryErrorCode.USER_NOT_APPLICANT,
            _("Pendaftaran hanya dapat dibuat untuk akun pendaftar yang aktif."),
            field="user",
        )
    programme = programme or programme_default()
    if not on_behalf:
        # An applicant starting their own: the new row and its history row in one statement,
        # without a transaction around it (nothing else is written). It inserts nothing when
        # the account already has one (or the reference is taken): then the locked path below.
        registration = _registration_new(actor, user, programme, channel, None)
        if insert_with_history(registration):
            return registration, True
    return _registration_get_or_start_locked(
        actor=actor, user=user, channel=channel, post=post, programme=programme
    )


def _registration_new(
    actor: User, user: User, programme: Programme, channel: Channel, post: Post | None
) -> Registration:
    on_behalf = actor.pk != user.pk
    registration = Registration(
        reference=reference_generate(),
        programme=programme,
        user=user,
        channel=channel,
        assisted_post=post if on_behalf else None,
        assisted_by=actor if on_behalf else None,
        phone=str(user.phone) if user.phone else "",
        full_name=user.full_name if on_behalf else "",
    )
    audit_as(registration, actor=actor, reason="pendaftaran dimulai")
    return registration


@service_atomic
def _registration_get_or_start_locked(
    *, actor: User, user: User, channel: Channel, post: Post | None, programme: Programme
) -> tuple[Registration, bool]:
    """The account's registration read under a row lock, or a new one (references drawn
    until one is free)."""
    on_behalf = actor.pk != user.pk
    role = actor_role(actor)
    registration = registration_of_user(user_id=user.pk, programme_id=programme.pk, for_update=True)
    if registration is not None:
        if (
            on_behalf
            and role == Role.OFFICER
            and registration.status == Registration.Status.DRAFT
            and registration.assisted_post_id != actor.post_id
        ):
            registration.assisted_post = post
            registration.assisted_by = actor
            audit_as(registration, actor=actor, reason="dilanjutkan oleh posko")
            registration.save(update_fields=["assisted_post", "assisted_by", "updated_at"])
        return registration, False

    for _attempt in range(REFERENCE_ATTEMPTS):
        registration = _registration_new(actor, user, programme, channel, post)
        # The row and its history row, or nothing on a unique conflict: a reference
        # collision, or a concurrent start by the same account. A conflict is not an error,
        # so the outer transaction stays usable without a savepoint per attempt.
        if not insert_with_history(registration):
            raced = (
                Registration.objects.select_for_update()
                .filter(user=user, programme=programme)
                .first()
            )
            if raced is not None:
                # A double click started the same account twice; the first insert won. Locked
                # like the existing one above: the caller may save it without reading it again.
                return raced, False
            continue
        return registration, True
    raise ApplicationError(
        RegistryErrorCode.REFERENCE_EXHAUSTED,
        _("Nomor pendaftaran tidak dapat dibuat saat ini. Silakan coba lagi."),
        status=503,
    )


@transaction.atomic
def registration_nik_set(*, actor: Actor, registration: Registration, nik: str) -> Registration:
    """Record the NIK of a draft before its identity step (the officer console's "register
    someone" form takes it first): the registration is linked to the one ``Person`` of that
    NIK, created if new. The identity step then keeps it (its NIK field may stay empty) and
    checks it against the stated birth date and gender. A NIK that already has a registration
    in this programme is refused (``registration.nik_taken``).
    """
    require_editor(actor, registration)
    if registration.status != Registration.Status.DRAFT:
        raise not_draft()
    parsed = nik_parse(nik)
    if parsed.errors:
        raise ApplicationError(parsed.errors[0].code, parsed.errors[0].message, field="nik")
    existing = nik_free_for(registration, nik=parsed.value)
    if existing is not None and existing.pk == registration.person_id:
        return registration
    person, _created = person_get_or_create(nik=parsed.value)
    previous_person_id = registration.person_id
    registration.person = person
    audit_as(registration, actor=actor, reason="NIK dicatat")
    registration.save(update_fields=["person", "updated_at"])
    person_given_up(actor, previous_person_id, kept=person.pk)
    return registration


def registration_contact_phone_replace(*, actor: Actor, user: User, old: str, new: str) -> int:
    """After the account's phone number changed (``accounts.applicant_phone_change``), the
    contact number of ``user``'s registrations that still show the old one follows it (the
    receipt and reminders go there). Returns how many changed; each keeps a history row."""
    changed = 0
    for registration in Registration.objects.select_for_update().filter(user=user, phone=old):
        registration.phone = new
        audit_as(registration, actor=actor, reason="nomor HP diganti")
        registration.save(update_fields=["phone", "updated_at"])
        changed += 1
    return changed


def registration_phone_owner_set(
    *, actor: Actor, registration: Registration, owner: str, phone: str = ""
) -> Registration:
    """Record that the person has no phone of their own: ``owner`` is
    ``Registration.PhoneOwner.RELATIVE`` with a relative's ``phone`` (E.164; the receipt and
    the result go there) or ``NONE`` with no phone. Drafts only; one history row."""
    require_editor(actor, registration)
    if registration.status != Registration.Status.DRAFT:
        raise not_draft()
    owner = Registration.PhoneOwner(owner)
    registration.phone_owner = owner
    registration.phone = phone if owner == Registration.PhoneOwner.RELATIVE else ""
    audit_as(registration, actor=actor, reason="pendaftar tanpa nomor HP sendiri")
    registration.save(update_fields=["phone_owner", "phone", "updated_at"])
    return registration
