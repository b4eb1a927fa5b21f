"""``{% field name label ... %}``: one question of a form page, label to error message.

The markup of the GOV.UK question pattern as the registration and course pages write it: the
label (with "(opsional)"), the input, select or textarea, its hint and its error, the input
described by both. The value and the errors are read from the page's ``values`` and
``errors`` by ``name``. A page of the wizard holds up to a dozen of these; as an included
template each cost about forty template nodes, built here the same markup costs a fraction of
that (bench/README.md, issue 17).

Options: ``kind`` ("text" by default, or "select", "textarea", "tel", "email", …),
``choices`` (for a select), ``help``, ``maxlength``, ``autocomplete``, ``inputmode``,
``optional``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from prakerja.core.templatetags.options import options

register = template.Library()


def value_for(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` (or under ``str(key)``) as a page shows it: empty when missing or None,
    or when ``mapping`` is not a dict. The ``values|get:name`` filter of the registry's pages."""
    if isinstance(mapping, dict):
        value = mapping.get(key, mapping.get(str(key), ""))
        return "" if value is None else value
    return ""


@register.simple_tag(takes_context=True)
def field(
    context: template.Context,
    name: str,
    label: Any,
    *,
    kind: str = "",
    choices: Any = (),
    help: Any = "",
    maxlength: Any = "",
    autocomplete: str = "",
    inputmode: str = "",
    optional: bool = False,
) -> SafeString:
    def shown(text: Any) -> SafeString:
        # As ``{{ text }}`` shows it: localized, and escaped unless already safe.
        return mark_safe(render_value_in_context(text, context))  # noqa: S308 - escaped

    raw = value_for(context.get("values"), name)
    value = shown(raw)
    label = shown(label)
    help = shown(help) if help else ""
    field_errors = value_for(context.get("errors"), name)
    attrs = "" if optional else " required"
    if field_errors:
        attrs += ' aria-invalid="true"'
    described = " ".join(
        part
        for part in (f"{name}-help" if help else "", f"{name}-error" if field_errors else "")
        if part
    )
    if described:
        attrs += format_html(' aria-describedby="{}"', described)
    parts = [
        format_html(
            '<label for="id_{}">{}{}</label>\n',
            name,
            label,
            format_html(' <small class="muted">({})</small>', gettext("opsional"))
            if optional
            else "",
        )
    ]
    if kind == "select":
        parts.append(
            format_html(
                '<select name="{}" id="id_{}"{}>\n  <option value="">{}</option>\n'
                "  {}\n</select>\n",
                name,
                name,
                mark_safe(attrs),  # noqa: S308 - built above from escaped parts
                gettext("— pilih —"),
                options(choices, raw),  # compared as typed, as {% options %} is given it
            )
        )
    elif kind == "textarea":
        parts.append(
            format_html(
                '<textarea name="{}" id="id_{}" rows="3" maxlength="{}"{}>{}</textarea>\n',
                name,
                name,
                maxlength or 300,
                mark_safe(attrs),  # noqa: S308 - built above from escaped parts
                value,
            )
        )
    else:
        extra = ""
        if maxlength:
            extra += format_html(' maxlength="{}"', maxlength)
        if autocomplete:
            extra += format_html(' autocomplete="{}"', autocomplete)
        if inputmode:
            extra += format_html(' inputmode="{}"', inputmode)
        parts.append(
            format_html(
                '<input type="{}" name="{}" id="id_{}" value="{}"{}{}>\n',
                kind or "text",
                name,
                name,
                value,
                mark_safe(extra),  # noqa: S308 - built above from escaped parts
                mark_safe(attrs),  # noqa: S308 - built above from escaped parts
            )
        )
    if help:
        parts.append(format_html('<small id="{}-help">{}</small>\n', name, help))
    if field_errors:
        errors = " ".join(conditional_escape(error) for error in field_errors)
        parts.append(
            format_html(
                '<small id="{}-error" class="field-error">{}</small>\n',
                name,
                mark_safe(errors),  # noqa: S308
            )
        )
    return mark_safe("".join(conditional_escape(part) for part in parts))  # noqa: S308
