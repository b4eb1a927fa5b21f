"""gunicorn access log without NIK, KK or phone numbers.

The NIK check API carries the NIK in its path (``/api/v1/nik/{nik}/check``) and htmx fragments
carry what is typed in the query string, so the access log line is masked like every other
log line before it is written.
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
