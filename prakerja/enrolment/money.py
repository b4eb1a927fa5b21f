"""Rupiah as Indonesians write it: ``Rp 1.000.000``, ``−Rp 150.000`` (integer rupiah only)."""

from __future__ import annotations


def rupiah(amount: int, *, signed: bool = False) -> str:
    """``1000000`` → ``Rp 1.000.000``; ``signed``: ``+Rp 1.000.000`` / ``−Rp 150.000``."""
    value = int(amount)
    digits = f"{abs(value):,}".replace(",", ".")
    if value < 0:
        return f"\N{MINUS SIGN}Rp {digits}"
    return f"+Rp {digits}" if signed and value > 0 else f"Rp {digits}"
