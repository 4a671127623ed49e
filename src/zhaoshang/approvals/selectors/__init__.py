"""Every read of agency approvals, always scoped to the user first.

Split by subject like ``approvals.services``: ``catalogue``, ``items`` (the light
in SQL, the board, the tracker, 首页), ``clock`` (days used, paused, left;
promises), ``simulated``. Everything is re-exported here.
"""

from .catalogue import (
    CATALOGUE_SORTS,
    catalogue,
    catalogue_area,
    settings_of,
    type_or_404,
    types_visible_to,
)
from .clock import (
    Bar,
    bar_for,
    days_left,
    late_days,
    pause_days,
    promise_or_404,
)
from .items import (
    DEFAULT_SORT,
    DEFAULT_TOTAL_TARGET,
    DUE_SOON_WORKING_DAYS,
    ITEM_SORTS,
    LIGHT_RANK,
    TotalTime,
    due_soon_until,
    item_list,
    item_or_404,
    items_visible_to,
    light_case,
    my_items,
    open_pause,
    project_items,
    project_or_404,
    to_notify,
    total_time,
    with_light,
    yellow_until,
)
from .simulated import (
    issue_differences,
    land_of,
    simulated_count,
)

__all__ = [
    "CATALOGUE_SORTS",
    "DEFAULT_SORT",
    "DEFAULT_TOTAL_TARGET",
    "DUE_SOON_WORKING_DAYS",
    "ITEM_SORTS",
    "LIGHT_RANK",
    "Bar",
    "TotalTime",
    "bar_for",
    "catalogue",
    "catalogue_area",
    "days_left",
    "due_soon_until",
    "issue_differences",
    "item_list",
    "item_or_404",
    "items_visible_to",
    "land_of",
    "late_days",
    "light_case",
    "my_items",
    "open_pause",
    "pause_days",
    "project_items",
    "project_or_404",
    "promise_or_404",
    "settings_of",
    "simulated_count",
    "to_notify",
    "total_time",
    "type_or_404",
    "types_visible_to",
    "with_light",
    "yellow_until",
]
