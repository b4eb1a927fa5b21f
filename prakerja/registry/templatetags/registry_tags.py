from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from prakerja.core.markup import esc
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
    name = esc(f"q_{question.pk}")
    chosen_text = "" if chosen is None else str(chosen)
    # Every part escaped by ``esc`` (``format_html``'s escaping: safe strings as they are).
    first = f' id="id_{name}"'
    radios = "".join(
        f'<label><input type="radio" name="{name}"{first if index == 0 else ""} value="{index}"'
        f"{' checked' if chosen_text == str(index) else ''}> {esc(choice)}</label>\n"
        for index, choice in enumerate(question.choices)
    )
    invalid = error = ""
    if question_errors:
        invalid = f' aria-invalid="true" aria-describedby="{name}-error"'
        messages = esc(" ".join(str(e) for e in question_errors))
        error = f'<small id="{name}-error" class="field-error">{messages}</small>\n'
    return mark_safe(  # noqa: S308 - every part escaped above
        f"<fieldset{invalid}>\n<legend>{esc(number)}. {esc(question.text)}</legend>\n"
        f"{radios}{error}</fieldset>\n"
    )


@register.simple_tag
def summary_rows(answers: Any, change_url: str, step: str) -> SafeString:
    """``{% summary_rows section.answers change_url section.step.value %}``: the rows of one
    section of the check-answers page (GOV.UK's summary list): each answer's label, its value
    and a "Ubah" link back to its page, named for screen readers. Built here rather than by a
    template loop: the page lists every answer of the registration (bench/README.md, issue
    17)."""
    change = esc(gettext("Ubah"))
    target = f"{esc(change_url)}#step-{esc(step)}"
    rows = []
    for answer in answers:
        label = esc(answer.label)
        rows.append(
            f'<div class="summary-list-row">\n<dt>{label}</dt>\n<dd>{esc(answer.value)}</dd>\n'
            f'<dd class="summary-list-actions"><a href="{target}">{change}'
            f'<span class="visually-hidden"> {label}</span></a></dd>\n</div>\n'
        )
    return mark_safe("".join(rows))  # noqa: S308 - every part escaped above
