"""The list pages' one sortable column header (``{% sort_th headers "name" _("Name") %}``).

Every list builds ``headers`` with ``core.web.list_context`` (or ``sort_headers``); a
header not in it (a column the selector cannot sort by) renders as plain text.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

_ARROWS = {"asc": "▲", "desc": "▼"}


@register.simple_tag
def sort_th(headers: dict[str, Any], key: str, label: str, css: str = "") -> str:
    """A ``<th>`` whose link sorts by ``key``, a second click reversing it; the arrow and
    ``aria-sort`` say which way the list is sorted by this column now."""
    header = (headers or {}).get(key)
    css_attr = format_html(' class="{}"', css) if css else ""
    if header is None:
        return format_html("<th{}>{}</th>", css_attr, label)
    aria = {"asc": "ascending", "desc": "descending"}.get(header.direction, "none")
    arrow = _ARROWS.get(header.direction, "")
    title = _("Sort by this column; click again to reverse")
    return format_html(
        '<th{} aria-sort="{}"><a class="sort" href="{}" title="{}">{}'
        '<span class="arrow">{}</span></a></th>',
        css_attr,
        aria,
        header.url,
        title,
        label,
        arrow,
    )
