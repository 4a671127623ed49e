"""Check an uploaded workbook before anything unzips it.

An .xlsx file is a zip archive. A hostile or broken one can claim gigabytes
once inflated (a "zip bomb"), or not be a workbook at all. The checks run in
this order, each with a message a bureau clerk can act on:

1. size on disk ≤ ``ZHAOSHANG_MAX_UPLOAD_MB`` (the one upload limit, default 20 MB);
2. the bytes are a zip archive (an old .xls, a CSV or a renamed Word file is named as such);
3. from the zip's central directory alone — nothing inflated yet — at most
   ``MAX_ENTRIES`` members, ≤ ``MAX_UNCOMPRESSED_BYTES`` (200 MB) declared in
   all, no member inflating more than ``MAX_RATIO`` times, nothing encrypted,
   and the parts every workbook has (``[Content_Types].xml``, ``xl/workbook.xml``);
4. then every member is inflated once, in 1 MB steps and bounded by the sizes
   the directory declared, checking its CRC — so a directory that lies about
   sizes is caught here instead of inside the spreadsheet reader.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ENTRIES = 2000
#: Apache POI's default too: real sheets compress 5–30×, bombs 1000× and more.
MAX_RATIO = 100
#: The ratio is only meaningful for members big enough to hurt.
RATIO_GRACE_BYTES = 1024 * 1024
CHUNK = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
DIMENSION_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
#: a row element's start tag (``<row r="7" …>``, ``<x:row>``); ``<rowBreaks>`` is not one
ROW_RE = re.compile(rb"<(?:\w+:)?row[\s/>]")
#: rows are counted in steps this large, so counting stops soon after the limit
COUNT_CHUNK = 64 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


@dataclass(frozen=True)
class WorkbookFacts:
    size: int
    uncompressed: int
    entries: int
    sheet_parts: tuple[str, ...]


def max_file_bytes() -> int:
    """The one upload limit (``ZHAOSHANG_MAX_UPLOAD_MB``), for ledgers and evidence alike."""
    return int(settings.ZHAOSHANG_MAX_UPLOAD_MB) * 1024 * 1024


def _mb(n: int) -> int:
    return n // (1024 * 1024)


def check_workbook(source: str | Path | IO[bytes], *, size: int | None = None) -> WorkbookFacts:
    """Raise ImportFileError unless ``source`` is a plausible, bounded .xlsx workbook."""
    if size is None:
        size = Path(source).stat().st_size if isinstance(source, str | Path) else _size_of(source)
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    if size > max_file_bytes():
        raise ImportFileError(
            _("The file is %(size)d MB; at most %(max)d MB can be imported.")
            % {"size": _mb(size) or 1, "max": settings.ZHAOSHANG_MAX_UPLOAD_MB}
        )
    head = _head(source)
    if not head.startswith(ZIP_MAGIC):
        raise ImportFileError(_not_xlsx_message(head))
    try:
        with _open_zip(source) as archive:
            facts = _check_directory(archive, size)
            inflate_bounded(archive)
    except zipfile.BadZipFile as exc:
        raise ImportFileError(
            _("The file is damaged and cannot be read as an Excel workbook (%(detail)s).")
            % {"detail": str(exc)[:120]}
        ) from exc
    return facts


def _size_of(stream: IO[bytes]) -> int:
    position = stream.tell()
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(position)
    return size


def _head(source: str | Path | IO[bytes]) -> bytes:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return handle.read(8)
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    return head


def _open_zip(source: str | Path | IO[bytes]) -> zipfile.ZipFile:
    if not isinstance(source, str | Path):
        source.seek(0)
    return zipfile.ZipFile(source)


def _not_xlsx_message(head: bytes) -> str:
    if head.startswith(OLE2_MAGIC):
        return _(
            "This is an old-format .xls workbook or a password-protected one. "
            "Open it in Excel or WPS, remove any password and save it as .xlsx, then import again."
        )
    if head.startswith(b"%PDF"):
        return _("This is a PDF file, not an Excel workbook (.xlsx).")
    return _(
        "The file is not an Excel workbook (.xlsx); its content does not match its name. "
        "Save the ledger as .xlsx in Excel or WPS and import that file."
    )


def _check_directory(archive: zipfile.ZipFile, size: int) -> WorkbookFacts:
    """Everything that can be judged from the central directory, before inflating a byte."""
    members = archive.infolist()
    total = check_members(archive)
    names = {member.filename for member in members}
    if not all(part in names for part in REQUIRED_PARTS):
        if "word/document.xml" in names:
            raise ImportFileError(_("This is a Word document, not an Excel workbook (.xlsx)."))
        raise ImportFileError(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
    sheets = tuple(
        sorted(
            (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")),
            key=_natural,
        )
    )
    return WorkbookFacts(size=size, uncompressed=total, entries=len(members), sheet_parts=sheets)


def check_members(archive: zipfile.ZipFile) -> int:
    """The central-directory checks any Office file (.xlsx, .docx) gets; the declared total.

    Too many parts, encryption, a total or a part that would inflate beyond the
    limits: refused before a byte is inflated. Evidence uploads use it too.
    """
    members = archive.infolist()
    if len(members) > MAX_ENTRIES:
        raise ImportFileError(
            _("The workbook holds %(n)d parts; at most %(max)d are accepted.")
            % {"n": len(members), "max": MAX_ENTRIES}
        )
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ImportFileError(
                _("The workbook is encrypted. Remove the password in Excel and import again.")
            )
        total += member.file_size
        if total > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(
                _(
                    "Unpacked, the workbook would exceed %(max)d MB. Split the ledger into "
                    "smaller files."
                )
                % {"max": _mb(MAX_UNCOMPRESSED_BYTES)}
            )
        if member.file_size > RATIO_GRACE_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ImportFileError(
                _(
                    "The workbook part “%(name)s” would inflate %(ratio)d times; that is not a "
                    "normal spreadsheet and was refused."
                )
                % {
                    "name": member.filename[:80],
                    "ratio": member.file_size // max(member.compress_size, 1),
                }
            )
    return total


def _natural(name: str) -> tuple[int, str]:
    digits = re.findall(r"\d+", name)
    return (int(digits[-1]) if digits else 0, name)


def inflate_bounded(archive: zipfile.ZipFile) -> None:
    """Inflate each member once, never past its declared size, verifying its CRC.

    ``ZipExtFile`` stops at the declared size and raises BadZipFile on a CRC
    mismatch, so a directory that understates a member cannot slip through.
    """
    for member in archive.infolist():
        with archive.open(member) as stream:
            while stream.read(CHUNK):
                pass


def _worksheets(archive: zipfile.ZipFile) -> list[str]:
    return [
        n
        for n in archive.namelist()
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and "/_rels/" not in n
    ]


def estimate_rows(source: str | Path | IO[bytes]) -> int | None:
    """Rows in the workbook's sheets, from each sheet's ``<dimension>`` (no full parse).

    Only what a sheet *declares*: the progress bar's first guess of the total.
    Whether a file runs inline is decided by ``count_rows``, since a sheet can
    declare ``A1:B2`` and hold 600,000 rows. ``None`` when a sheet carries no
    dimension (some generators omit it).
    """
    total = 0
    with _open_zip(source) as archive:
        for name in _worksheets(archive):
            with archive.open(name) as stream:
                head = stream.read(8192)
            match = DIMENSION_RE.search(head)
            if match is None:
                return None
            total += int(match.group(1) or 1)
    return total


def count_rows(source: str | Path | IO[bytes], *, stop_after: int) -> int:
    """Rows of every worksheet, counted from their ``<row>`` elements as the sheets inflate.

    Reading stops as soon as more than ``stop_after`` rows are seen (the answer
    is then ``stop_after + 1``), so a huge sheet costs no more than a small one:
    no sheet is parsed, and only the first rows' bytes are inflated. Hidden
    sheets and empty formatted rows count too, which errs towards the worker.
    """
    total = 0
    with _open_zip(source) as archive:
        for name in _worksheets(archive):
            with archive.open(name) as stream:
                carry = b""
                while chunk := stream.read(COUNT_CHUNK):
                    buffer = carry + chunk
                    # a tag cut by the chunk's end starts at its last "<": count it next time
                    cut = buffer.rfind(b"<")
                    cut = len(buffer) if cut < 0 else cut
                    total += len(ROW_RE.findall(buffer, 0, cut))
                    carry = buffer[cut:]
                    if total > stop_after:
                        return stop_after + 1
                total += len(ROW_RE.findall(carry))
            if total > stop_after:
                return stop_after + 1
    return total
