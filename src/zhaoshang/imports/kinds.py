"""What every importer returns and receives, and which importer handles which kind.

An importer is a function ``(*, path, area, acting_user, dry_run, progress,
file_name, estimate) -> ImportOutcome``. It reads the file with
``imports.reading``, reports every bad cell to ``outcome.errors`` and writes
nothing unless there are none, in one transaction. Adding a kind (monthly
investment, say) means one entry in ``ImportKind`` and one in ``KINDS``.

A kind may declare extra options (``KindSpec.options``, e.g. ``("year",)`` for
monthly investment): they are asked for on the upload page and the CLI, kept on
the job, and passed as keyword arguments to that kind's importer only, so an
importer that declares none keeps the plain signature.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.utils.module_loading import import_string

from zhaoshang.core.models import Area, User

from .choices import ImportKind, JobPhase
from .errors import ErrorCollector


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    total_rows: int = 0
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    notes: list[str] = field(default_factory=list)
    #: people (人员库) the import creates (or, on a dry run, would create), as “name（post）”
    new_persons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Progress(Protocol):
    def __call__(self, *, processed: int, total: int, phase: str = JobPhase.READING) -> None: ...


def no_progress(*, processed: int, total: int, phase: str = JobPhase.READING) -> None:
    """For callers that show no progress bar (tests, the benchmark)."""


class Importer(Protocol):
    def __call__(
        self,
        *,
        path: Path,
        area: Area,
        acting_user: User | None,
        dry_run: bool,
        progress: Progress,
        file_name: str = "",
        estimate: int = 0,
        **options: Any,
    ) -> ImportOutcome: ...


@dataclass(frozen=True)
class Template:
    """The downloadable template of a kind: its headers, example rows and help lines."""

    file_name: str
    sheet: str
    headers: Sequence[str]
    examples: Sequence[Sequence[Any]]
    help: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class KindSpec:
    importer: str  # dotted path to an Importer
    template: str  # dotted path to a function returning a Template
    options: tuple[str, ...] = ()  # extra keyword arguments the importer takes (see OPTIONS)


#: every extra option a kind may declare: name → type of its value
OPTIONS: dict[str, type] = {"year": int}


KINDS: dict[str, KindSpec] = {
    ImportKind.PROJECTS: KindSpec(
        importer="zhaoshang.projects.importing.import_ledger",
        template="zhaoshang.projects.importing.template",
    ),
    ImportKind.INVESTMENTS: KindSpec(
        importer="zhaoshang.construction.importing.import_investments",
        template="zhaoshang.construction.importing.template",
        options=("year",),
    ),
    ImportKind.CAPITAL: KindSpec(
        importer="zhaoshang.construction.importing.capital.import_capital",
        template="zhaoshang.construction.importing.capital.template",
        options=("year",),
    ),
    ImportKind.ACTUALS: KindSpec(
        importer="zhaoshang.targets.importing.import_actuals",
        template="zhaoshang.targets.importing.template",
        options=("year",),
    ),
}


def importer_for(kind: str) -> Importer:
    function: Importer = import_string(KINDS[kind].importer)
    return function


def template_for(kind: str) -> Template:
    build: Callable[[], Template] = import_string(KINDS[kind].template)
    return build()
