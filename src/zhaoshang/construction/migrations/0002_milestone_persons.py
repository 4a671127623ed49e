"""Work-plan milestones name Persons (人员库): 分包领导 and 责任人.

``leader`` is repointed from the account to its Person (core 0004 made one for
every account of an area). The 责任人 text becomes a Person: the one of that
name in the milestone's area or above (its own area first), else a new Person
(rank 其他) in the milestone's area, one per distinct name, so no row loses it.
"""

import django.db.models.deletion
from django.db import migrations, models


def _ancestors(area):
    return [code for code in area.path.split("/") if code]


def _named(Person, Area, area_id, name, cache):
    """The Person ``name`` means on a milestone of ``area_id``; created when nobody fits."""
    key = (area_id, name)
    if key not in cache:
        area = Area.objects.get(pk=area_id)
        codes = _ancestors(area)
        found = sorted(
            Person.objects.filter(name=name, area__code__in=codes).select_related("area"),
            key=lambda p: (-len(p.area.path), not p.active, p.pk),  # nearest, active first
        )
        person = found[0] if found else Person.objects.create(area_id=area_id, name=name)
        cache[key] = person.pk
    return cache[key]


def to_persons(apps, schema_editor):
    Milestone = apps.get_model("construction", "Milestone")
    Person = apps.get_model("core", "Person")
    Area = apps.get_model("core", "Area")
    User = apps.get_model("core", "User")
    of_user = dict(Person.objects.filter(user__isnull=False).values_list("user_id", "pk"))
    names: dict = {}
    for milestone in Milestone.objects.all().iterator():
        fields = []
        if milestone.leader_id is not None:
            person_id = of_user.get(milestone.leader_id)
            if person_id is None:  # an account core 0004 gave no Person (no area)
                user = User.objects.get(pk=milestone.leader_id)
                person_id = Person.objects.create(
                    area_id=milestone.area_id,
                    name=user.full_name or user.username,
                    post=user.title,
                    user_id=user.pk,
                ).pk
                of_user[user.pk] = person_id
            milestone.leader_person_id = person_id
            fields.append("leader_person")
        text = milestone.responsible_person.strip()
        if text:
            milestone.responsible_person_ref_id = _named(
                Person, Area, milestone.area_id, text[:64], names
            )
            fields.append("responsible_person_ref")
        if fields:
            milestone.save(update_fields=fields)


def to_users(apps, schema_editor):
    """Back: the leader's account (if any) and the 责任人's name as text."""
    Milestone = apps.get_model("construction", "Milestone")
    Person = apps.get_model("core", "Person")
    persons = {p.pk: p for p in Person.objects.all()}
    for milestone in Milestone.objects.all().iterator():
        leader = persons.get(milestone.leader_person_id)
        milestone.leader_id = leader.user_id if leader else None
        responsible = persons.get(milestone.responsible_person_ref_id)
        milestone.responsible_person = responsible.name if responsible else ""
        milestone.save(update_fields=["leader", "responsible_person"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_person"),
        ("construction", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="leader_person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.person",
            ),
        ),
        migrations.AddField(
            model_name="milestone",
            name="responsible_person_ref",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.person",
            ),
        ),
        migrations.RunPython(to_persons, to_users),
        migrations.RemoveField(model_name="milestone", name="leader"),
        migrations.RemoveField(model_name="milestone", name="responsible_person"),
        migrations.RenameField("milestone", "leader_person", "leader"),
        migrations.RenameField("milestone", "responsible_person_ref", "responsible_person"),
        migrations.AlterField(
            model_name="milestone",
            name="leader",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="milestones_led",
                to="core.person",
                verbose_name="leader in charge",
            ),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="responsible_person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="milestones_responsible",
                to="core.person",
                verbose_name="responsible person",
            ),
        ),
    ]
