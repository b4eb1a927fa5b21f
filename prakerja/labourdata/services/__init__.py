"""Writes of the labour-data domain: uploading a list, and the job that imports it.

The import is built so that nothing is lost and nothing doubled:

* the upload is keyed by the file's SHA-256 (``ImportBatch`` is unique per kind and hash): the
  same file again returns the existing batch and changes nothing;
* the job stores the rows in chunks, each in one transaction together with the batch's
  ``rows_done``, and every chunk is keyed by ``(batch, row_number)``. A job killed half-way has
  committed whole chunks only; running it again continues at ``rows_done``. The job holds a
  lease (``core.jobs``), renewed with every chunk: when its worker dies the lease runs out and
  another worker's reaper enqueues the job again, which continues the same way;
* ``status = completed`` is written in the transaction of the last chunk, so a batch that says
  "selesai" holds every row of its file, and one that does not is visibly unfinished;
* a file that cannot be read as a whole fails before any row is stored, with its reason.

Persons are created in bulk (blind index + Fernet per NIK, insert-or-ignore on ``nik_index``),
never one ORM save per row, and never more than a few chunks of rows are held in memory as
objects. On PostgreSQL the next chunk is validated and encrypted in a background thread while
this one is written (``_PipelinedChunks``); the thread never queries, so everything above holds
for it unchanged.

The modules: ``upload`` (accepting a file, queueing its job), ``pipeline`` (the job: chunk
transactions, lease, resuming), ``chunks`` (validating and encrypting rows, in a thread on
PostgreSQL), ``store`` (writing a prepared chunk) and ``persons`` (blind indexes and persons in
bulk). The public services are re-exported here.
"""

from __future__ import annotations

from prakerja.labourdata.services.persons import NikIndexer, person_ids_ensure
from prakerja.labourdata.services.pipeline import import_batch_process
from prakerja.labourdata.services.upload import (
    UploadResult,
    import_batch_resume,
    import_batch_upload,
)

__all__ = [
    "NikIndexer",
    "UploadResult",
    "import_batch_process",
    "import_batch_resume",
    "import_batch_upload",
    "person_ids_ensure",
]
