#!/usr/bin/env bash
# The app server alone, as every host runs it: scripts/serve.sh, bench/scale_demo.py and the
# tests start it through this script, and docs/OPERATIONS.md documents it.
#   scripts/app_server.sh HOST PORT [WORKERS] [THREADS]
# granian by default; PRAKERJA_SERVER=gunicorn for gunicorn (gthread). Both log each request
# as one line masked like every other log line (NIK, KK, phone numbers).
set -euo pipefail
HOST="$1"; PORT="$2"; WORKERS="${3:-2}"; THREADS="${4:-${THREADS:-32}}"
cd "$(dirname "$0")/.."
BIN=.venv/bin
if [ "${PRAKERJA_SERVER:-granian}" = gunicorn ]; then
  exec $BIN/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
    --worker-class gthread --threads "$THREADS" --access-logfile - --log-level warning \
    --logger-class prakerja.core.gunicorn_logger.RedactingAccessLogger
fi
# A worker that dies is started again (gunicorn's arbiter does the same). The access log goes
# through the project's JSON formatter (config/granian_logging.json).
exec $BIN/granian --interface wsgi --host "$HOST" --port "$PORT" --workers "$WORKERS" \
  --blocking-threads "$THREADS" --respawn-failed-workers \
  --log-config config/granian_logging.json --access-log \
  --access-log-fmt '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).1f ms query="%(query_string)s"' \
  config.wsgi:application
