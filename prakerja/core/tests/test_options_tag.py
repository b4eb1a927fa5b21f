"""``{% options %}``: the options of a select, escaped, with the chosen one marked."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy


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


def test_a_list_shown_again_gives_the_same_options_with_its_own_choice() -> None:
    months = [(1, "Januari"), (2, "<Februari>"), (3, "Maret")]
    first = render(months, 2)
    again = render(months, 3)  # the same list: its options are kept, the choice is not
    assert first == render(months, "2")
    assert 'value="2" selected>&lt;Februari&gt;' in first and first.count("selected") == 1
    assert 'value="3" selected>Maret' in again and again.count("selected") == 1
    assert render(tuple(months), None).count("selected") == 0
    assert render((choice for choice in months), 1).count("selected") == 1  # not a list


def test_kept_options_follow_the_language_of_each_page() -> None:
    genders = [("L", gettext_lazy("Laki-laki")), ("P", gettext_lazy("Perempuan"))]
    with translation.override("id"):
        indonesian = render(genders, "P")
    with translation.override("en"):
        english = render(genders, "P")
    with translation.override("id"):
        assert render(genders, "P") == indonesian
    assert ">Perempuan</option>" in indonesian
    assert ">Female</option>" in english and "Perempuan" not in english
