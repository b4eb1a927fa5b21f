"""Django's ``i18n`` tag library, with ``{% translate "…" %}`` of a constant text remembered.

Every page of the registration holds a few dozen ``{% translate "…" %}`` of fixed texts, and
Django looks each one up in the message catalogues on every render (the active language, then
each catalogue in turn, through a lazy string): about 5 % of the app's CPU per registration
(bench/README.md, issue 17). A fixed text has one translation per language, so this library's
``translate`` keeps what Django's own tag rendered, per language and escaping, in the template
node, which lives as long as the compiled template. Anything not fixed (a variable, a filter,
a message context that is not a constant) is rendered by Django's tag as before.

The project's templates load it as ``{% load i18n_cached %}`` in place of ``{% load i18n %}``
(a library of the same name would be ambiguous to Django's checks, ``templates.W003``); every
other tag of it is Django's. A template that loads ``i18n`` still works, uncached.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags import i18n as django_i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class CachedTranslateNode(template.Node):
    """Django's node for a constant text, rendered once per language and escaping."""

    child_nodelists = ()

    def __init__(self, node: django_i18n.TranslateNode) -> None:
        self.node = node
        self.asvar = node.asvar
        self.rendered: dict[tuple[str | None, bool], Any] = {}

    def render(self, context: template.Context) -> str:
        key = (get_language(), context.autoescape)
        value = self.rendered.get(key)
        if value is None:
            output = self.node.render(context)
            value = context[self.asvar] if self.asvar else output
            self.rendered[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _constant(expression: Any) -> bool:
    """Whether the text (or message context) is the same on every render: absent, or a
    quoted literal without filters (the parser keeps one as a string, the node as a literal
    Variable)."""
    if expression is None:
        return True
    if not isinstance(expression, template.base.FilterExpression) or expression.filters:
        return False
    var = expression.var
    return isinstance(var, str) or (
        isinstance(var, template.base.Variable) and var.literal is not None
    )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: template.base.Parser, token: template.base.Token) -> template.Node:
    node = django_i18n.do_translate(parser, token)
    if (
        isinstance(node, django_i18n.TranslateNode)
        and _constant(node.filter_expression)
        and _constant(node.message_context)
    ):
        return CachedTranslateNode(node)
    return node
