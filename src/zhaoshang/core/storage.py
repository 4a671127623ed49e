"""Uploaded files through Django's storage API, in the database or on a local disk.

Several app servers and job workers share no disk: a ledger uploaded to one
server is imported by a worker on another. So every uploaded file is read and
written through ``FieldFile.open``/``save``/``delete`` (never ``.path``), and
the storage itself is chosen by ``ZHAOSHANG_FILE_STORAGE`` (settings.py):

- ``local``: ``FileSystemStorage`` under ``MEDIA_ROOT`` — one host only;
- ``db``: :class:`DatabaseStorage`, the bytes in the ``core.StoredFile`` table —
  every host that reaches the database reaches the files, a PostgreSQL backup
  holds them, and a file written inside a transaction that rolls back is gone
  with it. No new server for a bureau to run (docs/deploy.md, with figures
  from ``bench/storage.py``);
- ``s3``: any S3-compatible store through django-storages (documented, optional).

Code that needs a real file on disk (the spreadsheet reader) asks for a
temporary copy with :func:`local_copy`, which reads through the storage API.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from .models import StoredFile

#: bytes read from an upload per step while it is hashed and stored
CHUNK = 1024 * 1024


class StoredBytes(File):  # type: ignore[type-arg]
    """A stored file's bytes in memory, reopenable like a file on disk.

    ``FieldFile.open()`` on a field opened before reopens the file it holds;
    a plain ``File`` over ``BytesIO`` cannot be reopened once closed.
    """

    def __init__(self, data: bytes, *, name: str, mode: str = "rb") -> None:
        super().__init__(BytesIO(data), name=name)
        self.data = data
        self.mode = mode

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> StoredBytes:
        if self.closed:
            self.file = BytesIO(self.data)
        else:
            self.seek(0)
        return self


@deconstructible(path="zhaoshang.core.storage.DatabaseStorage")
class DatabaseStorage(Storage):
    """Files as rows of ``core.StoredFile``: one row a file, its bytes in one column.

    One column rather than chunk rows: uploads are capped at
    ``ZHAOSHANG_MAX_UPLOAD_MB`` (20 MB), which PostgreSQL's ``bytea`` and
    SQLite's blobs hold comfortably, and a single row is written or rolled back
    whole. Files are never served by URL — every download goes through a view
    that checks the reader's area first — so :meth:`url` refuses.
    """

    def _open(self, name: str, mode: str = "rb") -> File[bytes]:
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("DatabaseStorage opens files for reading only; save() writes them")
        content = StoredFile.objects.filter(name=name).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(f"No stored file named {name!r}")
        return StoredBytes(bytes(content), name=name, mode=mode)

    def _save(self, name: str, content: File[Any]) -> str:
        data, digest = _read_all(content)
        row = StoredFile(
            name=name,
            content=data,
            size=len(data),
            sha256=digest,
            created_at=timezone.now(),
        )
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:  # another process took the name since get_available_name
            row.name = self.get_available_name(name)
            row.save(force_insert=True)
        return row.name

    def exists(self, name: str) -> bool:
        return StoredFile.objects.filter(name=name).exists()

    def delete(self, name: str) -> None:
        StoredFile.objects.filter(name=name).delete()

    def size(self, name: str) -> int:
        size = StoredFile.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(f"No stored file named {name!r}")
        return int(size)

    def get_created_time(self, name: str) -> Any:
        created = StoredFile.objects.filter(name=name).values_list("created_at", flat=True).first()
        if created is None:
            raise FileNotFoundError(f"No stored file named {name!r}")
        return created

    get_modified_time = get_created_time

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        """Directories and files directly under ``path`` (names use ``/``)."""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        dirs: set[str] = set()
        files: list[str] = []
        for name in StoredFile.objects.filter(name__startswith=prefix).values_list(
            "name", flat=True
        ):
            head, slash, _rest = name[len(prefix) :].partition("/")
            if slash:
                dirs.add(head)
            else:
                files.append(head)
        return sorted(dirs), files

    def url(self, name: str | None) -> str:
        raise NotImplementedError(
            "Stored files are downloaded through views that check the reader's area"
        )


def _read_all(content: File[Any]) -> tuple[bytes, str]:
    """The upload's bytes and their SHA-256, read in steps from its start."""
    if hasattr(content, "seek"):
        content.seek(0)
    buffer = bytearray()
    digest = hashlib.sha256()
    for chunk in content.chunks(CHUNK):
        piece = chunk.encode() if isinstance(chunk, str) else chunk
        buffer += piece
        digest.update(piece)
    return bytes(buffer), digest.hexdigest()


@contextmanager
def local_copy(stored: FieldFile, *, suffix: str = "") -> Iterator[Path]:
    """A temporary file on this machine holding ``stored``'s bytes, removed afterwards.

    For readers that want a path (calamine, zipfile on a seekable file): the
    bytes come through the storage API (a fresh ``storage.open``, whatever the
    field holds open), so it works whatever the storage and wherever the file
    was uploaded. ``FileNotFoundError`` when it is gone or the field is empty.
    """
    if not stored.name:
        raise FileNotFoundError("The field holds no file")
    with tempfile.TemporaryDirectory(prefix="zhaoshang-") as tmp:
        target = Path(tmp) / f"file{suffix}"
        with stored.storage.open(stored.name, "rb") as source, target.open("wb") as out:
            _copy(source, out)
        yield target


def _copy(source: File[Any], out: IO[bytes]) -> None:
    if hasattr(source, "chunks"):
        for chunk in source.chunks(CHUNK):
            out.write(chunk)
    else:  # pragma: no cover — every storage returns a django File
        shutil.copyfileobj(source, out, CHUNK)
