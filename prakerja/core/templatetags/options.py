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
from django.utils.translation import get_language

register = template.Library()


# The escaped options of each list, per list object and language: the region lists are tuples
# kept per process (``regions.selectors``), the other choices module constants. A list is held
# here with its options, so its id cannot be reused by another list while it is; the lists are
# read-only. Bounded: past ``_RENDERED_MAX`` lists the lot is dropped and built again.
_rendered: dict[tuple[int, str], tuple[object, list[tuple[str, str, str]]]] = {}
_RENDERED_MAX = 256


def _escaped(choices: Iterable[Any]) -> list[tuple[str, str, str]]:
    """Each choice as (value as text, ``<option value="…"``, ``>label</option>``), escaped."""
    key = (id(choices), get_language() or "")
    cacheable = isinstance(choices, list | tuple)
    if cacheable:
        found = _rendered.get(key)
        if found is not None and found[0] is choices:
            return found[1]
    parts = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple) else (choice.code, choice.name)
        text = str(value)
        # The standard library's escape, which Django's calls (the same five characters)
        # without the check for lazy arguments around it: a page holds hundreds of options.
        parts.append((text, f'<option value="{escape(text)}"', f">{escape(str(label))}</option>"))
    if cacheable:
        if len(_rendered) >= _RENDERED_MAX:
            _rendered.clear()
        _rendered[key] = (choices, parts)
    return parts


@register.simple_tag
def options(choices: Iterable[Any], selected: object = "") -> SafeString:
    chosen = "" if selected is None else str(selected)
    return mark_safe(  # noqa: S308 - every value and label is escaped (_escaped)
        "".join(
            f"{head} selected{tail}" if text == chosen else head + tail
            for text, head, tail in _escaped(choices)
        )
    )
