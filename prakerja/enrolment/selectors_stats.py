"""Figures of the training: ratings and completion per course and provider (the catalogue shows
them), and the managers' table per regency and per provider.

Completion rate = completed / assessed (completed + not passed): the share of participants the
provider assessed who passed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, Sum

from prakerja.accounts.models import Role, User
from prakerja.accounts.scopes import actor_role
from prakerja.enrolment.models import Enrolment, Participant, Rating
from prakerja.regions.models import Regency
from prakerja.training.models import Course, CourseBatch, Provider

COMPLETED = Enrolment.Status.COMPLETED
FAILED = Enrolment.Status.FAILED
CANCELLED = Enrolment.Status.CANCELLED


@dataclass(frozen=True)
class Figures:
    average_rating: float | None
    ratings: int
    completion_rate: float | None


def _figures(completed: int, failed: int, average: float | None, ratings: int) -> Figures:
    assessed = completed + failed
    return Figures(
        average_rating=round(average, 1) if average is not None else None,
        ratings=ratings,
        completion_rate=completed / assessed if assessed else None,
    )


def course_figures(*, course_ids: list[int]) -> dict[int, Figures]:
    outcomes: dict[Any, Any] = {
        row["batch__course_id"]: row
        for row in Enrolment.objects.filter(batch__course_id__in=course_ids)
        .values("batch__course_id")
        .annotate(
            completed=Count("pk", filter=Q(status=COMPLETED)),
            failed=Count("pk", filter=Q(status=FAILED)),
        )
    }
    ratings: dict[Any, Any] = {
        row["enrolment__batch__course_id"]: row
        for row in Rating.objects.filter(enrolment__batch__course_id__in=course_ids)
        .values("enrolment__batch__course_id")
        .annotate(average=Avg("stars"), n=Count("pk"))
    }
    return {
        course_id: _figures(
            outcomes.get(course_id, {}).get("completed", 0),
            outcomes.get(course_id, {}).get("failed", 0),
            ratings.get(course_id, {}).get("average"),
            ratings.get(course_id, {}).get("n", 0),
        )
        for course_id in course_ids
    }


def provider_figures(*, provider_id: int) -> Figures:
    outcome = Enrolment.objects.filter(batch__course__provider_id=provider_id).aggregate(
        completed=Count("pk", filter=Q(status=COMPLETED)),
        failed=Count("pk", filter=Q(status=FAILED)),
    )
    rating = Rating.objects.filter(enrolment__batch__course__provider_id=provider_id).aggregate(
        average=Avg("stars"), n=Count("pk")
    )
    return _figures(outcome["completed"], outcome["failed"], rating["average"], rating["n"])


def regency_scope(actor: Any) -> list[str] | None:
    """The regencies a data officer's table covers (None: the province)."""
    if actor_role(actor) == Role.DATA_OFFICER:
        assert isinstance(actor, User)
        return [actor.regency_id] if actor.regency_id else None
    return None


@dataclass(frozen=True)
class TrainingRow:
    key: str
    name: str
    seats_offered: int
    enrolled: int
    completed: int
    revoked: int
    average_rating: float | None


def training_by_regency(*, regency_ids: list[str] | None = None) -> list[TrainingRow]:
    """Per regency: seats offered by courses held there, enrolments and completions of its
    participants, participants revoked, and the average rating they gave."""
    seats = dict(
        CourseBatch.objects.filter(course__status=Course.Status.PUBLISHED)
        .values_list("course__regency_id")
        .annotate(total=Sum("seats"))
    )
    enrolled: dict[Any, Any] = {
        row["participant__regency_id"]: row
        for row in Enrolment.objects.exclude(status=CANCELLED)
        .values("participant__regency_id")
        .annotate(n=Count("pk"), completed=Count("pk", filter=Q(status=COMPLETED)))
    }
    revoked = dict(
        Participant.objects.filter(status=Participant.Status.REVOKED)
        .values_list("regency_id")
        .annotate(n=Count("pk"))
    )
    rated = dict(
        Rating.objects.values_list("enrolment__participant__regency_id").annotate(a=Avg("stars"))
    )
    keys = set(seats) | set(enrolled) | set(revoked)
    if regency_ids is not None:
        keys &= set(regency_ids)
    names = dict(Regency.objects.filter(pk__in=keys).values_list("pk", "name"))
    return [
        TrainingRow(
            key=str(key),
            name=names.get(key, "—"),
            seats_offered=seats.get(key) or 0,
            enrolled=enrolled.get(key, {}).get("n", 0),
            completed=enrolled.get(key, {}).get("completed", 0),
            revoked=revoked.get(key, 0),
            average_rating=round(rated[key], 1) if rated.get(key) is not None else None,
        )
        for key in sorted(keys, key=lambda k: names.get(k, ""))
        if key is not None
    ]


def training_by_provider(*, regency_ids: list[str] | None = None) -> list[TrainingRow]:
    """Per provider: seats offered, enrolled, completed, cancelled (in ``revoked``: a provider
    loses a participant by cancellation), and the average rating."""
    providers = Provider.objects.filter(status=Provider.Status.VERIFIED)
    if regency_ids is not None:
        providers = providers.filter(regency_id__in=regency_ids)
    rows = providers.annotate(
        seats_offered=Sum(
            "courses__batches__seats", filter=Q(courses__status=Course.Status.PUBLISHED)
        ),
    ).values("pk", "name", "seats_offered")
    outcomes: dict[Any, Any] = {
        row["batch__course__provider_id"]: row
        for row in Enrolment.objects.values("batch__course__provider_id").annotate(
            enrolled=Count("pk", filter=~Q(status=CANCELLED)),
            completed=Count("pk", filter=Q(status=COMPLETED)),
            cancelled=Count("pk", filter=Q(status=CANCELLED)),
        )
    }
    rated = dict(
        Rating.objects.values_list("enrolment__batch__course__provider_id").annotate(a=Avg("stars"))
    )
    return [
        TrainingRow(
            key=str(row["pk"]),
            name=row["name"],
            seats_offered=row["seats_offered"] or 0,
            enrolled=outcomes.get(row["pk"], {}).get("enrolled", 0),
            completed=outcomes.get(row["pk"], {}).get("completed", 0),
            revoked=outcomes.get(row["pk"], {}).get("cancelled", 0),
            average_rating=round(rated[row["pk"]], 1) if rated.get(row["pk"]) else None,
        )
        for row in rows.order_by("name")
    ]


def provider_figures_refresh(*, provider_id: int) -> None:
    """Store the provider's figures where the catalogue (training app) reads them."""
    figures = provider_figures(provider_id=provider_id)
    Provider.objects.filter(pk=provider_id).update(
        rating_average=figures.average_rating,
        rating_count=figures.ratings,
        completion_rate=(
            round(figures.completion_rate, 3) if figures.completion_rate is not None else None
        ),
    )
