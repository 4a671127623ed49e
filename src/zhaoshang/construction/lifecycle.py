"""The reserve pipeline (项目储备, DOMAIN.md §3) as data for ``core.lifecycle``.

筛选→论证→包装→申报→储备→纳入(省/市重点); 否决 from any open stage with a
reason. 纳入 and 否决 are final. 纳入 needs the key list applied for (city or
provincial). A rejection without a reason is an illegal move (reported on
``to_stage``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.lifecycle import Machine, Required, Side, Wording

from .choices import CITY_OR_ABOVE, RESERVE_MAIN, ReserveStage


def _city_or_provincial(level: str) -> bool:
    return level in CITY_OR_ABOVE


RESERVE = Machine(
    choices=ReserveStage,
    main=RESERVE_MAIN,
    side={ReserveStage.REJECTED: Side(reason=_("Rejecting an item needs a reason."))},
    final={
        ReserveStage.REJECTED: _("A rejected item cannot move any more."),
        ReserveStage.INCLUDED: _("An item included in a key list cannot move any more."),
    },
    gates={
        ReserveStage.INCLUDED: (
            Required(
                "target_level",
                _("Key list applied for"),
                _("Inclusion needs the key list: city or provincial."),
                present=_city_or_provincial,
            ),
        ),
    },
    wording=Wording(
        already=_("The item is already at this stage."),
        back=_("Moving an item back to an earlier stage needs a reason."),
    ),
    log="events",
)
