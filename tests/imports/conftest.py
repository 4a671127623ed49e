"""Fixtures of the import tests: uploads land in a temporary media directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY

from tests.imports.ledgers import ensure_clusters


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def clusters(db: None) -> None:
    ensure_clusters()


@pytest.fixture
def huey_inline() -> Iterator[None]:
    """Queued tasks run at once, in this process (huey's immediate mode, memory storage)."""
    was = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = was
