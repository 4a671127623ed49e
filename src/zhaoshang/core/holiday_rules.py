"""The statutory holidays of a year without a State Council notice (预计).

《全国年节及纪念日放假办法》 as revised by 国务院令第795号 (in force from 2025):
元旦 1 day, 春节 4 days from 除夕, 清明节 1 (the solar term), 劳动节 2 (May 1–2),
端午节 1 (lunar 5-5), 中秋节 1 (lunar 8-15), 国庆节 3 (October 1–3). Its
article 6 gives a weekday in lieu (补假) for a holiday that falls on a
Saturday or Sunday; the notice later adds 调休, which no rule can foresee, so
none is guessed. Lunar and solar-term dates come from the ``holidays``
package's Chinese lunisolar tables (reliable for 1901–2099).

Plain Python without Django: the calendar cache and the tests call it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from holidays.calendars.chinese import _ChineseLunisolar

#: The years the lunisolar tables cover; outside them no date can be computed.
FIRST_YEAR = 1901
LAST_YEAR = 2099

#: Holiday names as the notices write them (data, like an area's name).
NEW_YEAR = "元旦"
SPRING = "春节"
QINGMING = "清明节"
LABOUR = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL = "国庆节"
IN_LIEU = "%s（补假）"

_LUNAR = _ChineseLunisolar()
_DAY = dt.timedelta(days=1)


def _run(first: dt.date | None, days: int) -> list[dt.date]:
    return [first + _DAY * i for i in range(days)] if first is not None else []


def _blocks(year: int) -> list[tuple[str, list[dt.date]]]:
    """Each statutory holiday of ``year`` with its dates, in date order."""
    new_year, _estimated = _LUNAR.lunar_new_year_date(year)
    eve = new_year - _DAY if new_year is not None else None
    blocks = [
        (NEW_YEAR, [dt.date(year, 1, 1)]),
        (SPRING, _run(eve, 4)),
        (QINGMING, [_LUNAR.qingming_date(year)[0]]),
        (LABOUR, _run(dt.date(year, 5, 1), 2)),
        (DRAGON_BOAT, _run(_LUNAR.dragon_boat_date(year)[0], 1)),
        (MID_AUTUMN, _run(_LUNAR.mid_autumn_date(year)[0], 1)),
        (NATIONAL, _run(dt.date(year, 10, 1), 3)),
    ]
    return sorted((b for b in blocks if b[1]), key=lambda b: b[1][0])


@cache
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """Date → holiday name for ``year``: the statutory days and their 补假.

    A holiday day on a Saturday or Sunday earns the next weekday after its
    block that no holiday holds (article 6). 中秋 falling inside 国庆 earns nothing: only a notice
    merges them into eight days, and no notice is guessed (on a weekend each
    of the two earns its own).
    """
    blocks = _blocks(year)
    days: dict[dt.date, str] = {}
    for name, dates in blocks:
        for day in dates:
            days.setdefault(day, name)
    for name, dates in blocks:
        owed = sum(day.weekday() >= 5 for day in dates)
        day = dates[-1]
        while owed:
            day += _DAY
            if day.weekday() < 5 and day not in days:
                days[day] = IN_LIEU % name
                owed -= 1
    return days
