"""The pre-unzip checks: bombs, impostors and oversized files are refused before reading."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import gettext

from tests.imports.ledgers import messy_ledger, zip_bomb
from zhaoshang.core.models import Area
from zhaoshang.imports import safety
from zhaoshang.imports.forms import UploadForm
from zhaoshang.imports.safety import ImportFileError, check_workbook, estimate_rows


def refusal(source: Path | io.BytesIO) -> str:
    with pytest.raises(ImportFileError) as caught:
        check_workbook(source)
    return str(caught.value)


def test_it_accepts_a_real_ledger_and_counts_its_rows(tmp_path: Path) -> None:
    path = messy_ledger(tmp_path / "l.xlsx")
    facts = check_workbook(path)
    assert facts.entries > 3 and "xl/worksheets/sheet1.xml" in facts.sheet_parts
    assert estimate_rows(path) == 19


def test_it_refuses_a_zip_bomb_before_inflating_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = zip_bomb(tmp_path / "台账.xlsx", inflated_mb=60)
    assert bomb.stat().st_size < 200_000
    inflated: list[str] = []
    monkeypatch.setattr(safety, "inflate_bounded", lambda archive: inflated.append("opened"))

    message = refusal(bomb)

    assert "xl/worksheets/sheet1.xml" in message
    assert inflated == []


def test_it_refuses_a_workbook_too_big_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "MAX_UNCOMPRESSED_BYTES", 4096)
    message = refusal(messy_ledger(tmp_path / "l.xlsx"))
    assert message == gettext(
        "Unpacked, the workbook would exceed %(max)d MB. Split the ledger into smaller files."
    ) % {"max": 0}


def test_it_refuses_a_file_over_the_one_upload_limit(tmp_path: Path, settings: Any) -> None:
    settings.ZHAOSHANG_MAX_UPLOAD_MB = 0
    assert refusal(messy_ledger(tmp_path / "l.xlsx")) == gettext(
        "The file is %(size)d MB; at most %(max)d MB can be imported."
    ) % {"size": 1, "max": 0}


def test_the_upload_form_states_the_limit_from_the_setting(settings: Any) -> None:
    settings.ZHAOSHANG_MAX_UPLOAD_MB = 7
    form = UploadForm(areas=Area.objects.none())
    assert str(form.fields["file"].help_text).startswith(
        gettext("At most %(mb)d MB. Download the template to see the recognised headers.")
        % {"mb": 7}
    )


def test_it_refuses_too_many_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_ENTRIES", 3)
    assert "3" in refusal(messy_ledger(tmp_path / "l.xlsx"))


def test_it_refuses_a_csv_renamed_to_xlsx_with_a_clear_message(tmp_path: Path) -> None:
    fake = tmp_path / "台账.xlsx"
    fake.write_text("项目名称,总投资\n甲,100\n", encoding="utf-8")
    assert refusal(fake) == gettext(
        "The file is not an Excel workbook (.xlsx); its content does not match its name. "
        "Save the ledger as .xlsx in Excel or WPS and import that file."
    )


def test_it_names_an_old_xls_file(tmp_path: Path) -> None:
    old = tmp_path / "台账.xlsx"
    old.write_bytes(safety.OLE2_MAGIC + b"\0" * 600)
    assert ".xls" in refusal(old)


def test_it_refuses_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert refusal(buffer) == gettext("This is a Word document, not an Excel workbook (.xlsx).")


def test_it_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "e.xlsx"
    empty.write_bytes(b"")
    assert refusal(empty) == gettext("The file is empty.")


def test_it_catches_a_directory_that_understates_a_member(tmp_path: Path) -> None:
    """A member declared tiny in both headers inflates past it: the CRC check refuses it."""
    path = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 200_000)
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            name_length = struct.unpack_from(
                "<H", data, at + (26 if signature == b"PK\x03\x04" else 28)
            )[0]
            start = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[start : start + name_length] == b"xl/worksheets/sheet1.xml":
                struct.pack_into("<I", data, at + offset, 1000)
            at += 4
    path.write_bytes(bytes(data))

    damaged = gettext("The file is damaged and cannot be read as an Excel workbook (%(detail)s).")
    assert refusal(path).startswith(damaged.split("%")[0])
