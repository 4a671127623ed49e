"""The dashboards' per-(area, year) project rollup, backfilled from every existing project.

The backfill is ``projects.rollups.recount`` over all areas with the historical
models; reversing drops the table (it is derived data).
"""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models

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

    dependencies = [
        ('core', '0004_person'),
        ('projects', '0006_key_level_by_year'),
    ]

    operations = [
        migrations.CreateModel(
            name='YearRollup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('kind', models.CharField(max_length=8)),
                ('key', models.CharField(blank=True, max_length=32)),
                ('projects', models.IntegerField(default=0)),
                ('investment', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=18)),
                ('area', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.area')),
            ],
            options={
                'indexes': [models.Index(fields=['kind', 'area', 'year', 'key', 'projects', 'investment'], name='projects_yearrollup_cov')],
                'constraints': [models.UniqueConstraint(fields=('area', 'year', 'kind', 'key'), name='projects_yearrollup_unique')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
