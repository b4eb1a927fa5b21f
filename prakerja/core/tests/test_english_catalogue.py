"""The English catalogue is whole (``locale/en``): every message is translated and none is
fuzzy, the compiled catalogue the app reads says what its source says, and every message the
code marks for translation is in it.

A message added in Indonesian without its English showed the Indonesian text to a person who
chose English, silently; a fuzzy entry (``makemessages``' guess from a similar message) showed
a wrong one: "Harus berupa angka." had become "The entry must be text.". The last test runs
Django's ``makemessages`` on a copy of the source, so it needs GNU gettext (Debian's
``gettext``); without it, it is skipped with that reason.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES"
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Entry:
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    translations: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.context is None else f"{self.context}\x04{self.msgid}"


def _unquote(text: str) -> str:
    body = text.strip()
    assert body.startswith('"') and body.endswith('"'), body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body[1:-1])


def catalogue_entries(path: Path) -> list[Entry]:
    """The entries of a ``.po`` file, obsolete ones (``#~``) left out."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    fuzzy = False

    def close() -> None:
        nonlocal entry, target, fuzzy
        if target is not None:
            entries.append(entry)
        entry, target, fuzzy = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            close()
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path.name}:{number}: a string with no keyword"
            kind, index = target
            if kind == "msgid":
                entry.msgid += _unquote(line)
            elif kind == "msgctxt":
                entry.context = (entry.context or "") + _unquote(line)
            elif kind == "msgid_plural":
                entry.plural = (entry.plural or "") + _unquote(line)
            else:
                entry.translations[index] += _unquote(line)
        else:
            # Entries are separated by blank lines, as gettext's tools write them.
            keyword, _space, rest = line.partition(" ")
            if target is None:
                entry.line, entry.fuzzy = number, fuzzy
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if plural:
                target = ("msgstr", int(plural.group(1)))
                entry.translations[target[1]] = _unquote(rest)
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                entry.translations[0] = _unquote(rest)
            elif keyword in ("msgid", "msgctxt", "msgid_plural"):
                target = (keyword, 0)
                value = _unquote(rest)
                if keyword == "msgid":
                    entry.msgid = value
                elif keyword == "msgctxt":
                    entry.context = value
                else:
                    entry.plural = value
            else:
                raise AssertionError(f"{path.name}:{number}: unknown line {line!r}")
    close()
    return entries


def _untranslated(entries: list[Entry]) -> list[str]:
    return [
        f"line {e.line}: {e.msgid!r}" + (" (fuzzy)" if e.fuzzy else " (no English)")
        for e in entries
        if e.msgid and (e.fuzzy or not e.translations or not all(e.translations.values()))
    ]


def test_every_message_has_its_english_and_none_is_a_guess() -> None:
    entries = catalogue_entries(CATALOGUE / "django.po")
    assert len(entries) > 2000  # the parser read the whole catalogue
    assert _untranslated(entries) == []
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys)), "a message twice in the catalogue"


def test_the_compiled_catalogue_says_what_its_source_says() -> None:
    """``django.mo`` is what the app reads: one compiled before the last edit of ``django.po``
    would show the older texts (``manage.py compilemessages`` after editing)."""
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in catalogue_entries(CATALOGUE / "django.po"):
        if not entry.msgid:
            continue
        if entry.plural is None:
            expected[entry.key] = entry.translations[0]
        else:
            for index, text in entry.translations.items():
                expected[(entry.key, index)] = text
    compiled_messages = {key: value for key, value in catalogue.items() if key != ""}
    missing = sorted(str(k) for k in expected if k not in compiled_messages)
    extra = sorted(str(k) for k in compiled_messages if k not in expected)
    changed = sorted(
        str(k)
        for k, text in expected.items()
        if k in compiled_messages and compiled_messages[k] != text
    )
    assert (missing, extra, changed) == ([], [], [])


def test_the_parser_reads_context_plurals_continuations_and_flags(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "Satu"\nmsgstr "One"\n\n'
        'msgctxt "bulan"\nmsgid "Mei"\nmsgstr "May"\n\n'
        'msgid ""\n"Panjang "\n"sekali \\"kutip\\""\nmsgstr "Very long"\n\n'
        'msgid "%(n)s posko"\nmsgid_plural "%(n)s posko"\nmsgstr[0] "%(n)s post"\n'
        'msgstr[1] ""\n\n'
        '#, fuzzy\nmsgid "Angka"\nmsgstr "Text"\n\n'
        '#~ msgid "Lama"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    entries = catalogue_entries(po)
    assert [e.key for e in entries] == [
        "",
        "Satu",
        "bulan\x04Mei",
        'Panjang sekali "kutip"',
        "%(n)s posko",
        "Angka",
    ]
    assert entries[0].translations == {0: "Language: en\n"}
    assert entries[4].plural == "%(n)s posko"
    assert _untranslated(entries) == [
        "line 19: '%(n)s posko' (no English)",
        "line 25: 'Angka' (fuzzy)",
    ]


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="needs GNU gettext (xgettext, msgmerge: Debian's gettext) to extract the messages",
)
def test_every_message_the_code_marks_is_in_the_catalogue(tmp_path: Path) -> None:
    """``makemessages`` on a copy of the source (never on the repository's own catalogue):
    each message it adds to the copy's catalogue is one the code marks and nobody put into
    English."""
    copy = tmp_path / "src"
    ignored = shutil.ignore_patterns(
        ".venv", ".git", "node_modules", "__pycache__", "static", "bench", "var", "*.mo"
    )
    shutil.copytree(ROOT, copy, ignore=ignored)
    run = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-v", "0"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**_environment(), "DJANGO_SETTINGS_MODULE": "config.settings"},
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    extracted = catalogue_entries(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(extracted) > 2000
    assert _untranslated(extracted) == [], (
        "messages without English: add them to locale/en/LC_MESSAGES/django.po "
        "(manage.py makemessages -l en), then manage.py compilemessages"
    )


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # The copy's settings, on the demo's SQLite: makemessages reads no database.
    environment.pop("DATABASE_URL", None)
    environment["PRAKERJA_ENV"] = "demo"
    return environment
