"""Schemas every API router shares (django-ninja), so that no app imports a sibling's api."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str = Field(..., description="Kode galat yang stabil, mis. registration.nik_taken")
    message: str = Field(..., description="Pesan dalam bahasa Indonesia")
    field: str | None
    errors: list[dict[str, Any]] = []
