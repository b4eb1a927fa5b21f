"""Preparing a chunk of rows: validation, blind indexes and encryption, never a query.

Because nothing here touches the database, it may run in a thread of its own
(``_PipelinedChunks``) while the main thread writes the previous chunk.
"""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass
from typing import Any

from django.utils import translation

from prakerja.identity import crypto
from prakerja.labourdata.bulk import json_text
from prakerja.labourdata.models import ImportRow, Kind
from prakerja.labourdata.services.persons import NikIndexer
from prakerja.labourdata.spreadsheet import Table
from prakerja.labourdata.validation import RowValidator

Accepted = tuple[int, dict[str, str], dict[str, Any], str]  # index, cells, clean, nik_index


@dataclass
class PreparedChunk:
    """Rows ``[start, end)`` validated: what can be known without the database."""

    start: int
    end: int
    # ImportRow tuples of the rejected rows, their original cells already encrypted.
    rejected: list[tuple[Any, ...]]
    accepted: list[Accepted]
    # {nik_index: Fernet token of the NIK} for the accepted rows, when encrypted ahead.
    nik_tokens: dict[str, str]


class _ChunkPreparer:
    """Validates rows, computes blind indexes and encrypts — pure CPU, never a query, so it
    may run in a thread of its own (``_PipelinedChunks``)."""

    def __init__(
        self,
        table: Table,
        validator: RowValidator,
        indexer: NikIndexer,
        *,
        kind: str,
        batch_id: int,
        encrypt_niks: bool,
    ) -> None:
        self.table = table
        self.validator = validator
        self.indexer = indexer
        self.batch_id = batch_id
        self.encrypt_niks = encrypt_niks
        self.check = validator.worker_row if kind == Kind.WORKERS else validator.jps_row

    def __call__(self, start: int, end: int) -> PreparedChunk:
        table = self.table
        numeric = table.numeric_nik_rows
        row_numbers = table.row_numbers
        columns = list(table.cells.items())
        rejected: list[tuple[Any, ...]] = []
        accepted: list[Accepted] = []
        for index in range(start, end):
            cells = {key: (values[index] or "").strip() for key, values in columns}
            clean, errors = self.check(cells, numeric_nik=row_numbers[index] in numeric)
            if clean is None:
                rejected.append(
                    import_row(
                        table, self.batch_id, index, cells, ImportRow.Status.REJECTED, errors
                    )
                )
            else:
                accepted.append((index, cells, clean, self.indexer(clean["nik"])))
        tokens: dict[str, str] = {}
        if self.encrypt_niks:
            encrypt = crypto.encrypt
            for _index, _cells, clean, key in accepted:
                if key not in tokens:
                    tokens[key] = encrypt(clean["nik"])
        return PreparedChunk(start, end, rejected, accepted, tokens)


def cells_encrypt(table: Table, cells: dict[str, str]) -> str:
    """The original cells of a row under the file's own headers, Fernet-encrypted JSON."""
    original = {table.headers[key]: value for key, value in cells.items()}
    return crypto.encrypt(json.dumps(original, ensure_ascii=False))


def import_row(
    table: Table, batch_id: int, index: int, cells: dict[str, str], status: str, errors: list[Any]
) -> tuple[Any, ...]:
    """One ``ImportRow`` tuple. The original cells are kept (encrypted) only for rows a user
    may download and fix: rejected and duplicate rows. An accepted row's values are in its
    report; encrypting them again was half of the import's Fernet work."""
    return (
        batch_id,
        table.row_numbers[index],
        status,
        json_text(errors) if errors else "[]",
        "" if status == ImportRow.Status.ACCEPTED else cells_encrypt(table, cells),
    )


class _ChunkSource:
    def get(self, start: int, end: int) -> PreparedChunk:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _SerialChunks(_ChunkSource):
    """Prepares each chunk when it is asked for (inside its transaction)."""

    def __init__(self, prepare: _ChunkPreparer) -> None:
        self.prepare = prepare

    def get(self, start: int, end: int) -> PreparedChunk:
        return self.prepare(start, end)


@dataclass
class _Failed:
    error: BaseException


class _PipelinedChunks(_ChunkSource):
    """Prepares chunk after chunk in a background thread, one ahead of the writer.

    While the main thread waits for the database (the server's inserts, index updates and
    deferred foreign-key checks of chunk N), the thread validates and encrypts chunk N+1 on the
    other core. The queue holds one chunk, so at most three are in memory (written, queued,
    being prepared). The thread never touches the database: every write stays in the main
    thread's chunk transactions, so resuming, counts and "completed only with the last chunk"
    are those of the serial path. An exception in the thread is handed over through the queue
    and raised by ``get`` for the chunk it concerns.
    """

    def __init__(self, prepare: _ChunkPreparer, *, total: int, size: int, start: int) -> None:
        self.prepare = prepare
        self.total = total
        self.size = size
        # Messages in validation are translated: the thread uses the job's language.
        self.language = translation.get_language()
        self._launch(start)

    def _launch(self, start: int) -> None:
        self.next_start = start
        self.queue: queue.Queue[PreparedChunk | _Failed] = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=self._work,
            args=(start, self.queue, self.stop),
            name="labourdata-prepare",
            daemon=True,
        )
        self.thread.start()

    def _work(
        self, start: int, out: queue.Queue[PreparedChunk | _Failed], stop: threading.Event
    ) -> None:
        try:
            with translation.override(self.language):
                offset = start
                while offset < self.total and not stop.is_set():
                    end = min(offset + self.size, self.total)
                    if not _put(out, self.prepare(offset, end), stop):
                        return
                    offset = end
        except BaseException as error:  # handed to the main thread, which raises it
            _put(out, _Failed(error), stop)

    def get(self, start: int, end: int) -> PreparedChunk:
        if start != self.next_start:
            # Another run of the job got further meanwhile: prepare from where it is.
            self.close()
            self._launch(start)
        item = self.queue.get()
        if isinstance(item, _Failed):
            self.next_start = -1  # whatever follows, start over
            raise item.error
        if (item.start, item.end) != (start, end):  # pragma: no cover - a bug, not a state
            raise RuntimeError(f"prepared rows {item.start}-{item.end}, wanted {start}-{end}")
        self.next_start = end
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _put(out: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put ``item`` unless the consumer has stopped (it may never read again)."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.1)
        except queue.Full:
            continue
        return True
    return False
