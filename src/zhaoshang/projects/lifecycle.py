"""The project lifecycle (DOMAIN.md §2) as data for ``core.lifecycle``.

线索→意向→洽谈→签约→落地→开工→投产; 暂缓 resumes only where it stopped (or
ends in 终止), 终止 is final, both need a reason. 签约 and every later stage
need the contract date and amount, 开工 and later the start date. At every
main stage the dates that record what happened are not in the future and run
签约日期 ≤ 开工日期 ≤ 投产日期 (DOMAIN.md §2), on every entry path: the
services, the ledger importer and the API all read these gates. Interactive
moves are refused for missing data; the ledger imports such a row and flags it
资料待补 (``PROJECT.missing``), since the bureau's ledger is what it is.

A missing reason is reported on ``reason`` (the move form's reason box, the
ledger's notes column), not as an illegal move.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhaoshang.core.lifecycle import DateOrder, Machine, NotFuture, Required, Side, Wording, given

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
        # From the first stage on: dates record what happened, in the order it happened.
        Stage.LEAD: (
            NotFuture("contract_date", _("The contract date cannot be in the future.")),
            NotFuture("start_date", _("The start date cannot be in the future.")),
            NotFuture("production_date", _("The production date cannot be in the future.")),
            DateOrder(
                "contract_date",
                "start_date",
                _("The start date cannot be before the contract date."),
            ),
            DateOrder(
                "start_date",
                "production_date",
                _("The production date cannot be before the start date."),
            ),
            DateOrder(
                "contract_date",
                "production_date",
                _("The production date cannot be before the contract date."),
            ),
        ),
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
