"""The status line of an approval item as data for ``core.lifecycle``.

未启动 → 已申报 → 已受理 → 已办结, or 不予许可 with a reason; both final. Each
stage needs its date (申报日期, 受理日期, 办结日期), in order.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.lifecycle import DateOrder, Machine, NotFuture, Required, Side, Wording, given

from .choices import ITEM_MAIN, ItemStatus

ITEM = Machine(
    choices=ItemStatus,
    main=ITEM_MAIN,
    side={ItemStatus.REFUSED: Side(reason=_("Refusing a permit needs the reason."))},
    final={
        ItemStatus.APPROVED: _("A concluded item cannot move any more."),
        ItemStatus.REFUSED: _("A refused item cannot move any more."),
    },
    gates={
        ItemStatus.SUBMITTED: (
            Required(
                "submitted_on",
                _("Submitted on"),
                _("Submission needs its date."),
                present=given,
            ),
            NotFuture("submitted_on", _("The submission date cannot be in the future.")),
        ),
        ItemStatus.ACCEPTED: (
            Required(
                "accepted_on", _("Accepted on"), _("Acceptance needs its date."), present=given
            ),
            DateOrder("submitted_on", "accepted_on", _("Acceptance cannot be before submission.")),
            NotFuture("accepted_on", _("The acceptance date cannot be in the future.")),
        ),
        ItemStatus.APPROVED: (
            Required("done_on", _("Concluded on"), _("Conclusion needs its date."), present=given),
            DateOrder("accepted_on", "done_on", _("The conclusion cannot be before acceptance.")),
            NotFuture("done_on", _("The conclusion date cannot be in the future.")),
        ),
    },
    wording=Wording(
        already=_("The item already has this status."),
        back=_("Moving an item back needs a reason."),
    ),
    log="events",
    stage_field="status",
)
