"""Upload checks shared by evidence files: size, and type decided by content, not name."""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhaoshang.imports.safety import ImportFileError, check_members, inflate_bounded

#: extension → (content type, how to recognise the bytes)
ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
OOXML_MARKER = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def sniff(content: bytes) -> str | None:
    """The extension the bytes really are, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        for ext, marker in OOXML_MARKER.items():
            if marker in names:
                return ext
    return None


def check_upload(*, name: str, content: bytes) -> tuple[str, str]:
    """Return (content type, sha256) or raise ValidationError with a clear message."""
    limit = settings.ZHAOSHANG_MAX_UPLOAD_MB * 1024 * 1024
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if len(content) > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB.")
                % {"mb": settings.ZHAOSHANG_MAX_UPLOAD_MB}
            }
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError({"file": _("Only PDF, JPG, PNG, DOCX and XLSX files are accepted.")})
    real = sniff(content)
    if real is None or (real != ext and {real, ext} != {"jpg", "jpeg"}):
        raise ValidationError(
            {"file": _("The file's content is not a real .%(ext)s file.") % {"ext": ext}}
        )
    if real in OOXML_MARKER:
        _check_archive(content)
    return ALLOWED[ext], hashlib.sha256(content).hexdigest()


def _check_archive(content: bytes) -> None:
    """An Office file is a zip: the same bomb checks as an imported workbook (imports.safety)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_members(archive)
            inflate_bounded(archive)
    except (ImportFileError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValidationError(
            {
                "file": _(
                    "The file is not a normal Office document (it would unpack far beyond "
                    "its size, or it is damaged) and was refused."
                )
            }
        ) from exc


@contextmanager
def kept_only_if_committed() -> Iterator[list[Any]]:
    """Stored files listed here are deleted again if the block fails.

    A file is written to storage before its row commits; when the transaction
    around it is then refused (an illegal stage move with evidence attached),
    the row is rolled back and the file would stay on disk with nothing
    pointing at it. Use outside ``transaction.atomic()``; append each stored
    ``Attachment``.
    """
    stored: list[Any] = []
    try:
        yield stored
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
