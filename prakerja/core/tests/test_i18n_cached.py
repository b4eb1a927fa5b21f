"""``{% load i18n_cached %}`` gives Django's tags with a constant ``{% translate %}`` remembered per
language and escaping (prakerja.core.templatetags.i18n_cached): what each page shows must stay
exactly what Django's own tag shows."""

from __future__ import annotations

import re

from django.template import Context, Template, engines
from django.templatetags import i18n as django_i18n
from django.utils import translation

from prakerja.core.templatetags.i18n_cached import CachedTranslateNode


def _render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load i18n_cached %}" + source).render(Context(context))


def test_a_constant_text_follows_the_language_on_every_render() -> None:
    template = Template('{% load i18n_cached %}{% translate "Keluar" %}')
    node = template.nodelist[-1]
    assert isinstance(node, CachedTranslateNode)
    for _ in range(2):
        with translation.override("id"):
            assert template.render(Context()) == "Keluar"
        with translation.override("en"):
            assert template.render(Context()) == "Sign out"


def test_as_a_variable_the_text_is_set_in_the_context_each_time() -> None:
    template = Template('{% load i18n_cached %}{% translate "Keluar" as label %}[{{ label }}]')
    for language, shown in (("en", "[Sign out]"), ("id", "[Keluar]"), ("en", "[Sign out]")):
        with translation.override(language):
            assert template.render(Context()) == shown


def test_escaping_on_or_off_shows_what_django_s_own_tag_shows() -> None:
    # A quoted text is safe to Django (its own tag never escapes it), with escaping on or
    # off: the remembered value must be the same either way, whichever render came first.
    template = Template('{% load i18n_cached %}{% translate "a < b & c" %}')
    node = template.nodelist[-1]
    assert isinstance(node, CachedTranslateNode)
    with translation.override("en"):
        for autoescape in (False, True, False):
            shown = node.render(Context(autoescape=autoescape))
            assert shown == node.node.render(Context(autoescape=autoescape)) == "a < b & c"


def test_what_is_not_constant_is_django_s_own_node_and_changes_with_the_context() -> None:
    template = Template("{% load i18n_cached %}{% translate word %}|{% translate 'Keluar'|upper %}")
    assert isinstance(template.nodelist[1], django_i18n.TranslateNode)
    assert isinstance(template.nodelist[3], django_i18n.TranslateNode)
    with translation.override("en"):
        assert template.render(Context({"word": "Keluar"})) == "Sign out|SIGN OUT"
        assert template.render(Context({"word": "Langsung ke isi"})) == "Skip to content|SIGN OUT"


def test_a_constant_message_context_is_remembered_a_variable_one_is_not() -> None:
    constant = Template('{% load i18n_cached %}{% translate "Keluar" context "menu" %}')
    variable = Template('{% load i18n_cached %}{% translate "Keluar" context where %}')
    assert isinstance(constant.nodelist[-1], CachedTranslateNode)
    assert isinstance(variable.nodelist[-1], django_i18n.TranslateNode)
    # No catalogue entry under these contexts: the text itself, as Django shows it.
    assert _render('{% translate "Keluar" context "menu" %}', "en") == "Keluar"
    assert _render('{% translate "Keluar" context where %}', "en", where="x") == "Keluar"


def test_the_other_tags_of_the_library_are_django_s() -> None:
    assert _render("{% get_current_language as code %}{{ code }}", "en") == "en"
    assert (
        _render("{% blocktranslate with n=2 %}Langkah {{ n }} dari 3{% endblocktranslate %}", "id")
        == "Langkah 2 dari 3"
    )
    libraries = engines["django"].engine.template_libraries  # type: ignore[attr-defined]
    assert libraries["i18n_cached"].tags["translate"] is not django_i18n.register.tags["translate"]


def test_the_project_s_templates_load_the_cached_library() -> None:
    from pathlib import Path

    from django.conf import settings

    loading_django_s = [
        str(path)
        for root in (settings.BASE_DIR / "templates", settings.BASE_DIR / "prakerja")
        for path in Path(root).rglob("*.htm*")
        if re.search(r"\{% load [^%]*\bi18n\b(?!_)", path.read_text())
    ]
    assert loading_django_s == []
