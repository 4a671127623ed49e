"""Demo of agency approvals in 驿城区: a sourced catalogue and five projects' plans.

The catalogue's limits and their sources are in ``docs/approvals.md``. Five
demo projects get plans in different states, as of 2026-11-27 (the lights are
live, so they move on with the calendar): all concluded (one late); one item
overdue (红); one paused for expert review, one due on the next working day
(黄) with an overdue 容缺 promise; a project still without land (模拟审批); and
one whose land was transferred, its simulated items converted, one formal issue
differing from the simulated one, and one move entered late (补录).

Everything goes through the services. The services stamp a move with the day
it is entered, which for a demo loaded today would make every past move a 补录;
so the demo, as the trusted system, then dates each log row's ``recorded_at``
to the day it happened — except the one 补录 it shows. Idempotent: a project
that has approval items is left alone; the catalogue is completed, never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhaoshang.core import calendar
from zhaoshang.core.choices import UnitKind
from zhaoshang.core.models import Area, Unit, User
from zhaoshang.core.services.org import unit_create
from zhaoshang.projects.demo import PROJECTS, person_of
from zhaoshang.projects.models import Project

from . import services
from .choices import ItemStatus, PauseKind, Phase
from .models import ApprovalEvent, ApprovalItem, ApprovalItemType

YICHENG = "411702"
#: the day the demo's lights are described for (a Friday)
DEMO_DAY = dt.date(2026, 11, 27)

DRC = "驿城区发展和改革委员会"
LAND = "驻马店市自然资源和规划局驿城分局"
HOUSING = "驿城区住房和城乡建设局"
CIVIL_DEFENCE = "驿城区人民防空办公室"
ECOLOGY = "驻马店市生态环境局驿城分局"
DEPARTMENTS = (DRC, LAND, HOUSING, CIVIL_DEFENCE, ECOLOGY)

# name, phase, department, legal limit (working days), legal basis, materials
CATALOGUE: list[tuple[str, str, str, int, str, str]] = [
    (
        "企业投资项目备案/核准",
        Phase.LAND_PLANNING,
        DRC,
        20,
        "《企业投资项目核准和备案管理条例》第十一条",
        "项目申请书或备案信息；企业营业执照",
    ),
    (
        "用地预审与选址意见书",
        Phase.LAND_PLANNING,
        LAND,
        20,
        "《建设项目用地预审管理办法》；《城乡规划法》第三十六条",
        "申请表；建设项目批准、核准或备案文件；标注项目用地范围的土地利用总体规划图",
    ),
    (
        "建设用地规划许可证",
        Phase.LAND_PLANNING,
        LAND,
        20,
        "《城乡规划法》第三十七、三十八条；《行政许可法》第四十二条",
        "申请表；国有土地使用权出让合同；建设项目批准、核准或备案文件",
    ),
    (
        "节能审查",
        Phase.LAND_PLANNING,
        DRC,
        20,
        "《固定资产投资项目节能审查办法》；《行政许可法》第四十二条（通用时限）",
        "节能报告",
    ),
    (
        "环境影响评价审批（报告书）",
        Phase.LAND_PLANNING,
        ECOLOGY,
        60,
        "《环境影响评价法》第二十二条（报告书六十日，报告表三十日）",
        "环境影响报告书；公众参与说明",
    ),
    (
        "建设工程规划许可证",
        Phase.WORKS_PERMIT,
        LAND,
        20,
        "《城乡规划法》第四十条；《行政许可法》第四十二条",
        "申请表；使用土地的有关证明文件；建设工程设计方案",
    ),
    (
        "施工图审查",
        Phase.CONSTRUCTION_PERMIT,
        HOUSING,
        15,
        "《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》第十二条",
        "施工图设计文件；勘察成果文件",
    ),
    (
        "消防设计审查",
        Phase.CONSTRUCTION_PERMIT,
        HOUSING,
        15,
        "《建设工程消防设计审查验收管理暂行规定》第十七条",
        "消防设计审查申请表；消防设计文件",
    ),
    (
        "人防工程设计审查",
        Phase.CONSTRUCTION_PERMIT,
        CIVIL_DEFENCE,
        20,
        "《人民防空法》；时限为《行政许可法》第四十二条通用时限（典型值）",
        "人防工程施工图",
    ),
    (
        "建筑工程施工许可证",
        Phase.CONSTRUCTION_PERMIT,
        HOUSING,
        7,
        "《建筑工程施工许可管理办法》第五条",
        "申请表；建设工程规划许可证；施工合同；施工图审查合格文件",
    ),
    (
        "联合验收",
        Phase.COMPLETION,
        HOUSING,
        12,
        "国办发〔2019〕11号（联合验收）；时限为典型值",
        "竣工验收报告；各专项验收资料",
    ),
    (
        "竣工验收备案",
        Phase.COMPLETION,
        HOUSING,
        5,
        "《房屋建筑和市政基础设施工程竣工验收备案管理办法》；时限为典型值",
        "竣工验收备案表；竣工验收报告",
    ),
]

#: the land of the first three projects, and the day every demo plan was drawn up
LANDED_ON = dt.date(2025, 12, 1)
PLANNED_ON = dt.date(2025, 12, 15)
#: (status, date, extra) steps of one item; the extra may carry reason, document …
Step = tuple[str, dt.date, dict[str, Any]]


@transaction.atomic
def load_demo() -> None:
    area = Area.objects.get(code=YICHENG)
    recorder = User.objects.get(username="yc_staff")
    load_catalogue(area)
    load_plans(area, recorder)


def load_catalogue(area: Area) -> None:
    """The departments and the twelve items, each added once."""
    units = {u.name: u for u in Unit.objects.filter(area=area, name__in=DEPARTMENTS)}
    for name in DEPARTMENTS:
        if name not in units:
            units[name] = unit_create(acting_user=None, name=name, kind=UnitKind.BUREAU, area=area)
    present = set(ApprovalItemType.objects.filter(area=area).values_list("name", flat=True))
    for order, (name, phase, unit, legal, basis, materials) in enumerate(CATALOGUE, start=1):
        if name in present:
            continue
        services.item_type_create(
            acting_user=None,
            area=area,
            phase=phase,
            name=name,
            department=units[unit],
            legal_limit=legal,
            legal_basis=basis,
            materials=materials,
            order=order * 10,
        )


def _projects(area: Area) -> list[Project]:
    names = [row[0] for row in PROJECTS[:5]]
    found = {p.name: p for p in Project.objects.filter(area=area, name__in=names)}
    return [found[n] for n in names if n in found]


def load_plans(area: Area, recorder: User) -> None:
    agent = person_of(recorder)
    planned = set(
        ApprovalItem.objects.filter(area=area).values_list("project_id", flat=True).distinct()
    )
    builders = (_all_done, _one_red, _paused_and_yellow, _simulated, _converted)
    made = []
    for project, build in zip(_projects(area), builders, strict=False):
        if project.pk in planned:
            continue
        if build in (_all_done, _one_red, _paused_and_yellow):
            services.project_land_transferred(
                acting_user=None,
                project=project,
                transferred_on=LANDED_ON,
                document="驿土出让〔2025〕12号",
            )
        services.plan_generate(
            acting_user=None, project=project, agent=agent, planned_on=PLANNED_ON
        )
        rows = ApprovalItem.objects.filter(project=project).select_related("item_type", "area")
        build(project, {i.item_type.name: i for i in rows.order_by("order", "id")}, recorder)
        made.append(project.pk)
    _date_entries(made)


def _walk(item: ApprovalItem, recorder: User | None, steps: Sequence[Step]) -> None:
    for status, when, extra in steps:
        services.item_move(
            acting_user=recorder, item=item, to_status=status, event_date=when, **extra
        )


def _through(
    item: ApprovalItem, recorder: User, start: dt.date, *, late: int = 0, doc: str = ""
) -> None:
    """申报 on ``start``, 受理 two days later, 办结 inside the promise (or ``late`` days after)."""
    accept = start + dt.timedelta(days=2)
    done = accept + dt.timedelta(days=max(item.promised_limit // 2, 1))
    if late:
        due = calendar.add_working_days(accept, item.promised_limit)
        done = due + dt.timedelta(days=late)
    extra = {"document_number": doc, "document_date": done} if doc else {}
    _walk(
        item,
        recorder,
        [
            (ItemStatus.SUBMITTED, start, {}),
            (ItemStatus.ACCEPTED, accept, {}),
            (ItemStatus.APPROVED, done, extra),
        ],
    )


def _all_done(project: Project, items: dict[str, ApprovalItem], recorder: User) -> None:
    """Every item concluded in 2026; 消防设计审查 two weeks past its promise."""
    start = dt.date(2026, 1, 6)
    for k, (name, item) in enumerate(items.items()):
        late = 14 if name == "消防设计审查" else 0
        _through(
            item,
            recorder,
            start + dt.timedelta(days=12 * k),
            late=late,
            doc=f"驿审〔2026〕{k + 1}号",
        )


def _one_red(project: Project, items: dict[str, ApprovalItem], recorder: User) -> None:
    """The first six concluded; 施工图审查 accepted 2026-11-02, overdue (红) by 2026-11-27."""
    names = list(items)
    for k, name in enumerate(names[:6]):
        _through(items[name], recorder, dt.date(2026, 4, 1) + dt.timedelta(days=20 * k))
    _walk(
        items["施工图审查"],
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 10, 30), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 11, 2), {}),
        ],
    )


def _paused_and_yellow(project: Project, items: dict[str, ApprovalItem], recorder: User) -> None:
    """环评 paused for expert review; 节能审查 due 2026-11-30 (黄 on 11-27) with an
    overdue 容缺 promise; 建设用地规划许可 green; a pause closed on 用地预审."""
    _through(items["企业投资项目备案/核准"], recorder, dt.date(2026, 9, 1))
    pre = items["用地预审与选址意见书"]
    _walk(
        pre,
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 9, 14), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 9, 15), {}),
        ],
    )
    services.pause_open(
        acting_user=recorder,
        item=pre,
        kind=PauseKind.CORRECTION,
        reason="补正用地范围图",
        start=dt.date(2026, 9, 18),
    )
    services.pause_close(acting_user=recorder, item=pre, end=dt.date(2026, 9, 24))
    _walk(
        pre,
        recorder,
        [
            (
                ItemStatus.APPROVED,
                dt.date(2026, 10, 9),
                {
                    "document_number": "驿自然资预〔2026〕21号",
                    "document_date": dt.date(2026, 10, 9),
                },
            )
        ],
    )
    eia = items["环境影响评价审批（报告书）"]
    _walk(
        eia,
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 10, 19), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 10, 20), {}),
        ],
    )
    services.pause_open(
        acting_user=recorder,
        item=eia,
        kind=PauseKind.EXPERT_REVIEW,
        reason="报告书技术评估（专家评审）",
        start=dt.date(2026, 11, 5),
    )
    energy = items["节能审查"]
    _walk(
        energy,
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 11, 10), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 11, 11), {}),
        ],
    )
    services.promise_add(
        acting_user=recorder,
        item=energy,
        material="能源消费等量替代方案",
        promised_by=dt.date(2026, 11, 20),
    )
    planning = items["建设用地规划许可证"]
    _walk(
        planning,
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 11, 18), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 11, 19), {}),
        ],
    )
    services.promise_add(
        acting_user=recorder,
        item=planning,
        material="宗地界址点坐标成果",
        promised_by=dt.date(2026, 12, 4),
    )


def _simulated(project: Project, items: dict[str, ApprovalItem], recorder: User) -> None:
    """No land yet: 备案 and 用地预审 issued 模拟批文; 节能审查 runs simulated (green)."""
    _through(
        items["企业投资项目备案/核准"],
        recorder,
        dt.date(2026, 10, 12),
        doc="驿发改模拟备〔2026〕3号",
    )
    _through(
        items["用地预审与选址意见书"],
        recorder,
        dt.date(2026, 10, 26),
        doc="驿自然资模拟预〔2026〕5号",
    )
    _walk(
        items["节能审查"],
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 11, 17), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 11, 18), {}),
        ],
    )


def _converted(project: Project, items: dict[str, ApprovalItem], recorder: User) -> None:
    """Simulated through October, land transferred 2026-11-10, items converted; the
    formal 用地预审 document has another number than the simulated one; the
    建设用地规划许可 acceptance of 11-05 was entered on 11-18 (补录)."""
    _through(
        items["企业投资项目备案/核准"],
        recorder,
        dt.date(2026, 8, 24),
        doc="驿发改模拟备〔2026〕1号",
    )
    pre = items["用地预审与选址意见书"]
    _through(pre, recorder, dt.date(2026, 9, 14), doc="驿自然资模拟预〔2026〕2号")
    planning = items["建设用地规划许可证"]
    _walk(
        planning,
        recorder,
        [
            (ItemStatus.SUBMITTED, dt.date(2026, 11, 4), {}),
            (ItemStatus.ACCEPTED, dt.date(2026, 11, 5), {}),
        ],
    )
    services.project_land_transferred(
        acting_user=recorder,
        project=project,
        transferred_on=dt.date(2026, 11, 10),
        document="驿土出让〔2026〕31号",
    )
    pre.refresh_from_db()
    services.item_issue(
        acting_user=recorder,
        item=pre,
        document_number="驿自然资预〔2026〕37号",
        document_date=dt.date(2026, 11, 12),
    )


#: the one move the demo shows as a 补录: (item name, status, the day it was entered)
LATE_ENTRY = ("建设用地规划许可证", ItemStatus.ACCEPTED, dt.date(2026, 11, 18))


def _date_entries(project_ids: list[int]) -> None:
    """Date each log row of the plans just made as entered on the day it happened,
    but the one 补录 (the demo's history is written today, as if lived)."""
    tz = timezone.get_current_timezone()
    events = ApprovalEvent.objects.filter(item__project_id__in=project_ids)
    for event in events.select_related("item__item_type", "item__project"):
        late = (
            event.item.project.name == PROJECTS[4][0]
            and event.item.item_type.name == LATE_ENTRY[0]
            and event.to_stage == LATE_ENTRY[1]
            and event.kind == "move"
        )
        day = LATE_ENTRY[2] if late else event.event_date
        event.recorded_at = dt.datetime.combine(day, dt.time(10, 0), tzinfo=tz)
        event.late_entry = late
        event.save(update_fields=["recorded_at", "late_entry"])
