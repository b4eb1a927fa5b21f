from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from django.db.models import QuerySet

from prakerja.assistance.models import CallCentreLine, Post
from prakerja.regions.models import Regency


@dataclass(frozen=True)
class PublicPost:
    """What anyone may see of a post: the address only when it is public."""

    code: str
    name: str
    kind: str
    kind_label: str
    regency_code: str
    regency_name: str
    opening_hours: str
    address: str | None


def _public(post: Post) -> PublicPost:
    return PublicPost(
        code=post.code,
        name=post.name,
        kind=post.kind,
        kind_label=str(post.get_kind_display()),
        regency_code=post.regency_id,
        regency_name=post.regency.name,
        opening_hours=post.opening_hours,
        address=post.address if post.address_public and post.address else None,
    )


def post_public_list(*, regency_code: str | None = None) -> list[PublicPost]:
    qs = Post.objects.filter(is_active=True).select_related("regency")
    if regency_code:
        qs = qs.filter(regency_id=regency_code)
    return [_public(post) for post in qs.order_by("regency__name", "kind", "name")]


def post_public_by_regency() -> list[tuple[str, list[PublicPost]]]:
    posts = post_public_list()
    return [(name, list(group)) for name, group in groupby(posts, key=lambda p: p.regency_name)]


def post_regencies() -> QuerySet[Regency]:
    return Regency.objects.filter(posts__is_active=True).distinct().order_by("name")


def call_centre_lines() -> QuerySet[CallCentreLine]:
    return CallCentreLine.objects.filter(is_active=True)
