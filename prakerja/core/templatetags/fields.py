"""``{% field name label ... %}``: one question of a form page, label to error message.

The markup of the GOV.UK question pattern as the registration and course pages write it: the
label (with "(opsional)"), the input, select or textarea, its hint and its error, the input
described by both. The value and the errors are read from the page's ``values`` and
``errors`` by ``name``. A page of the wizard holds up to a dozen of these; as an included
template each cost about forty template nodes, built here the same markup costs a fraction of
that (bench/README.md, issue 17).

``{% date_input name label parts %}`` is the date question (GOV.UK's date input: day, month by
name, year), built the same way; it replaced the included template ``includes/date_input.html``
(``core/tests/date_input_reference.html`` keeps that markup, which the tag is held to).

Options: ``kind`` ("text" by default, or "select", "textarea", "tel", "email", …),
``choices`` (for a select), ``help``, ``maxlength``, ``autocomplete``, ``inputmode``,
``optional``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from prakerja.core.markup import esc
from prakerja.core.templatetags.options import options

register = template.Library()


def value_for(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` (or under ``str(key)``) as a page shows it: empty when missing or None,
    or when ``mapping`` is not a dict. The ``values|get:name`` filter of the registry's pages."""
    if isinstance(mapping, dict):
        value = mapping.get(key, mapping.get(str(key), ""))
        return "" if value is None else value
    return ""


def shown(value: Any, context: template.Context) -> SafeString:
    """``value`` as ``{{ value }}`` shows it in ``context``: localized, and escaped unless
    already safe (so it is not escaped again by ``esc``)."""
    return mark_safe(render_value_in_context(value, context))  # noqa: S308 - escaped


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
    raw = value_for(context.get("values"), name)
    value = shown(raw, context)
    label = shown(label, context)
    help = shown(help, context) if help else ""
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
        attrs += f' aria-describedby="{esc(described)}"'
    # Every part escaped by ``esc`` (``format_html``'s escaping: safe strings as they are).
    n = esc(name)
    optional_mark = (
        f' <small class="muted">({esc(gettext("opsional"))})</small>' if optional else ""
    )
    parts = [f'<label for="id_{n}">{esc(label)}{optional_mark}</label>\n']
    if kind == "select":
        parts.append(
            f'<select name="{n}" id="id_{n}"{attrs}>\n'
            f'  <option value="">{esc(gettext("— pilih —"))}</option>\n'
            # compared as typed, as {% options %} is given it
            f"  {options(choices, raw)}\n</select>\n"
        )
    elif kind == "textarea":
        parts.append(
            f'<textarea name="{n}" id="id_{n}" rows="3" maxlength="{esc(maxlength or 300)}"'
            f"{attrs}>{esc(value)}</textarea>\n"
        )
    else:
        extra = ""
        if maxlength:
            extra += f' maxlength="{esc(maxlength)}"'
        if autocomplete:
            extra += f' autocomplete="{esc(autocomplete)}"'
        if inputmode:
            extra += f' inputmode="{esc(inputmode)}"'
        parts.append(
            f'<input type="{esc(kind or "text")}" name="{n}" id="id_{n}" value="{esc(value)}"'
            f"{extra}{attrs}>\n"
        )
    if help:
        parts.append(f'<small id="{n}-help">{esc(help)}</small>\n')
    if field_errors:
        errors = " ".join(esc(error) for error in field_errors)
        parts.append(f'<small id="{n}-error" class="field-error">{errors}</small>\n')
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


@register.simple_tag(takes_context=True)
def date_input(
    context: template.Context,
    name: str,
    label: Any,
    parts: Any,
    *,
    help: Any = "",
    field_errors: Any = (),
    autocomplete: str = "",
) -> SafeString:
    """``{% date_input name label parts help=… field_errors=… autocomplete=… %}``: day, month
    (the page's ``months``) and year in one fieldset, ``parts`` holding them as typed. The
    day's input has the id ``id_<name>``, so the error summary's link lands on it."""

    typed = parts if isinstance(parts, dict) else {}
    n = esc(name)
    invalid = ' aria-invalid="true"' if field_errors else ""
    described = f"{n}-hint{f' {n}-error' if field_errors else ''}"
    hint = shown(help, context) if help else esc(gettext("Misalnya 17 Agustus 1990."))
    error = ""
    if field_errors:
        messages = " ".join(esc(message) for message in field_errors)
        error = f'<small id="{n}-error" class="field-error">{messages}</small>\n'
    day, year = shown(typed.get("day", ""), context), shown(typed.get("year", ""), context)
    auto = esc(autocomplete)
    day_auto = f"{auto}-day" if autocomplete else "off"
    month_auto = f' autocomplete="{auto}-month"' if autocomplete else ""
    year_auto = f"{auto}-year" if autocomplete else "off"
    return mark_safe(  # noqa: S308 - every part escaped (esc, or as {{ }} shows it)
        f'<fieldset class="date-input" id="{n}-fieldset" aria-describedby="{described}">\n'
        f"<legend>{shown(label, context)}</legend>\n"
        f'<small id="{n}-hint">{hint}</small>\n{error}'
        '<div class="date-input-parts">\n<div class="date-input-day">\n'
        f'<label for="id_{n}">{esc(gettext("Tanggal"))}</label>\n'
        f'<input type="text" name="{n}_day" id="id_{n}" value="{day}"'
        f' inputmode="numeric" maxlength="2" autocomplete="{day_auto}"{invalid}>\n'
        '</div>\n<div class="date-input-month">\n'
        f'<label for="id_{n}_month">{esc(gettext("Bulan"))}</label>\n'
        f'<select name="{n}_month" id="id_{n}_month"{month_auto}{invalid}>\n'
        f'<option value="">{esc(gettext("— pilih —"))}</option>\n'
        f"{options(context.get('months') or (), typed.get('month', ''))}\n</select>\n"
        '</div>\n<div class="date-input-year">\n'
        f'<label for="id_{n}_year">{esc(gettext("Tahun"))}</label>\n'
        f'<input type="text" name="{n}_year" id="id_{n}_year" value="{year}"'
        f' inputmode="numeric" maxlength="4" autocomplete="{year_auto}"{invalid}>\n'
        "</div>\n</div>\n</fieldset>\n"
    )
