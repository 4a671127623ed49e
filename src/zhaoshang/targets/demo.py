"""Demo targets and actuals: the seed's 2014 figures (DOMAIN.md §6) and the current year.

2014, 驿城区: 进出口总额 15280 万美元 of 9550 (160%, first among Zhumadian's ten
counties), 实际利用外资 4103 of 3025.81 (135.60%), 引进市外资金 111.43 亿元 of
46.10 (241.71%) — both computed from the 到位资金 of its 2014 projects (the
construction demo), the statistics bureau's equal figures entered beside them —
重点项目完成投资 target 51.2 亿元 (the actual, 56.096, is computed from the
construction demo's monthly reports). The other nine
counties get targets and actuals of their own so the ranking is a real one;
their key-project targets are their lists' annual plans in the construction
demo (loaded before this one), so completion there matches the key-project table.
The current year gets targets and monthly actuals up to last month for all ten.

Every monthly split sums exactly to its annual figure (the last month takes
the remainder). Targets are set by the city's bureau chief through the
services; actuals are written in bulk with one audit row per county and year,
so loading stays well under a second. Loading twice changes nothing.
"""

from __future__ import annotations

import random
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from zhaoshang.construction.choices import CITY_OR_ABOVE
from zhaoshang.construction.models import KeyPlanRollup
from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import Area, User
from zhaoshang.core.services import audit_record

from . import services
from .choices import ActualMode
from .models import Actual, Indicator, Target

SEED_YEAR = 2014
CITY = "411700"
YICHENG = "411702"
CITY_CHIEF = "zmd_city"
MANUAL = ("import_export", "fdi", "out_of_city_capital")

#: 2014 (target, actual) per county and manual indicator; 驿城区 is the seed.
SEED_2014: dict[str, dict[str, tuple[str, str]]] = {
    YICHENG: {
        "import_export": ("9550", "15280"),
        "fdi": ("3025.81", "4103"),
        "out_of_city_capital": ("46.10", "111.43"),
    },
    "411721": {
        "import_export": ("5200", "6760"),
        "fdi": ("2400", "2880"),
        "out_of_city_capital": ("40.00", "78.00"),
    },
    "411722": {
        "import_export": ("4300", "4730"),
        "fdi": ("1800", "1926"),
        "out_of_city_capital": ("35.00", "52.50"),
    },
    "411723": {
        "import_export": ("3800", "4560"),
        "fdi": ("1600", "1856"),
        "out_of_city_capital": ("32.00", "54.40"),
    },
    "411724": {
        "import_export": ("3000", "3150"),
        "fdi": ("1500", "1530"),
        "out_of_city_capital": ("30.00", "39.00"),
    },
    "411725": {
        "import_export": ("4600", "6440"),
        "fdi": ("2100", "2604"),
        "out_of_city_capital": ("38.00", "83.60"),
    },
    "411726": {
        "import_export": ("3500", "3325"),
        "fdi": ("1900", "2014"),
        "out_of_city_capital": ("36.00", "61.20"),
    },
    "411727": {
        "import_export": ("3900", "4485"),
        "fdi": ("1700", "1989"),
        "out_of_city_capital": ("33.00", "46.20"),
    },
    "411728": {
        "import_export": ("5600", "6944"),
        "fdi": ("2200", "3080"),
        "out_of_city_capital": ("42.00", "96.60"),
    },
    "411729": {
        "import_export": ("2800", "2632"),
        "fdi": ("1400", "1372"),
        "out_of_city_capital": ("28.00", "33.60"),
    },
}
#: 驿城区's 2014 indicators computed from 到位资金 (the mode; the entered figures stay too)
COMPUTED_2014 = ("fdi", "out_of_city_capital")
#: 驿城区's computed indicators: only the target is set here.
SEED_2014_COMPUTED = {"key_project_investment": "51.2"}
#: 驿城区's current-year targets (the other counties' are derived from their 2014 ones).
CURRENT_YICHENG = {
    "import_export": "18000",
    "fdi": "4800",
    "out_of_city_capital": "130",
    "new_signed": "10",
    "new_started": "4",
}
#: Share of a year's total falling in each month (a slow January/February, a strong December).
MONTH_WEIGHTS = (6, 5, 8, 8, 8, 9, 8, 8, 9, 9, 10, 12)


def split(total: Decimal, months: int, places: int, rng: random.Random | None = None) -> list:
    """``total`` over ``months`` months by ``MONTH_WEIGHTS`` (jittered), summing exactly."""
    quantum = Decimal(1).scaleb(-places)
    weights = [Decimal(w) for w in MONTH_WEIGHTS[:months]]
    if rng is not None:
        weights = [w * Decimal(rng.randint(85, 115)) / 100 for w in weights]
    whole = sum(weights)
    parts = [(total * w / whole).quantize(quantum, ROUND_DOWN) for w in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


@transaction.atomic
def load_demo() -> None:
    counties = {a.code: a for a in Area.objects.filter(parent__code=CITY, level="county")}
    if YICHENG not in counties:
        return
    chief = User.objects.filter(username=CITY_CHIEF).first()
    indicators = {i.code: i for i in Indicator.objects.all()}
    today = timezone.localdate()
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not security
    _load_2014(chief, counties, indicators)
    _computed_2014(chief, counties[YICHENG], indicators)
    _load_current(chief, counties, indicators, today.year, today.month - 1, rng)


def _set_targets(
    chief: User | None, area: Area, year: int, values: dict[str, str], indicators: dict
) -> None:
    existing = set(
        Target.objects.filter(area=area, year=year).values_list("indicator_id", flat=True)
    )
    for code, value in values.items():
        if code not in existing and code in indicators:
            services.target_set(
                acting_user=chief, area=area, year=year, indicator=indicators[code], value=value
            )


def _load_actuals(
    area: Area, year: int, monthly: dict[str, list[Decimal]], indicators: dict
) -> None:
    """Bulk-write one county's months (skipped if it has any), with one audit row for them."""
    if Actual.objects.filter(area=area, year=year).exists():
        return
    rows = [
        Actual(area=area, year=year, month=m, indicator=indicators[code], value=value)
        for code, values in monthly.items()
        for m, value in enumerate(values, start=1)
    ]
    Actual.objects.bulk_create(rows)
    audit_record(
        acting_user=None,
        action=AuditAction.CREATE,
        area=area,
        object_type="targets.actual",
        object_repr=f"{area.name} {year} 演示月度完成数",
        # keyed by the indicator's name: the log shows these keys as they are
        after={indicators[code].name: [str(v) for v in values] for code, values in monthly.items()},
    )


def _load_2014(chief: User | None, counties: dict[str, Area], indicators: dict) -> None:
    for code, figures in SEED_2014.items():
        area = counties.get(code)
        if area is None:
            continue
        targets = {ind: target for ind, (target, _actual) in figures.items()}
        targets.update(SEED_2014_COMPUTED if code == YICHENG else _key_plan(area, SEED_YEAR))
        _set_targets(chief, area, SEED_YEAR, targets, indicators)
        monthly = {
            ind: split(Decimal(actual), 12, indicators[ind].decimals)
            for ind, (_target, actual) in figures.items()
        }
        _load_actuals(area, SEED_YEAR, monthly, indicators)


def _computed_2014(chief: User | None, yicheng: Area, indicators: dict) -> None:
    """Yicheng's 2014 实际利用外资 and 引进市外资金 count its projects' 到位资金 (loaded by the
    construction demo to the seed's totals); the bureau's entered figures stay beside them."""
    for code in COMPUTED_2014:
        if code in indicators:
            services.actual_mode_set(
                acting_user=chief,
                area=yicheng,
                year=SEED_YEAR,
                indicator=indicators[code],
                mode=ActualMode.COMPUTED,
            )


def _load_current(
    chief: User | None,
    counties: dict[str, Area],
    indicators: dict,
    year: int,
    months: int,
    rng: random.Random,
) -> None:
    """Targets grown ~15–30% on 2014; actuals to last month at 65–100% of the time elapsed."""
    for code in sorted(counties):
        area = counties[code]
        if code == YICHENG:
            targets = dict(CURRENT_YICHENG)
        else:
            targets = {
                ind: _grown(Decimal(target), rng, indicators[ind].decimals)
                for ind, (target, _actual) in SEED_2014[code].items()
            }
        targets.update(_key_plan(area, year))
        _set_targets(chief, area, year, targets, indicators)
        if months < 1:
            continue
        monthly = {}
        for ind in MANUAL:
            places = indicators[ind].decimals
            pace = Decimal(rng.randint(65, 100) if code != YICHENG else rng.randint(92, 99)) / 100
            share = Decimal(sum(MONTH_WEIGHTS[:months])) / Decimal(sum(MONTH_WEIGHTS))
            total = (Decimal(targets[ind]) * share * pace).quantize(Decimal(1).scaleb(-places))
            monthly[ind] = split(total, months, places, rng)
        _load_actuals(area, year, monthly, indicators)


def _key_plan(area: Area, year: int) -> dict[str, str]:
    """重点项目完成投资's target: the annual plan (亿元) of the area's city/province-listed
    projects in the construction demo, so completion matches the key-project table."""
    planned = KeyPlanRollup.objects.filter(
        area=area, year=year, top_level__in=CITY_OR_ABOVE
    ).aggregate(total=Sum("planned"))["total"]
    if not planned:
        return {}
    return {"key_project_investment": str((Decimal(planned) / 10000).quantize(Decimal("0.0001")))}


def _grown(value: Decimal, rng: random.Random, places: int) -> str:
    grown = value * Decimal(rng.randint(115, 130)) / 100
    return str(grown.quantize(Decimal(1).scaleb(-places)))
