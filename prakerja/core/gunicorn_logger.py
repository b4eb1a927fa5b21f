"""gunicorn access log without NIK, KK or phone numbers.

The NIK check takes the NIK in a POST body since issue 11, but the KK check still carries the KK
in its path and a client may put anything in a URL, so the access log line is masked like every
other log line before it is written.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from prakerja.core.logging import redact


class RedactingAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
