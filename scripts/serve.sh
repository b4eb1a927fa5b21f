#!/usr/bin/env bash
# Serves the app with granian (PRAKERJA_SERVER=gunicorn for gunicorn), with one db_worker and
# the periodic-job scheduler beside it; Ctrl-C stops all three.
set -euo pipefail
# Defaults from bench/README.md (2-core machine): 2 worker processes x 32 threads; settings'
# SHED_MAX_CONCURRENT / SHED_WAIT_SECONDS let 4 requests per worker work and refuse the rest
# with 503. Every thread keeps its own database connection: keep workers x threads well under
# PostgreSQL's max_connections. granian, not gunicorn, by the benchmark: the same app and
# threads cost 17-25 % less app CPU per registration (bench/README.md, 2026-12-06).
HOST="${1:-127.0.0.1}"; PORT="${2:-8000}"; WORKERS="${3:-2}"
BIN=.venv/bin

echo "Prakerja berjalan di  http://$HOST:$PORT/   (Ctrl-C untuk berhenti)"
# The demo sends no real SMS: sign-in codes land in the outbox, which staff see only masked.
echo "Kode masuk lewat SMS (demo): $BIN/python manage.py demo_sms_code NOMOR_HP"
echo

$BIN/python manage.py db_worker --no-startup-delay &
WORKER=$!
# Enqueues the periodic jobs (pruning, appointment reminders) when due: docs/OPERATIONS.md.
$BIN/python manage.py scheduler &
SCHEDULER=$!
trap 'kill $WORKER $SCHEDULER 2>/dev/null || true' EXIT INT TERM
exec_status=0
bash scripts/app_server.sh "$HOST" "$PORT" "$WORKERS" || exec_status=$?
exit $exec_status
