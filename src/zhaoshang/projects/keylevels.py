"""A project's key-project level (省/市/区重点) in a year: a registry this app owns.

Whether a project is a key project is a fact *of a year*: the highest level
among that year's key-project lists it sits in (省 > 市 > 区), else none
(DOMAIN.md §2–3). The lists belong to ``construction``, an app above this
one, so ``projects`` cannot read them itself: ``construction`` registers a
``KeyLevelSource`` from its ``AppConfig.ready()``, as it fills ``panels``.

Everything here is SQL over a queryset (a correlated subquery per project),
so a list page, its level filter and its export stay one query however many
rows they show. Without a registered source every project is "not a key
project" (the app still works on its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Expression, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import KeyLevel
from .models import Project

#: the annotation ``with_key_level`` adds: the level's value ("" when none)
KEY_LEVEL_OF_YEAR = "key_level_of_year"

#: ``level_expression(year)``: SQL giving the top level of ``OuterRef("pk")`` in ``year`` or NULL
LevelExpression = Callable[[int], Expression | Subquery]
#: ``history(project)``: ``(year, level)`` of every year it sits in a list, newest first
LevelHistory = Callable[[Project], list[tuple[int, str]]]
#: ``list_url(project, year, level)``: the page of that list (where the level is changed)
ListUrl = Callable[[Project, int, str], str]


@dataclass(frozen=True)
class KeyLevelSource:
    level_expression: LevelExpression
    history: LevelHistory
    list_url: ListUrl


_SOURCE: list[KeyLevelSource] = []


def register_key_level_source(source: KeyLevelSource) -> None:
    """Called from the owning app's ``ready()``; registering again replaces (autoreload-safe)."""
    _SOURCE[:] = [source]


def current_year() -> int:
    return timezone.localdate().year


#: the years a ledger's key-project level can be asked for
MIN_YEAR, MAX_YEAR = 2000, 2100


def year_or_current(value: Any) -> int:
    """A ``?year=`` value as a year 2000–2100, else this year (a bad value is not an error)."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return current_year()
    return year if MIN_YEAR <= year <= MAX_YEAR else current_year()


def level_expression(year: int) -> Expression:
    if not _SOURCE:
        return Value(KeyLevel.NONE)
    return Coalesce(_SOURCE[0].level_expression(year), Value(KeyLevel.NONE))


def with_key_level(projects: QuerySet[Project], year: int) -> QuerySet[Project]:
    """Annotate ``key_level_of_year`` (a ``KeyLevel`` value, "" for none) for ``year``."""
    return projects.annotate(**{KEY_LEVEL_OF_YEAR: level_expression(year)})


def filter_key_level(projects: QuerySet[Project], year: int, level: str) -> QuerySet[Project]:
    """Projects whose level in ``year`` is ``level`` (``KeyLevel.NONE``: in no list that year)."""
    return with_key_level(projects, year).filter(**{KEY_LEVEL_OF_YEAR: level})


def key_projects_of(projects: QuerySet[Project], year: int) -> QuerySet[Project]:
    """Projects in some key-project list of ``year``."""
    return with_key_level(projects, year).exclude(**{KEY_LEVEL_OF_YEAR: KeyLevel.NONE})


def key_level_of(project: Project, year: int) -> str:
    """One project's level in ``year``: the row's ``key_level_of_year`` when a queryset of
    that same year annotated it (a list page: no query per row), else one query."""
    annotated = getattr(project, KEY_LEVEL_OF_YEAR, None)
    if annotated is not None:
        return str(annotated)
    found = with_key_level(Project.objects.filter(pk=project.pk), year).values_list(
        KEY_LEVEL_OF_YEAR, flat=True
    )
    return str(found.first() or KeyLevel.NONE)


def key_level_label(level: str) -> str:
    return str(KeyLevel(level).label) if level in KeyLevel.values else level


def key_level_history(project: Project) -> list[tuple[int, str]]:
    """``(year, level)`` for every year the project sits in a key list, newest first."""
    return _SOURCE[0].history(project) if _SOURCE else []


def key_list_url(project: Project, year: int, level: str) -> str:
    """Where that year's list of that level is kept ("" without a source)."""
    return _SOURCE[0].list_url(project, year, level) if _SOURCE else ""
