"""Demo paid-in capital (到位资金): Yicheng's 2014 seed figures, computed from projects.

The 21 key projects of 2014 (``demo.investment.SEED_PROJECTS``) report their
到位资金 over the months of 2014 so that the sums are the seed's exactly:
实际利用外资 4103 万美元 (eight projects with foreign investors) and 引进市外资金
111.43 亿元 = 1114300 万元 (all 21). ``targets.demo`` then marks Yicheng's 2014
actuals of both indicators as computed; the statistics bureau's entered
figures stay beside them (the same totals: difference 0).

Idempotent: ``capitals_record`` writes nothing for a month already current with
the same amounts.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from zhaoshang.core.models import Area
from zhaoshang.projects.models import Project

from ..services.capital import CapitalRow, capitals_record
from .investment import SEED_PROJECTS, SEED_YEAR, YICHENG

SEED_FOREIGN = Decimal("4103")  # 万美元
SEED_OUT_OF_CITY = Decimal("1114300")  # 万元 (111.43 亿元)
#: how many of the seed projects (in order) have foreign capital
FOREIGN_PROJECTS = 8
CENT = Decimal("0.01")


def spread(total: Decimal, weights: list[int]) -> list[Decimal]:
    """``total`` by ``weights`` at 2 decimals, the last part taking the remainder (exact sum)."""
    whole = sum(weights)
    parts = [(total * w / whole).quantize(CENT, ROUND_DOWN) for w in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _months(index: int) -> tuple[int, ...]:
    """Three months of 2014 a project's capital arrives in, different from project to project."""
    return (index % 4 + 1, index % 4 + 5, index % 4 + 9)


def seed_rows(projects: list[Project]) -> list[CapitalRow]:
    """Rows summing to the seed's totals over ``projects`` (the seed's order)."""
    plans = [spec[4] for spec in SEED_PROJECTS][: len(projects)]
    foreign = spread(SEED_FOREIGN, plans[:FOREIGN_PROJECTS])
    out = spread(SEED_OUT_OF_CITY, plans)
    rows: list[CapitalRow] = []
    for i, project in enumerate(projects):
        months = _months(i)
        f_parts = spread(foreign[i], [3, 3, 4]) if i < FOREIGN_PROJECTS else [Decimal(0)] * 3
        o_parts = spread(out[i], [2, 3, 5])
        for month, f, o in zip(months, f_parts, o_parts, strict=True):
            rows.append(CapitalRow(project.pk, project.area_id, SEED_YEAR, month, f, o))
    return rows


def load_demo() -> None:
    area = Area.objects.filter(code=YICHENG).first()
    if area is None:
        return
    names = [spec[0] for spec in SEED_PROJECTS]
    found = {p.name: p for p in Project.objects.filter(area=area, name__in=names)}
    projects = [found[n] for n in names if n in found]
    if len(projects) != len(names):
        return
    capitals_record(acting_user=None, rows=seed_rows(projects), note="演示数据")
