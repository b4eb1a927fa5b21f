"""Every error code an app raises is a member of that app's ``StrEnum`` in its ``errors*.py``
(issue 13, item 5): a code written as a bare string elsewhere is a code that can drift from the
API's contract unseen."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from enum import StrEnum
from pathlib import Path

import prakerja

ROOT = Path(prakerja.__file__).parent
CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")


def _modules() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def _error_modules() -> list[Path]:
    return [path for path in _modules() if path.stem.startswith("errors")]


def _known_codes() -> set[str]:
    codes: set[str] = set()
    for path in _error_modules():
        dotted = ".".join(("prakerja", *path.relative_to(ROOT).with_suffix("").parts))
        module = importlib.import_module(dotted)
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, StrEnum) and value is not StrEnum:
                codes.update(member.value for member in value)
    return codes


def _code_literals(path: Path, known: set[str]) -> list[str]:
    """String constants that are error codes: equal to a known code, or written as the first
    argument of an error's constructor (``…Error("x.y", …)``, ``Issue("x.y", …)``, …)."""
    found: list[str] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in known:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and CODE.match(first.value)
                and first.value not in known
                and (
                    name.endswith(("Error", "Denied", "denied", "forbidden"))
                    or name in {"Issue", "NotFound", "Conflict"}
                )
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {first.value!r} (no enum)")
    return found


def test_every_app_with_error_codes_has_an_enum() -> None:
    assert len(_error_modules()) >= 13
    assert len(_known_codes()) >= 200


def test_no_error_code_is_a_bare_string_outside_errors_modules() -> None:
    known = _known_codes()
    offenders = [
        literal
        for path in _modules()
        if not path.stem.startswith("errors")
        for literal in _code_literals(path, known)
    ]
    assert offenders == []
