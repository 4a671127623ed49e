"""A stand-in for a model of a higher app that names Persons (a responsibility chain).

``core`` finds what points at a Person through ``Person._meta``; the projects
app's chain will be such a model once it names Persons. This one lives only in
the tests: its table is made by ``tests/core/conftest.py`` once per test database.
"""

from __future__ import annotations

from django.db import models

from zhaoshang.core.models import Person


class ChainStandIn(models.Model):
    title = models.CharField(max_length=64)
    lead = models.ForeignKey(
        Person, verbose_name="lead cadre", on_delete=models.PROTECT, related_name="led_chains"
    )
    chief = models.ForeignKey(
        Person,
        verbose_name="responsible chief",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trackers = models.ManyToManyField(
        Person, verbose_name="trackers", blank=True, related_name="tracked_chains"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        app_label = "core"
        db_table = "tests_core_chainstandin"
        verbose_name = "chain"
        verbose_name_plural = "chains"

    def __str__(self) -> str:
        return self.title
