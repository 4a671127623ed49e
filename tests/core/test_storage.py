"""Uploaded files in the database (core.storage): the storage API, transactions, the setting."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import FileField
from django.db.models.fields.files import FieldFile

from zhaoshang import settings as zs
from zhaoshang.core.models import StoredFile
from zhaoshang.core.storage import DatabaseStorage, local_copy

pytestmark = pytest.mark.django_db

DB_STORAGE = "zhaoshang.core.storage.DatabaseStorage"


def test_it_saves_reads_sizes_and_deletes_a_file() -> None:
    storage = DatabaseStorage()
    data = bytes(range(256)) * 5000  # 1.28 MB: more than one read step

    name = storage.save("imports/2026/11/a.xlsx", ContentFile(data))

    row = StoredFile.objects.get(name=name)
    assert (name, row.size, row.sha256) == (
        "imports/2026/11/a.xlsx",
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert storage.exists(name) and storage.size(name) == len(data)
    with storage.open(name) as handle:
        assert handle.read() == data
    assert storage.listdir("imports/2026") == (["11"], [])
    assert storage.listdir("imports/2026/11/") == ([], ["a.xlsx"])
    storage.delete(name)
    assert not storage.exists(name) and not StoredFile.objects.exists()
    storage.delete(name)  # deleting what is gone is no error (a rolled-back upload)


def test_it_never_overwrites_a_file_of_the_same_name() -> None:
    storage = DatabaseStorage()
    first = storage.save("projects/x.png", ContentFile(b"first"))
    second = storage.save("projects/x.png", ContentFile(b"second"))

    assert first == "projects/x.png" and second != first and second.startswith("projects/x_")
    assert storage.open(first).read() == b"first" and storage.open(second).read() == b"second"


def test_it_refuses_missing_files_writes_in_place_and_urls() -> None:
    storage = DatabaseStorage()
    with pytest.raises(FileNotFoundError):
        storage.open("nope.xlsx")
    with pytest.raises(FileNotFoundError):
        storage.size("nope.xlsx")
    name = storage.save("a.txt", ContentFile(b"x"))
    with pytest.raises(ValueError, match="reading only"):
        storage.open(name, "wb")
    with pytest.raises(NotImplementedError):
        storage.url(name)
    with pytest.raises(NotImplementedError):
        storage.path(name)  # nothing may read an upload by path: no shared disk
    assert bytes(StoredFile.objects.get().content) == b"x"


def test_it_forgets_a_file_saved_in_a_transaction_that_rolls_back() -> None:
    storage = DatabaseStorage()
    with pytest.raises(RuntimeError), transaction.atomic():
        storage.save("imports/lost.xlsx", ContentFile(b"PK"))
        raise RuntimeError("the job row was refused")

    assert not storage.exists("imports/lost.xlsx")


def test_it_reopens_a_stored_file_and_gives_a_local_copy_through_the_storage_api() -> None:
    storage = DatabaseStorage()
    name = storage.save("a.xlsx", ContentFile(b"PK\x03\x04 bytes"))
    stored = FieldFile(None, FileField(storage=storage), name)
    with stored.open("rb") as first:
        assert first.read() == b"PK\x03\x04 bytes"
    with stored.open("rb") as again:  # a FileResponse after a check reopens the field
        assert again.read() == b"PK\x03\x04 bytes"

    with local_copy(stored, suffix=".xlsx") as path:
        assert path.suffix == ".xlsx" and path.read_bytes() == b"PK\x03\x04 bytes"
    assert not path.exists()
    with pytest.raises(FileNotFoundError), local_copy(FieldFile(None, FileField(), "")):
        pass


@pytest.mark.parametrize(
    ("kind", "backend"),
    [("local", "django.core.files.storage.FileSystemStorage"), ("db", DB_STORAGE)],
)
def test_it_chooses_the_storage_by_setting(kind: str, backend: str) -> None:
    assert zs.file_storage(kind)["BACKEND"] == backend


def test_it_refuses_an_unknown_storage_and_s3_without_django_storages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ImproperlyConfigured, match="local, db or s3"):
        zs.file_storage("nfs")
    monkeypatch.setattr(zs.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImproperlyConfigured, match="django-storages"):
        zs.file_storage("s3")


def test_it_builds_the_s3_options_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zs.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setenv("ZHAOSHANG_S3_BUCKET", "zhaoshang-files")
    monkeypatch.setenv("ZHAOSHANG_S3_ENDPOINT_URL", "https://oss.example.gov.cn")
    monkeypatch.setenv("ZHAOSHANG_S3_SECRET_KEY", "s3cret")

    chosen = zs.file_storage("s3")

    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    options = chosen["OPTIONS"]
    assert isinstance(options, dict)
    assert options["bucket_name"] == "zhaoshang-files"
    assert options["endpoint_url"] == "https://oss.example.gov.cn"
    assert options["secret_key"] == "s3cret" and options["default_acl"] is None
