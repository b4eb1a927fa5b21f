"""Indexes that hold only the rows where a column is set (issue 17).

A column empty on most rows (a draft's ``submitted_at``, an online registration's post, an
applicant's staff bindings) costs every write an index entry that no query reads, since every
query on it asks for a value (equality, ``IN``, a range, ``IS NOT NULL``). A partial index
``WHERE column IS NOT NULL`` serves those queries and skips those writes.
"""

from __future__ import annotations

from django.db import models


def index_where_set(*fields: str, name: str, set_field: str | None = None) -> models.Index:
    """An index on ``fields`` holding only the rows where ``set_field`` (by default the last
    of ``fields``) is not null."""
    column = set_field or fields[-1]
    return models.Index(
        fields=list(fields), name=name, condition=models.Q(**{f"{column}__isnull": False})
    )
