"""Helpers for the tests of every app."""

from __future__ import annotations

from typing import Any

import pytest


def calls_recorded(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple[Any, ...]]:
    """Wraps ``owner.name`` (a function of a module, or a method of a class) for the rest of
    the test: each call still runs, and its positional arguments are appended to the list
    returned (for a method, without ``self``)."""
    original = getattr(owner, name)
    calls: list[tuple[Any, ...]] = []
    method = isinstance(owner, type)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1:] if method else args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls
