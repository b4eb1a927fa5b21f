#!/usr/bin/env bash
# Serves the app with gunicorn and runs one db_worker beside it; Ctrl-C stops both.
set -euo pipefail
# Defaults from bench/README.md (2-core machine): 2 gthread workers x 32 threads; settings'
# SHED_MAX_CONCURRENT / SHED_WAIT_SECONDS let 4 requests per worker work and refuse the rest
# with 503. Every thread keeps its own database connection: keep workers x threads well under
# PostgreSQL's max_connections.
HOST="${1:-127.0.0.1}"; PORT="${2:-8000}"; WORKERS="${3:-2}"
BIN=.venv/bin

echo "Prakerja berjalan di  http://$HOST:$PORT/   (Ctrl-C untuk berhenti)"
echo

$BIN/python manage.py db_worker --no-startup-delay &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
exec_status=0
$BIN/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
  --worker-class gthread --threads "${THREADS:-32}" --access-logfile - --log-level warning \
  --logger-class prakerja.core.gunicorn_logger.RedactingAccessLogger || exec_status=$?
exit $exec_status
