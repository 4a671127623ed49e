"""The lifecycle engine (``core.lifecycle``) and the two machines declared with it.

Records are unsaved model instances (the engine reads only their fields),
except where a paused project has to find its stage in the stage log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from zhaoshang.construction.choices import ReserveStage as R
from zhaoshang.construction.lifecycle import RESERVE
from zhaoshang.construction.models import ReserveItem
from zhaoshang.core.lifecycle import DateOrder, Machine, Required, Side, Wording
from zhaoshang.projects import services
from zhaoshang.projects.choices import MAIN_STAGES, Stage
from zhaoshang.projects.lifecycle import PROJECT
from zhaoshang.projects.models import Project

TODAY = timezone.localdate()
SIGNING = {"contract_date", "contracted_amount"}
ONE = Decimal("1")


def project(stage: str = Stage.LEAD, **fields: Any) -> Project:
    return Project(name="引擎测试", stage=stage, **fields)


def item(stage: str = R.SCREENING, **fields: Any) -> ReserveItem:
    return ReserveItem(name="引擎测试", stage=stage, **fields)


def skip_message(label: Any) -> str:
    return gettext("Stages cannot be skipped: the next stage is “%(stage)s”.") % {"stage": label}


# --- moves along the main line ----------------------------------------------------------


def test_it_refuses_skipping_a_stage_on_both_machines() -> None:
    assert PROJECT.move_error(project(), Stage.NEGOTIATION, reason="") == skip_message(
        Stage.INTENTION.label
    )
    assert PROJECT.move_error(project(), Stage.INTENTION, reason="") is None
    assert RESERVE.move_error(item(), R.PACKAGING, reason="x") == skip_message(R.EVALUATION.label)
    assert RESERVE.move_error(item(), R.EVALUATION, reason="") is None


def test_it_needs_a_reason_to_move_back_worded_per_machine() -> None:
    back = project(Stage.NEGOTIATION)
    worded = gettext("Moving a project back to an earlier stage needs a reason.")
    assert PROJECT.move_error(back, Stage.LEAD, reason="  ") == worded
    assert PROJECT.move_error(back, Stage.LEAD, reason="投资方重新评估") is None
    reserved = item(R.APPLICATION)
    worded = gettext("Moving an item back to an earlier stage needs a reason.")
    assert RESERVE.move_error(reserved, R.SCREENING, reason="") == worded
    assert RESERVE.move_error(reserved, R.SCREENING, reason="重新论证") is None


def test_it_refuses_an_unknown_stage_and_words_the_same_stage_per_machine() -> None:
    unknown = gettext("Unknown stage “%(stage)s”.") % {"stage": "heaven"}
    assert PROJECT.move_error(project(), "heaven", reason="x") == unknown
    assert RESERVE.move_error(item(), "heaven", reason="x") == unknown
    assert PROJECT.move_error(project(Stage.SIGNED), Stage.SIGNED, reason="x") == gettext(
        "The project is already at this stage."
    )
    assert RESERVE.move_error(item(R.PACKAGING), R.PACKAGING, reason="x") == gettext(
        "The item is already at this stage."
    )


# --- side states and finals -------------------------------------------------------------


@pytest.mark.django_db
def test_it_resumes_a_paused_project_only_at_the_stage_it_left(user_named) -> None:  # type: ignore[no-untyped-def]
    staff = user_named("yc_staff")
    paused = services.project_create(
        acting_user=staff, area=staff.area, name="暂缓测试", event_date=TODAY
    )
    for to, reason in ((Stage.INTENTION, ""), (Stage.NEGOTIATION, ""), (Stage.PAUSED, "春节")):
        services.project_transition(
            acting_user=staff, project=paused, to_stage=to, reason=reason, event_date=TODAY
        )
    only = gettext("A paused project can only resume at “%(stage)s” or be terminated.") % {
        "stage": Stage.NEGOTIATION.label
    }
    assert PROJECT.entered_from(paused, Stage.PAUSED) == Stage.NEGOTIATION
    assert PROJECT.move_error(paused, Stage.INTENTION, reason="退回") == only
    assert PROJECT.move_error(paused, Stage.SIGNED, reason="") == only
    assert PROJECT.move_error(paused, Stage.NEGOTIATION, reason="") is None
    assert PROJECT.move_error(paused, Stage.TERMINATED, reason="撤资") is None


def test_it_never_moves_a_final_stage_of_either_machine() -> None:
    ended = gettext("A terminated project cannot move any more.")
    for to in (Stage.LEAD, Stage.PAUSED, Stage.PRODUCTION):
        assert PROJECT.move_error(project(Stage.TERMINATED), to, reason="x") == ended
    finals = {
        R.REJECTED: gettext("A rejected item cannot move any more."),
        R.INCLUDED: gettext("An item included in a key list cannot move any more."),
    }
    for here, message in finals.items():
        for to in (R.SCREENING, R.RESERVED, *(s for s in finals if s != here)):
            assert RESERVE.move_error(item(here), to, reason="x") == message
    assert set(RESERVE.final) == set(finals) and set(PROJECT.final) == {Stage.TERMINATED}


def test_it_needs_a_reason_for_a_side_state_where_each_machine_reports_it() -> None:
    needed = gettext("Pausing or terminating a project needs a reason.")
    for side in (Stage.PAUSED, Stage.TERMINATED):
        assert PROJECT.move_error(project(), side, reason="") is None  # not an illegal move …
        assert PROJECT.gate_errors(project(), side, reason=" ") == {"reason": needed}  # … data
        assert PROJECT.gate_errors(project(), side, reason="资金未到位") == {}
    rejecting = gettext("Rejecting an item needs a reason.")
    assert RESERVE.move_error(item(R.PACKAGING), R.REJECTED, reason="  ") == rejecting
    assert RESERVE.move_error(item(R.PACKAGING), R.REJECTED, reason="不达标") is None
    assert RESERVE.gate_errors(item(R.PACKAGING), R.REJECTED, reason="") == {}


# --- gates ------------------------------------------------------------------------------


def test_it_gates_signing_and_construction_at_and_after_their_stage_only() -> None:
    blank = project()
    needs = {s: set(PROJECT.gate_errors(blank, s, reason="—")) for s in MAIN_STAGES}
    assert needs == {
        Stage.LEAD: set(),
        Stage.INTENTION: set(),
        Stage.NEGOTIATION: set(),
        Stage.SIGNED: SIGNING,
        Stage.LANDED: SIGNING,
        Stage.CONSTRUCTION: {*SIGNING, "start_date"},
        Stage.PRODUCTION: {*SIGNING, "start_date"},
    }
    for side in (Stage.PAUSED, Stage.TERMINATED):
        assert PROJECT.gate_errors(blank, side, reason="有原因") == {}
    assert PROJECT.gate_errors(blank, Stage.SIGNED, reason="—")["contract_date"] == gettext(
        "Signing needs the contract date."
    )


def test_it_counts_a_zero_amount_as_missing_but_any_date_as_given() -> None:
    signed = project(contract_date=TODAY, contracted_amount=Decimal("0"))
    assert set(PROJECT.gate_errors(signed, Stage.SIGNED, reason="—")) == {"contracted_amount"}
    signed.contracted_amount = Decimal("0.0001")
    assert PROJECT.gate_errors(signed, Stage.SIGNED, reason="—") == {}


def test_it_gates_inclusion_on_a_city_or_provincial_list() -> None:
    message = gettext("Inclusion needs the key list: city or provincial.")
    for level in ("", "district"):
        found = RESERVE.gate_errors(item(R.RESERVED, target_level=level), R.INCLUDED, reason="")
        assert found == {"target_level": message}
    assert RESERVE.gate_errors(item(R.RESERVED), R.INCLUDED, reason="") == {"target_level": message}
    given = RESERVE.gate_errors(
        item(R.RESERVED), R.INCLUDED, reason="", values={"target_level": "city"}
    )
    assert given == {}
    assert RESERVE.gate_errors(item(R.APPLICATION), R.RESERVED, reason="") == {}


def test_it_checks_a_date_order_rule_from_its_stage_on() -> None:
    """Neither machine declares a date order today; the rule itself works the same way."""
    late = "开工日期不能早于签约日期。"
    ordered = dataclasses.replace(
        PROJECT, gates={Stage.SIGNED: (DateOrder("contract_date", "start_date", late),)}
    )
    early = project(contract_date=TODAY, start_date=TODAY - dt.timedelta(days=1))
    assert ordered.gate_errors(early, Stage.SIGNED, reason="—") == {"start_date": late}
    assert ordered.gate_errors(early, Stage.PRODUCTION, reason="—") == {"start_date": late}
    assert ordered.gate_errors(early, Stage.NEGOTIATION, reason="—") == {}
    same_day = project(contract_date=TODAY, start_date=TODAY)
    assert ordered.gate_errors(same_day, Stage.SIGNED, reason="—") == {}
    assert ordered.gate_errors(project(start_date=TODAY), Stage.SIGNED, reason="—") == {}
    assert ordered.verdicts(Stage.SIGNED, {"contract_date": TODAY, "start_date": TODAY}.get) == (
        True,
    )
    assert ordered.verdicts(
        Stage.SIGNED, {"contract_date": TODAY, "start_date": dt.date(2000, 1, 1)}.get
    ) == (False,)


def test_it_lists_the_fields_the_gates_read_at_a_stage() -> None:
    dates = ("contract_date", "start_date", "production_date")  # order and not-future, always
    assert PROJECT.gate_fields(Stage.NEGOTIATION) == dates
    assert PROJECT.gate_fields(Stage.LANDED) == (*dates, "contracted_amount")
    assert PROJECT.gate_fields() == (*dates, "contracted_amount")
    assert RESERVE.gate_fields(R.INCLUDED) == ("target_level",)
    values = {"contract_date": TODAY, "contracted_amount": Decimal("0")}
    date_rules = (True,) * 6  # no start or production date yet: nothing out of order
    assert PROJECT.verdicts(Stage.CONSTRUCTION, lambda f: values.get(f)) == (
        *date_rules,
        True,
        False,
        False,
    )


# --- the next-stage hint ----------------------------------------------------------------


def test_it_hints_what_the_next_main_stage_still_needs() -> None:
    talks = project(Stage.NEGOTIATION)
    assert PROJECT.next_hint(talks) == "进入下一阶段“签约”还需：签约日期、签约金额"
    talks.contract_date = TODAY
    assert PROJECT.next_hint(talks) == "进入下一阶段“签约”还需：签约金额"
    talks.contracted_amount = Decimal("100")
    assert PROJECT.next_hint(talks) == ""
    assert PROJECT.next_hint(project(Stage.LANDED, contract_date=TODAY, contracted_amount=ONE)) == (
        "进入下一阶段“开工”还需：开工日期"
    )
    assert PROJECT.next_hint(project(Stage.LEAD)) == ""
    for final_or_side in (Stage.PRODUCTION, Stage.PAUSED, Stage.TERMINATED):
        assert PROJECT.next_hint(project(final_or_side)) == ""
    assert RESERVE.next_hint(item(R.RESERVED)) == "进入下一阶段“纳入重点”还需：申报重点级别"
    assert RESERVE.next_hint(item(R.RESERVED, target_level="province")) == ""
    assert RESERVE.next_hint(item(R.INCLUDED)) == ""
    settled = dataclasses.replace(PROJECT, final={**PROJECT.final, Stage.LANDED: "已落定"})
    assert (
        settled.next_hint(project(Stage.LANDED, contract_date=TODAY, contracted_amount=ONE)) == ""
    )


# --- a machine must make sense ------------------------------------------------------------


def test_it_refuses_a_machine_that_strands_a_record_or_gates_a_side_state() -> None:
    words = Wording(already="已处于", back="需原因")
    with pytest.raises(ValueError, match="resumes or is final"):
        Machine(Stage, MAIN_STAGES, words, "stage_events", side={Stage.PAUSED: Side()})
    with pytest.raises(ValueError, match="main stages"):
        Machine(
            Stage,
            MAIN_STAGES,
            words,
            "stage_events",
            gates={Stage.PAUSED: (Required("start_date", "开工日期", "需开工日期"),)},
        )
    with pytest.raises(ValueError, match="outside"):
        Machine(Stage, (*MAIN_STAGES, "heaven"), words, "stage_events")
