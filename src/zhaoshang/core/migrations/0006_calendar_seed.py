"""Seed the calendar table with every year chinesecalendar knows (2004 on), one notice per year.

Document numbers are only given where they were checked against the published
notice; the others keep a blank number and name their source. A fresh
database therefore counts working days without any manual step; next year's
notice is entered in the admin (docs/calendar.md).
"""

import datetime as dt

from django.db import migrations

#: year → (document number, published); verified against the published text of each notice.
VERIFIED = {
    2024: ("国办发明电〔2023〕7号", dt.date(2023, 10, 25)),
    2025: ("国办发明电〔2024〕12号", dt.date(2024, 11, 12)),
    2026: ("", dt.date(2025, 11, 4)),  # date checked (新华社 2025-11-04); number not verified
}
#: chinesecalendar's English holiday names → the notices' Chinese names
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    Notice = apps.get_model("core", "CalendarNotice")
    Day = apps.get_model("core", "CalendarDay")
    source = f"chinesecalendar {chinese_calendar.__version__}"
    now = dt.datetime.now(dt.timezone.utc)
    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    notices = {}
    for year in years:
        if Notice.objects.filter(year=year).exists():
            continue
        number, published = VERIFIED.get(year, ("", None))
        notices[year] = Notice.objects.create(
            year=year,
            number=number,
            title=f"国务院办公厅关于{year}年部分节假日安排的通知",
            published=published,
            source=source,
            entered_at=now,
        )
    rows = [
        Day(date=day, kind=kind, name=NAMES.get(name, name), notice=notices[day.year])
        for table, kind in ((constants.holidays, "holiday"), (constants.workdays, "workday"))
        for day, name in table.items()
        if day.year in notices
    ]
    Day.objects.bulk_create(rows, batch_size=500)


def unseed(apps, schema_editor):
    apps.get_model("core", "CalendarNotice").objects.filter(entered_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_calendar")]

    operations = [migrations.RunPython(seed, unseed)]
