"""``{% options choices selected %}``: the ``<option>`` elements of a ``<select>``.

Every registration page holds selects (regions, employment status, occupation, months). As a
template loop each option costs a ``for``, an ``if`` and three variable lookups; built here
the same markup costs a tenth of that (bench/README.md, issue 17). ``choices`` are
``(value, label)`` pairs (``TextChoices.choices``) or objects with ``code`` and ``name`` (the
region models); the option whose value equals ``selected`` as text is marked ``selected``.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def options(choices: Iterable[Any], selected: object = "") -> SafeString:
    chosen = "" if selected is None else str(selected)
    parts = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple) else (choice.code, choice.name)
        text = str(value)
        mark = " selected" if text == chosen else ""
        # The standard library's escape, which Django's calls (the same five characters)
        # without the check for lazy arguments around it: a page holds hundreds of options.
        parts.append(f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
