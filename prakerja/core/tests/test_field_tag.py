"""``{% field %}``: one question of a form page, with its value, hint and errors, escaped."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation


def render(source: str, **context: object) -> str:
    html = Template("{% load fields %}" + source).render(Context(context))
    return re.sub(r"\s+", " ", html).strip()


def test_a_text_question_shows_the_value_escaped_and_is_required() -> None:
    html = render(
        '{% field "full_name" label maxlength=150 autocomplete="name" %}',
        label="Nama <lengkap>",
        values={"full_name": 'Siti "Aminah" & <b>'},
        errors={},
    )
    assert html == (
        '<label for="id_full_name">Nama &lt;lengkap&gt;</label> '
        '<input type="text" name="full_name" id="id_full_name" '
        'value="Siti &quot;Aminah&quot; &amp; &lt;b&gt;" maxlength="150" autocomplete="name" '
        "required>"
    )


def test_errors_and_the_hint_describe_the_input() -> None:
    with translation.override("id"):
        html = render(
            '{% field "phone" "Nomor HP" help="Misalnya 0812." kind="tel" optional=True %}',
            values={},
            errors={"phone": ["Nomor <salah>.", "Coba lagi."]},
        )
    assert '<label for="id_phone">Nomor HP <small class="muted">(opsional)</small></label>' in html
    assert 'type="tel"' in html and " required" not in html
    assert 'aria-invalid="true" aria-describedby="phone-help phone-error"' in html
    assert '<small id="phone-help">Misalnya 0812.</small>' in html
    error = '<small id="phone-error" class="field-error">Nomor &lt;salah&gt;. Coba lagi.</small>'
    assert error in html


def test_a_select_marks_the_chosen_option_and_a_textarea_holds_its_value() -> None:
    with translation.override("id"):
        select = render(
            '{% field "gender" "Jenis kelamin" kind="select" choices=choices %}',
            values={"gender": "P"},
            errors={},
            choices=[("L", "Laki-laki"), ("P", "Perempuan")],
        )
        textarea = render(
            '{% field "address" "Alamat" kind="textarea" %}',
            values={"address": "Jl. <Uji> 1"},
            errors={},
        )
    assert '<select name="gender" id="id_gender" required>' in select
    assert '<option value="">— pilih —</option>' in select
    assert '<option value="P" selected>Perempuan</option>' in select
    assert textarea.endswith(
        '<textarea name="address" id="id_address" rows="3" maxlength="300" required>'
        "Jl. &lt;Uji&gt; 1</textarea>"
    )


def test_a_value_is_shown_as_the_template_would_show_it() -> None:
    # A missing or None value is empty; a date is localized as {{ value }} localizes it.
    assert 'value=""' in render('{% field "x" "X" %}', values={"x": None}, errors={})
    assert 'value=""' in render('{% field "x" "X" %}', values=None, errors=None)
    with translation.override("id"):
        expected = Template("{{ d }}").render(Context({"d": dt.date(2020, 4, 11)}))
        html = render('{% field "d" "D" kind="date" %}', values={"d": dt.date(2020, 4, 11)})
    assert f'value="{expected}"' in html


_DATE_INPUT_AS_TEMPLATE = Template(
    (Path(__file__).parent / "date_input_reference.html").read_text()
)
_MONTHS = [("1", "Januari"), ("2", "Februari"), ("12", "Desember")]


def _squeezed(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html.strip())).replace("> ", ">")


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"help": "Misalnya 30 Juni <2025>.", "autocomplete": "bday"},
        {"field_errors": ["Tanggal tidak ada.", "Isi <tahun>."], "autocomplete": "bday"},
        {"field_errors": ["Salah."], "help": "Kosongkan bila lupa."},
    ],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_date_input_shows_what_the_included_template_showed(
    given: dict[str, object], language: str
) -> None:
    context = {
        "name": "birth_date",
        "label": "Tanggal lahir",
        "parts": {"day": "17", "month": "12", "year": '19"90<'},
        "months": _MONTHS,
        **given,
    }
    arguments = " ".join(f"{key}={key}" for key in given)
    tag = Template("{% load fields %}{% date_input name label parts " + arguments + " %}")
    with translation.override(language):
        shown = tag.render(Context(context))
        expected = _DATE_INPUT_AS_TEMPLATE.render(Context(context))
    assert _squeezed(shown) == _squeezed(expected)
    assert '<option value="12" selected>Desember</option>' in shown
    assert 'value="19&quot;90&lt;"' in shown
    assert ("aria-invalid" in shown) == ("field_errors" in given)
