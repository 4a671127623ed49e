"""Demo reserve pipeline of 驿城区 (DOMAIN.md §3).

Thirteen reserve items over every stage: one rejected with its reason, one
included and promoted into a project on the 2027 provincial list. Everything
goes through the services, so it is validated and audited like real input.
Dates are fixed (never after 2026-11-20); an item whose name exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from zhaoshang.core.models import Area, User
from zhaoshang.projects.models import Cluster

from ..choices import RESERVE_MAIN, ReserveStage
from ..models import ReserveItem
from ..services.reserve import reserve_create, reserve_promote, reserve_transition
from .workplan import LAST_DAY, YICHENG

# name, investor, cluster, total 万元, final stage, key list applied for
RESERVE = [
    ("新能源冷藏车生产线项目", "某专用车集团", "运输装备", 45000, "screening", ""),
    ("跨境电商产业园项目", "某电商平台公司", "电商现代物流", 30000, "screening", ""),
    ("高压电缆附件项目", "某电气股份公司", "电力电缆电器装备", 18000, "evaluation", ""),
    ("动力电池回收利用项目", "某新能源科技公司", "新能源汽车", 60000, "evaluation", ""),
    ("智能农机装备制造项目", "某农业装备集团", "农业工程机械装备", 52000, "packaging", ""),
    ("汽车零部件产业园项目", "某汽车零部件公司", "运输装备", 80000, "packaging", "city"),
    ("光伏逆变器生产项目", "某光伏科技公司", "电力电缆电器装备", 25000, "application", "city"),
    ("冷链物流枢纽项目", "某物流集团", "电商现代物流", 70000, "application", "province"),
    ("氢燃料电池重卡项目", "某氢能科技公司", "新能源汽车", 150000, "reserved", "province"),
    ("农用无人机研发生产项目", "某智能装备公司", "农业工程机械装备", 20000, "reserved", "city"),
    ("智能网联专用车项目", "某汽车集团", "运输装备", 120000, "included", "city"),
    ("新能源汽车整车扩能项目", "某新能源汽车公司", "新能源汽车", 200000, "included", "province"),
    ("传统铸造产能转移项目", "某铸造公司", None, 15000, "rejected", ""),
]
PROMOTED = "新能源汽车整车扩能项目"
PROMOTED_YEAR = 2027
REJECT_REASON = "属高耗能产能转移，不符合集聚区产业定位和能耗双控要求"


@transaction.atomic
def load_demo() -> None:
    area = Area.objects.get(code=YICHENG)
    load_reserve(area, User.objects.get(username="yc_staff"))


def load_reserve(area: Area, recorder: User) -> None:
    existing = set(ReserveItem.objects.filter(area=area).values_list("name", flat=True))
    clusters = {c.name: c for c in Cluster.objects.filter(area=area)}
    for i, (name, investor, cluster, total, final, level) in enumerate(RESERVE):
        if name in existing:
            continue
        when = dt.date(2026, 2, 2) + dt.timedelta(days=12 * i)
        item = reserve_create(
            acting_user=recorder,
            area=area,
            name=name,
            investor_name=investor,
            cluster=clusters.get(cluster or ""),
            total_investment=Decimal(total),
            description=f"{investor}拟在驻马店装备产业集聚区投资建设。",
            target_level=level if final != ReserveStage.INCLUDED else "",
            event_date=when,
            note="招商线索筛选入库",
        )
        _walk(item, recorder, final, level, when)
        if name == PROMOTED:
            reserve_promote(
                acting_user=recorder,
                item=item,
                year=PROMOTED_YEAR,
                planned_investment=Decimal(total) * Decimal("0.3"),
                event_date=LAST_DAY,
                note="由项目储备库转入",
            )


def _walk(item: ReserveItem, recorder: User, final: str, level: str, when: dt.date) -> None:
    target = ReserveStage.PACKAGING if final == ReserveStage.REJECTED else final
    for stage in RESERVE_MAIN[1 : RESERVE_MAIN.index(target) + 1]:
        when = min(when + dt.timedelta(days=21), LAST_DAY)
        reserve_transition(
            acting_user=recorder,
            item=item,
            to_stage=stage,
            event_date=when,
            target_level=level if stage == ReserveStage.INCLUDED else "",
            note="论证评审通过" if stage == ReserveStage.EVALUATION else "",
        )
    if final == ReserveStage.REJECTED:
        reserve_transition(
            acting_user=recorder,
            item=item,
            to_stage=ReserveStage.REJECTED,
            event_date=min(when + dt.timedelta(days=14), LAST_DAY),
            reason=REJECT_REASON,
        )
