"""Every write of agency approvals (全程代办), keyword-only with ``acting_user`` first.

Each function asks ``core.policy`` first (write, in the row's area), validates
before writing, checks the item's ``version`` (a stale one is a 409) and writes
its audit row in the same transaction; a refusal raises ValidationError and
writes nothing. Pauses and promises bump their item's version too: two agents
working on one item cannot silently overwrite each other.

Split by subject (the same in ``selectors``): ``catalogue`` (settings, item
types), ``items`` (plans, 代办员, moves), ``clock`` (pauses, 容缺 promises),
``simulated`` (land transfer, 模拟→正式, 批文). Everything is re-exported here, so
``services.item_move(...)`` keeps working.
"""

from .catalogue import (
    TYPE_FIELDS,
    item_type_create,
    item_type_update,
    promised_default,
    settings_save,
)
from .clock import (
    pause_close,
    pause_open,
    promise_add,
    promise_fulfil,
)
from .items import (
    STATUS_DATE,
    agent_change,
    item_move,
    plan_generate,
)
from .simulated import (
    has_land,
    item_convert,
    item_issue,
    project_land_transferred,
)

__all__ = [
    "STATUS_DATE",
    "TYPE_FIELDS",
    "agent_change",
    "has_land",
    "item_convert",
    "item_issue",
    "item_move",
    "item_type_create",
    "item_type_update",
    "pause_close",
    "pause_open",
    "plan_generate",
    "project_land_transferred",
    "promise_add",
    "promise_fulfil",
    "promised_default",
    "settings_save",
]
