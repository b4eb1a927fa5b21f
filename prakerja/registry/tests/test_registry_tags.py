"""The registration pages' tags that build repeated markup in Python: what they show is what
the template loops they replace showed (escaping, the chosen answer, errors, links)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template import Context, Template

from prakerja.registry.answers import Answer


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
