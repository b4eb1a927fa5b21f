#!/usr/bin/env bash
# Serves the app with gunicorn and runs one db_worker beside it; Ctrl-C stops both.
set -euo pipefail
HOST="${1:-127.0.0.1}"; PORT="${2:-8000}"; WORKERS="${3:-3}"
BIN=.venv/bin

echo "Prakerja berjalan di  http://$HOST:$PORT/   (Ctrl-C untuk berhenti)"
echo

$BIN/python manage.py db_worker --no-startup-delay &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
exec_status=0
$BIN/gunicorn config.wsgi:application --bind "$HOST:$PORT" --workers "$WORKERS" \
  --worker-class gthread --threads "${THREADS:-12}" --access-logfile - --log-level warning \
  --logger-class prakerja.core.gunicorn_logger.RedactingAccessLogger || exec_status=$?
exit $exec_status
