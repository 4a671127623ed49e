"""The seed's indicators (DOMAIN.md §6) as reference data, like the roles in core."""

from django.db import migrations

INDICATORS = [
    # code, name, unit, decimals, source, sort
    ("import_export", "进出口总额", "万美元", 0, "manual", 10),
    ("fdi", "实际利用外资", "万美元", 0, "manual", 20),
    ("out_of_city_capital", "引进市外资金", "亿元", 2, "manual", 30),
    ("key_project_investment", "重点项目完成投资", "亿元", 3, "key_investment", 40),
    ("new_signed", "新签约项目数", "个", 0, "signed_count", 50),
    ("new_started", "新开工项目数", "个", 0, "started_count", 60),
]


def create(apps, schema_editor):
    indicator = apps.get_model("targets", "Indicator")
    for code, name, unit, decimals, source, sort in INDICATORS:
        indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "decimals": decimals,
                "source": source,
                "sort": sort,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
