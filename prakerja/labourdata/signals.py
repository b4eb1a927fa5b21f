"""Signals labourdata sends, for the apps above it that it must not import.

``import_batch_finished``: sent by the ``import_batch_run`` job once
``import_batch_process`` has returned for a batch (done now, or already done before: a re-run
sends it again). Keyword argument: ``batch_id`` (int). The linkage app opens JPS review cases
for a completed JPS list; receivers must be idempotent.
"""

from django.dispatch import Signal

import_batch_finished = Signal()
