"""Recount the dashboard rollup so it holds the new ``entered`` rows (新签约/新开工 by month).

Derived data only: the recount rebuilds every area's rows from the projects and
their stage events; reversing leaves them (the old code ignores the new kind).
"""

from django.db import migrations

from zhaoshang.projects.rollups import recount


def backfill(apps, schema_editor):
    area = apps.get_model("core", "Area")
    models_ = (
        apps.get_model("projects", "Project"),
        apps.get_model("projects", "StageEvent"),
        apps.get_model("projects", "YearRollup"),
        area,
    )
    recount(area.objects.values_list("pk", flat=True), models=models_)


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_dashboard_rollup")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
