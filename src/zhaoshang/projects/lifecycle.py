"""The project lifecycle (DOMAIN.md §2) as data for ``core.lifecycle``.

线索→意向→洽谈→签约→落地→开工→投产; 暂缓 resumes only where it stopped (or
ends in 终止), 终止 is final, both need a reason. 签约 and every later stage
need the contract date and amount, 开工 and later the start date. No
date-order rule between the project's dates is enforced today, so none is
declared; one would be a ``DateOrder`` in ``gates``.

A missing reason is reported on ``reason`` (the move form's reason box, the
ledger's notes column), not as an illegal move.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.lifecycle import Machine, Required, Side, Wording, given

from .choices import MAIN_STAGES, Stage

_SIDE_REASON = _("Pausing or terminating a project needs a reason.")

PROJECT = Machine(
    choices=Stage,
    main=MAIN_STAGES,
    side={
        Stage.PAUSED: Side(reason=_SIDE_REASON, resumes=True),
        Stage.TERMINATED: Side(reason=_SIDE_REASON),
    },
    final={Stage.TERMINATED: _("A terminated project cannot move any more.")},
    gates={
        Stage.SIGNED: (
            Required(
                "contract_date",
                _("Contract date"),
                _("Signing needs the contract date."),
                present=given,
            ),
            Required(
                "contracted_amount",
                _("Contracted amount"),
                _("Signing needs the contracted amount."),
            ),
        ),
        Stage.CONSTRUCTION: (
            Required(
                "start_date",
                _("Construction start date"),
                _("Construction needs the start date."),
                present=given,
            ),
        ),
    },
    wording=Wording(
        already=_("The project is already at this stage."),
        back=_("Moving a project back to an earlier stage needs a reason."),
        resume=_("A paused project can only resume at “%(stage)s” or be terminated."),
    ),
    log="stage_events",
    reason_field="reason",
)
