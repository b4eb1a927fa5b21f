"""``esc``: Django's ``conditional_escape`` for the tags that build markup in Python.

The same result (a safe string, one with ``__html__``, as it is; anything else as text with
the five HTML characters escaped by the standard library's ``escape``, which Django's calls)
without the wrapper that checks every argument for a lazy translation first. A registration
page builds hundreds of attributes and texts this way (bench/README.md, issue 17).
"""

from __future__ import annotations

from html import escape


def esc(value: object) -> str:
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return escape(str(value))
