"""``{% options %}``: the options of a select, escaped, with the chosen one marked."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template


def render(choices: object, selected: object) -> str:
    template = Template("{% load options %}{% options choices selected %}")
    return template.render(Context({"choices": choices, "selected": selected}))


def test_pairs_are_escaped_and_the_chosen_one_is_selected() -> None:
    html = render([("a", "Satu"), ("b", "<Dua & Tiga>")], "b")
    assert html == (
        '<option value="a">Satu</option><option value="b" selected>&lt;Dua &amp; Tiga&gt;</option>'
    )


def test_numbers_match_the_text_typed_and_objects_give_code_and_name() -> None:
    assert render([(1, "Januari"), (12, "Desember")], "12").endswith(
        '<option value="12" selected>Desember</option>'
    )
    regencies = [SimpleNamespace(code="3578", name="Kota Surabaya")]
    assert render(regencies, None) == '<option value="3578">Kota Surabaya</option>'
    assert 'value="3578" selected' in render(regencies, "3578")
