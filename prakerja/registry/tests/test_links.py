"""``registration_url`` (``registry.links``) gives exactly what ``reverse`` gives."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from prakerja.registry.links import registration_url
from prakerja.registry.references import reference_generate
from prakerja.registry.steps import Step

NAMES = [
    "registry:status",
    "registry:check_answers",
    "registry:submit",
    "registry:confirmation",
    "registry:receipt",
    "registry:receipt_pdf",
    "registry:identity_nik_check",
    "privacy:download_pdf",
    "privacy:download_json",
    "privacy:access_list",
]


def test_every_registration_url_is_what_reverse_gives() -> None:
    for reference in (reference_generate(), reference_generate(), "PJ-2222-2222"):
        for name in NAMES:
            assert registration_url(name, reference) == reverse(name, args=[reference])
        for step in Step:
            assert registration_url("registry:step", reference, step.value) == reverse(
                "registry:step", args=[reference, step.value]
            )


def test_a_script_prefix_is_followed() -> None:
    reference = reference_generate()
    plain = registration_url("registry:status", reference)
    set_script_prefix("/prakerja/")
    try:
        assert registration_url("registry:status", reference) == "/prakerja" + plain
        assert registration_url("registry:status", reference) == reverse(
            "registry:status", args=[reference]
        )
    finally:
        clear_script_prefix()
    assert registration_url("registry:status", reference) == plain


def test_a_reference_or_step_reverse_refuses_is_refused_alike() -> None:
    for reference in ("bukan-nomor", "PJ-1111-1111", "pj-2222-2222"):
        with pytest.raises(NoReverseMatch):
            registration_url("registry:status", reference)
    with pytest.raises(NoReverseMatch):
        registration_url("registry:step", reference_generate(), "bukan-langkah")


def test_the_tag_shows_what_url_shows() -> None:
    reference = reference_generate()
    context = Context({"reference": reference, "step": Step.CONTACT.value})
    ours = Template(
        "{% load registry_tags %}{% registration_url 'registry:step' reference step %}|"
        "{% registration_url 'registry:status' reference as link %}{{ link }}"
    ).render(context)
    django_s = Template(
        "{% url 'registry:step' reference step %}|"
        "{% url 'registry:status' reference as link %}{{ link }}"
    ).render(context)
    assert ours == django_s and reference in ours
