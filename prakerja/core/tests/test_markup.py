"""``core.markup.esc`` escapes exactly as Django's ``conditional_escape`` does."""

from __future__ import annotations

import pytest
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from prakerja.core.markup import esc


@pytest.mark.parametrize(
    "value",
    [
        "<a href='x'>Tom & \"Jerry\"</a>",
        mark_safe("<b>aman</b>"),
        12,
        None,
        "",
        gettext_lazy("Keluar"),
        gettext_lazy("Tentang & atribusi"),
    ],
)
def test_esc_equals_conditional_escape(value: object) -> None:
    with override("en"):
        assert esc(value) == conditional_escape(value)  # type: ignore[arg-type]


def test_a_safe_string_is_kept_and_text_is_escaped() -> None:
    assert esc(mark_safe("<b>x</b>")) == "<b>x</b>"
    assert esc("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
