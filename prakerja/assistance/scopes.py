"""Which posts an actor may see. Lives with ``Post`` (not in ``accounts.scopes``) so that
accounts, a lower layer, never imports a domain app (docs/ARCHITECTURE.md, Layers)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import (
    PROVINCE_WIDE_ROLES,
    Actor,
    actor_role,
    scope_bound,
    scope_denied,
)
from prakerja.assistance.errors import AssistanceError
from prakerja.assistance.models import Post
from prakerja.core.errors import NotFound
from prakerja.regions.selectors import EAST_JAVA

# --- Posts ------------------------------------------------------------------------------


def post_list_for_actor(*, actor: Actor | None) -> QuerySet[Post]:
    """Posts the actor may see: an officer their own post, a data officer the posts of
    their regency (or of the whole province), province-wide roles and the call centre all."""
    role = actor_role(actor)
    if role == Role.OFFICER:
        assert isinstance(actor, User)
        return Post.objects.filter(pk=scope_bound(actor.post_id))
    if role == Role.DATA_OFFICER:
        assert isinstance(actor, User)
        if actor.regency_id is not None:
            return Post.objects.filter(regency_id=actor.regency_id)
        return Post.objects.filter(regency__province_id=EAST_JAVA)
    if role in PROVINCE_WIDE_ROLES or role == Role.CALLCENTRE:
        # The call centre books visits at any post in the province.
        return Post.objects.all()
    raise scope_denied(AssistanceError.POST_FORBIDDEN)


def post_get_for_actor(*, actor: Actor | None, post_id: int) -> Post:
    posts = post_list_for_actor(actor=actor)
    try:
        return posts.get(pk=post_id)
    except Post.DoesNotExist:
        pass
    if Post.objects.filter(pk=post_id).exists():
        raise scope_denied(AssistanceError.POST_FORBIDDEN)
    raise NotFound(AssistanceError.POST_NOT_FOUND, _("Posko tidak ditemukan."))
