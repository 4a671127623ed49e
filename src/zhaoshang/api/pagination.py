"""The list answer every route gives: ``count``, ``limit``, ``offset`` and the page's items.

Filters are a ``SortedPage`` (or any schema with ``limit`` and ``offset``); the
rows come already scoped to the caller from the app's selector.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet


def paged(
    rows: QuerySet[Any], filters: Any, item: Callable[[Any], Any], fields: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The list answer every route gives: ``count``, ``limit``, ``offset`` and the page's items.

    ``fields``: read the page as ``.values(*fields)`` dicts (``item`` gets a dict), while
    the count stays on ``rows`` without the joins those fields add.
    """
    page = (rows.values(*fields) if fields else rows)[
        filters.offset : filters.offset + filters.limit
    ]
    return {
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [item(row) for row in page],
    }
