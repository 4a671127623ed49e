"""Jobs that cannot get lost: started_at kept."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.imports.ledgers import messy_ledger
from zhaoshang.imports.models import ImportJob

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_bytes() -> bytes:
    buffer = io.BytesIO()
    messy_ledger(buffer)
    return buffer.getvalue()


def upload(client: Client, data: bytes) -> Any:
    file = SimpleUploadedFile("台账.xlsx", data, content_type=XLSX)
    return client.post("/imports/projects/", {"area": "411702", "file": file})


def test_it_records_when_a_job_started_and_does_not_overwrite_it(
    client_for: Callable[[str], Client], clusters: None
) -> None:
    before = timezone.now()
    upload(client_for("yc_staff"), ledger_bytes())

    job = ImportJob.objects.get()
    assert job.status == "succeeded"
    assert job.started_at is not None and job.finished_at is not None
    assert before <= job.created_at <= job.started_at <= job.finished_at
