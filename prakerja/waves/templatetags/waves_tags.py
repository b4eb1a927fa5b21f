"""``{% wave_result registration %}``: the applicant's wave result and reason on the registry's
status page (issue 5, item 6), and the "join the open wave" button in explicit join mode.

A template tag rather than context from the registry's view: the registry does not import the
waves app (waves builds on the registry, not the other way round).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from prakerja.regions.models import Regency
from prakerja.registry.models import Registration
from prakerja.registry.steps import Step
from prakerja.waves import selectors
from prakerja.waves.models import WaveEntry, WaveSettings

register = template.Library()

# Reasons after which the applicant is carried over to the next wave automatically.
CARRIED_REASONS = frozenset({"quota_full", "kk_cap", "no_quota"})


def _missing_labels(codes: list[str]) -> list[str]:
    labels = []
    for code in codes:
        if code in Step.values:
            labels.append(str(Step(code).label))
        else:
            labels.append(str(_("Kirim pendaftaran")))
    return labels


def _join_mode(registration: Registration) -> str:
    # Read, never create: a status page must not write (the service creates the defaults).
    mode = (
        WaveSettings.objects.filter(programme_id=registration.programme_id)
        .values_list("join_mode", flat=True)
        .first()
    )
    return mode or WaveSettings.JoinMode.EXPLICIT


def _explained(registration: Registration, result: selectors.ApplicantResult) -> dict[str, Any]:
    regency = (
        Regency.objects.filter(pk=result.regency_code).values_list("name", flat=True).first()
        if result.regency_code
        else None
    )
    return {
        "result": result,
        "regency_name": regency,
        "missing_labels": _missing_labels(result.missing_items),
        "carried_on": result.reason_code in CARRIED_REASONS,
    }


@register.inclusion_tag("waves/_applicant_result.html", takes_context=True)
def wave_result(context: dict[str, Any], registration: Registration) -> dict[str, Any]:
    result = selectors.applicant_result(registration=registration)
    # Moved on from an earlier, published wave: show that wave's result and reason too.
    earlier = None
    if result.result in ("joined", "waiting"):
        carried = (
            WaveEntry.objects.filter(
                registration=registration, status=WaveEntry.Status.CARRIED_OVER
            )
            .select_related("wave")
            .order_by("-wave__number")
            .first()
        )
        if carried is not None and carried.wave_id != getattr(result.wave, "pk", None):
            earlier = _explained(
                registration,
                selectors.applicant_result(registration=registration, wave=carried.wave),
            )
    open_wave = selectors.wave_open_for(programme_id=registration.programme_id)
    can_join = (
        open_wave is not None
        and _join_mode(registration) == WaveSettings.JoinMode.EXPLICIT
        and registration.status == Registration.Status.SUBMITTED
        and not WaveEntry.objects.filter(
            wave=open_wave,
            registration=registration,
            status__in=[WaveEntry.Status.JOINED, WaveEntry.Status.SELECTED],
        ).exists()
        and not WaveEntry.objects.filter(
            registration=registration, status=WaveEntry.Status.SELECTED
        ).exists()
        and selectors.join_blocked_until(registration.pk) is None
    )
    current = _explained(registration, result)
    return {
        **current,
        "self_item": current,
        "earlier": earlier,
        "registration": registration,
        "open_wave": open_wave,
        "can_join": can_join,
        "show": result.result != "none" or can_join,
        "request": context.get("request"),
        "call_centre_numbers": context.get("call_centre_numbers", ()),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def wave_open_of(registration: Registration) -> Any:
    """``{% wave_open_of registration as open_wave %}``: the wave open for this registration's
    programme, if any (when it closes, on the registry's confirmation page)."""
    return selectors.wave_open_for(programme_id=registration.programme_id)
