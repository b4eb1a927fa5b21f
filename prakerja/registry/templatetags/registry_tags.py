from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from prakerja.core.markup import esc
from prakerja.core.templatetags.fields import shown, value_for
from prakerja.registry.links import registration_url as _registration_url

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


@register.simple_tag(takes_context=True)
def steps_nav(context: template.Context) -> SafeString:
    """``{% steps_nav %}``: the wizard's folded list of pages (the page's ``pages``,
    ``pages_done``, ``page_count`` and ``registration``), the current one marked, the others
    linked once the registration exists, and what is already filled in. It replaced the
    included template ``registry/_steps_nav.html`` (kept as
    ``registry/tests/steps_nav_reference.html``, the markup the tag is held to); on a 360×740
    phone the list is folded so the question stays on the first screen."""

    registration = context.get("registration")
    summary = gettext("Semua langkah (%(done)s dari %(total)s sudah diisi)") % {
        "done": shown(context.get("pages_done"), context),
        "total": shown(context.get("page_count"), context),
    }
    filled = esc(gettext("sudah diisi"))
    items = []
    for page in context.get("pages") or ():
        title = shown(page["title"], context)
        if page["current"]:
            head = f'<strong aria-current="step">{title}</strong>'
        elif registration:
            url = _registration_url("registry:step", registration.reference, page["step"].value)
            head = f'<a href="{esc(url)}">{title}</a>'
        else:
            head = title
        marks = ""
        if page["done"]:
            marks = f'<small class="field-ok">✓ {filled}</small>'
        elif len(page["steps"]) > 1:
            marks = "".join(
                '<small class="field-ok">✓ '
                f"{gettext('%(step)s sudah diisi') % {'step': shown(step.label, context)}}</small>"
                for step, done in page["steps"]
                if done
            )
        items.append(f"<li>{head}\n{marks}</li>\n")
    return mark_safe(  # noqa: S308 - every part escaped (esc, or as {{ }} shows it)
        f'<details class="registry-steps-details">\n<summary>{summary}</summary>\n'
        f'<nav aria-label="{esc(gettext("Langkah pendaftaran"))}">\n'
        f'<ol class="registry-steps">\n{"".join(items)}</ol>\n</nav>\n</details>\n'
    )


@register.simple_tag
def registration_url(name: str, reference: str, *rest: Any) -> str:
    """``{% registration_url "registry:step" registration.reference step %}``: ``{% url %}``
    of a URL whose first argument is the registration's reference, reversed once per process
    (``registry.links``)."""
    return _registration_url(name, reference, *rest)
