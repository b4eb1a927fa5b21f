"""``{% submission_token_input %}``: the hidden field ``once_per_submission_token`` reads."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from prakerja.core.idempotency import SUBMISSION_TOKEN_FIELD, form_token_issue

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token_input(context: dict[str, Any]) -> SafeString:
    token = context.get(SUBMISSION_TOKEN_FIELD) or form_token_issue(context["request"])
    return format_html('<input type="hidden" name="{}" value="{}">', SUBMISSION_TOKEN_FIELD, token)
