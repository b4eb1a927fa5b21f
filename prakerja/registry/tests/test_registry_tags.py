"""The registration pages' tags that build repeated markup in Python: what they show is what
the template loops they replace showed (escaping, the chosen answer, errors, links)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy

from prakerja.registry.answers import Answer
from prakerja.registry.references import reference_generate
from prakerja.registry.steps import Step


@dataclass
class Question:
    pk: int
    text: str
    choices: list[str]


# The test page's loops as they were: the reference the tag must match.
_RADIOS_AS_LOOPS = Template(
    "{% for question, chosen, question_errors in questions %}<fieldset"
    '{% if question_errors %} aria-invalid="true" aria-describedby="q_{{ question.pk }}-error"'
    "{% endif %}>\n<legend>{{ forloop.counter }}. {{ question.text }}</legend>\n"
    "{% for choice in question.choices %}"
    '<label><input type="radio" name="q_{{ question.pk }}"{% if forloop.first %} '
    'id="id_q_{{ question.pk }}"{% endif %} value="{{ forloop.counter0 }}"'
    '{% if chosen|stringformat:"s" == forloop.counter0|stringformat:"s" %} checked{% endif %}>'
    " {{ choice }}</label>\n{% endfor %}{% if question_errors %}"
    '<small id="q_{{ question.pk }}-error" class="field-error">{{ question_errors|join:" " }}'
    "</small>\n{% endif %}</fieldset>\n{% endfor %}"
)
_RADIOS = Template(
    "{% load registry_tags %}{% for question, chosen, question_errors in questions %}"
    "{% question_radios forloop.counter question chosen question_errors %}{% endfor %}"
)


def test_question_radios_show_what_the_loops_showed() -> None:
    questions: list[tuple[Any, Any, Any]] = [
        (Question(5, "Apa arti <b>?", ["a & b", "c", "d"]), 1, None),  # chosen as saved
        (Question(7, "X", ["y", "z"]), None, ["Pilih <satu> jawaban."]),  # unanswered
        (Question(9, "Z", ["0", "1"]), "0", []),  # chosen as typed in the form
    ]
    shown = _RADIOS.render(Context({"questions": questions}))
    assert shown == _RADIOS_AS_LOOPS.render(Context({"questions": questions}))
    assert 'value="1" checked> c' in shown and 'value="0" checked> 0' in shown
    assert shown.count(" checked") == 2
    assert "Apa arti &lt;b&gt;?" in shown and "a &amp; b" in shown
    assert 'aria-describedby="q_7-error"' in shown and "Pilih &lt;satu&gt; jawaban." in shown


def test_summary_rows_link_each_answer_to_its_page_and_escape_it() -> None:
    template = Template("{% load registry_tags %}{% summary_rows answers change_url step %}")
    shown = template.render(
        Context(
            {
                "answers": [Answer("Nama", "Ani <Bu>"), Answer("Alamat", "Jl. A & B")],
                "change_url": "/daftar/ABC/identity/",
                "step": "identity",
            }
        )
    )
    assert shown.count('<div class="summary-list-row">') == 2
    assert "<dt>Nama</dt>\n<dd>Ani &lt;Bu&gt;</dd>" in shown
    assert "<dd>Jl. A &amp; B</dd>" in shown
    assert (
        '<a href="/daftar/ABC/identity/#step-identity">Ubah'
        '<span class="visually-hidden"> Alamat</span></a>' in shown
    )


_STEPS_NAV_AS_TEMPLATE = Template((Path(__file__).parent / "steps_nav_reference.html").read_text())


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html.strip())).replace("> ", ">")


@pytest.mark.parametrize("started", [False, True])
@pytest.mark.parametrize("language", ["id", "en"])
def test_steps_nav_shows_what_the_included_template_showed(started: bool, language: str) -> None:
    pages = [
        {
            "step": Step.IDENTITY,
            "title": "Data <diri>",
            "current": False,
            "done": True,
            "steps": [(Step.IDENTITY, True)],
        },
        {
            "step": Step.CONTACT,
            "title": gettext_lazy("Persetujuan"),
            "current": True,
            "done": False,
            "steps": [(Step.CONTACT, True), (Step.DOMICILE, False), (Step.WORK, True)],
        },
        {
            "step": Step.CONSENT,
            "title": "Tes",
            "current": False,
            "done": False,
            "steps": [(Step.CONSENT, False)],
        },
    ]
    registration = SimpleNamespace(reference=reference_generate()) if started else None
    context = {"pages": pages, "pages_done": 1, "page_count": 3, "registration": registration}
    with translation.override(language):
        shown = Template("{% load registry_tags %}{% steps_nav %}").render(Context(context))
        expected = _STEPS_NAV_AS_TEMPLATE.render(Context(context))
    assert _squeezed(shown) == _squeezed(expected)
    assert '<strong aria-current="step">' in shown and "Data &lt;diri&gt;" in shown
    assert shown.count("<a href=") == (2 if started else 0)
    assert shown.count('class="field-ok"') == 3
