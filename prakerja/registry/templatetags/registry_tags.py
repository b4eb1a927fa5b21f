from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from prakerja.core.templatetags.fields import value_for

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``values|get:name``: a dict lookup by a variable key (empty string when missing)."""
    return value_for(mapping, key)


@register.simple_tag
def question_radios(number: int, question: Any, chosen: Any, question_errors: Any) -> SafeString:
    """``{% question_radios forloop.counter question chosen question_errors %}``: one question of
    the registration test, its choices as radios, the chosen one checked (compared as text:
    the saved answer is a number, the form's a string) and its errors below. Built here rather
    than by two nested template loops: the page shows every question on each render, and the
    loops cost about 1.5 ms of the app's CPU per registration (bench/README.md, issue 17)."""
    name = f"q_{question.pk}"
    chosen_text = "" if chosen is None else str(chosen)
    radios = [
        format_html(
            '<label><input type="radio" name="{}"{} value="{}"{}> {}</label>\n',
            name,
            format_html(' id="id_{}"', name) if index == 0 else "",
            index,
            " checked" if chosen_text == str(index) else "",
            choice,
        )
        for index, choice in enumerate(question.choices)
    ]
    invalid: str = ""
    error: str = ""
    if question_errors:
        invalid = format_html(' aria-invalid="true" aria-describedby="{}-error"', name)
        error = format_html(
            '<small id="{}-error" class="field-error">{}</small>\n',
            name,
            " ".join(str(e) for e in question_errors),
        )
    return format_html(
        "<fieldset{}>\n<legend>{}. {}</legend>\n{}{}</fieldset>\n",
        invalid,
        number,
        question.text,
        mark_safe("".join(radios)),  # noqa: S308 - each part built by format_html
        error,
    )


@register.simple_tag
def summary_rows(answers: Any, change_url: str, step: str) -> SafeString:
    """``{% summary_rows section.answers change_url section.step.value %}``: the rows of one
    section of the check-answers page (GOV.UK's summary list): each answer's label, its value
    and a "Ubah" link back to its page, named for screen readers. Built here rather than by a
    template loop: the page lists every answer of the registration (bench/README.md, issue
    17)."""
    change = gettext("Ubah")
    return mark_safe(  # noqa: S308 - each row built by format_html
        "".join(
            format_html(
                '<div class="summary-list-row">\n<dt>{}</dt>\n<dd>{}</dd>\n'
                '<dd class="summary-list-actions"><a href="{}#step-{}">{}'
                '<span class="visually-hidden"> {}</span></a></dd>\n</div>\n',
                answer.label,
                answer.value,
                change_url,
                step,
                change,
                answer.label,
            )
            for answer in answers
        )
    )
