"""Responsibility chains name Persons (人员库), not login accounts.

Every chain member of every project is repointed to the Person linked to the
same account (core 0004 made one for every account of an area); an account
without one (no area, or an investor) gets a Person in the project's area, so
no chain loses a member.
"""

import django.db.models.deletion
from django.db import migrations, models

SLOTS = ("lead_cadre", "responsible_chief", "frontline_sub_chief")


def _person_of(Person, user, area_id, cache):
    """The Person of ``user``: core 0004's, else one made now in the project's area."""
    if user.pk not in cache:
        person = Person.objects.filter(user_id=user.pk).first()
        if person is None:
            person = Person.objects.create(
                area_id=user.area_id or area_id,
                name=user.full_name or user.username,
                post=user.title,
                rank="other",
                unit_id=user.unit_id if user.area_id else None,
                phone=user.phone,
                user_id=user.pk,
            )
        cache[user.pk] = person.pk
    return cache[user.pk]


def to_persons(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Person = apps.get_model("core", "Person")
    User = apps.get_model("core", "User")
    users = {u.pk: u for u in User.objects.all()}
    cache: dict[int, int] = {}
    for project in Project.objects.all().iterator():
        changed = []
        for slot in SLOTS:
            user_id = getattr(project, f"{slot}_id")
            if user_id is not None:
                pk = _person_of(Person, users[user_id], project.area_id, cache)
                setattr(project, f"{slot}_person_id", pk)
                changed.append(f"{slot}_person")
        if changed:
            project.save(update_fields=changed)
    Through = Project.trackers.through
    NewThrough = Project.trackers_person.through
    rows = []
    for link in Through.objects.all().iterator():
        area_id = Project.objects.values_list("area_id", flat=True).get(pk=link.project_id)
        rows.append(
            NewThrough(
                project_id=link.project_id,
                person_id=_person_of(Person, users[link.user_id], area_id, cache),
            )
        )
    NewThrough.objects.bulk_create(rows)


def to_users(apps, schema_editor):
    """Back to accounts: a Person without one leaves the slot empty."""
    Project = apps.get_model("projects", "Project")
    Person = apps.get_model("core", "Person")
    account = dict(Person.objects.values_list("pk", "user_id"))
    for project in Project.objects.all().iterator():
        for slot in SLOTS:
            person_id = getattr(project, f"{slot}_person_id")
            setattr(project, f"{slot}_id", account.get(person_id) if person_id else None)
        project.save(update_fields=list(SLOTS))
    Through = Project.trackers.through
    NewThrough = Project.trackers_person.through
    Through.objects.bulk_create(
        Through(project_id=link.project_id, user_id=account[link.person_id])
        for link in NewThrough.objects.all()
        if account.get(link.person_id)
    )


def _fk(name, related):
    return migrations.AddField(
        model_name="project",
        name=f"{name}_person",
        field=models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name=f"+{related}",
            to="core.person",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_person"),
        ("projects", "0004_enterprise_founded_not_future"),
    ]

    operations = [
        _fk("lead_cadre", "l"),
        _fk("responsible_chief", "c"),
        _fk("frontline_sub_chief", "s"),
        migrations.AddField(
            model_name="project",
            name="trackers_person",
            field=models.ManyToManyField(blank=True, related_name="+", to="core.person"),
        ),
        migrations.RunPython(to_persons, to_users),
        migrations.RemoveField(model_name="project", name="lead_cadre"),
        migrations.RemoveField(model_name="project", name="responsible_chief"),
        migrations.RemoveField(model_name="project", name="frontline_sub_chief"),
        migrations.RemoveField(model_name="project", name="trackers"),
        migrations.RenameField("project", "lead_cadre_person", "lead_cadre"),
        migrations.RenameField("project", "responsible_chief_person", "responsible_chief"),
        migrations.RenameField("project", "frontline_sub_chief_person", "frontline_sub_chief"),
        migrations.RenameField("project", "trackers_person", "trackers"),
        migrations.AlterField(
            model_name="project",
            name="lead_cadre",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects_led",
                to="core.person",
                verbose_name="lead cadre",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="responsible_chief",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects_as_chief",
                to="core.person",
                verbose_name="responsible chief",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="frontline_sub_chief",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects_as_sub_chief",
                to="core.person",
                verbose_name="frontline sub-chief",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="trackers",
            field=models.ManyToManyField(
                blank=True,
                related_name="projects_tracked",
                to="core.person",
                verbose_name="trackers",
            ),
        ),
    ]
