"""One way to hash a secret we must recognise but never store (API keys, Authorization
headers): SHA-256, hex. The keys are long random strings, so no salt or slow hash is needed."""

from __future__ import annotations

import hashlib


def secret_hash(value: str) -> str:
    """The hex SHA-256 of ``value`` (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
