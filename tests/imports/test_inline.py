"""Inline or worker: decided by the rows counted while reading, not by a sheet's <dimension>."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.imports.ledgers import (
    EXPECTED_NAMES,
    ledger_bytes,
    upload_ledger,
    with_dimension,
)
from zhaoshang.imports import safety
from zhaoshang.imports.models import ImportJob
from zhaoshang.imports.safety import count_rows, estimate_rows
from zhaoshang.projects.models import Project

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_it_counts_rows_while_reading_and_stops_past_the_limit(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lie.xlsx"
    path.write_bytes(with_dimension(ledger_bytes(), "A1:B2"))

    assert estimate_rows(path) == 2  # what the sheet declares
    assert count_rows(path, stop_after=10_000) == 18  # what it holds (row 6 is empty)
    assert count_rows(path, stop_after=5) == 6
    monkeypatch.setattr(safety, "COUNT_CHUNK", 7)  # tags cut across chunks count once
    assert count_rows(path, stop_after=10_000) == 18


def test_it_hands_a_file_whose_dimension_lies_to_the_worker(
    client_for: Callable[[str], Client],
    clusters: None,
    settings: Any,
    huey_inline: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.ZHAOSHANG_IMPORT_INLINE_ROWS = 10  # the ledger holds 18 rows, declares 2
    client = client_for("yc_staff")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload_ledger(client, with_dimension(ledger_bytes(), "A1:B2"))

    job = ImportJob.objects.get()
    assert (job.status, job.started_at, len(callbacks)) == ("queued", None, 1)
    assert not Project.objects.filter(name__in=EXPECTED_NAMES).exists()
    callbacks[0]()  # committed: the worker runs it
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("succeeded", 6)


def test_it_still_imports_a_small_file_inline_whatever_its_dimension_says(
    client_for: Callable[[str], Client], clusters: None, settings: Any
) -> None:
    settings.ZHAOSHANG_IMPORT_INLINE_ROWS = 18
    upload_ledger(client_for("yc_staff"), with_dimension(ledger_bytes(), "A1:P600000"))

    assert ImportJob.objects.get().status == "succeeded"
