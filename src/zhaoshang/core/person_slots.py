"""Slots that must name distinct Persons (a registry this app owns, filled by higher apps).

Merging two 人员库 rows moves every reference of the duplicate to the survivor.
A responsibility chain (牵头领导, 责任局长, 一线分局长, 跟踪专员 …) lives in an app
above ``core``, which ``core`` may not import; yet a merge must not leave one
chain with the same Person in two of its slots. So the app that owns the chain
registers, from its ``AppConfig.ready()``, which fields of its model form such
a group, and ``core.services.person_merge`` refuses a merge that would put one
Person twice in a group, naming the rows:

    register_person_slots(Project, ("lead_cadre", "responsible_chief", "trackers"))

Fields may be foreign keys or many-to-many fields to ``core.Person``; a
many-to-many field counts once however many of its rows hold the Person (the
merge deduplicates them). Registering the same model and fields again is a
no-op (autoreload-safe).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models

#: model → groups of field names, each group holding distinct Persons.
PERSON_SLOT_GROUPS: dict[type[models.Model], list[tuple[str, ...]]] = {}


def register_person_slots(model: type[models.Model], fields: Sequence[str]) -> None:
    """Declare that ``fields`` of ``model`` must never name the same Person twice."""
    group = tuple(fields)
    groups = PERSON_SLOT_GROUPS.setdefault(model, [])
    if group not in groups:
        groups.append(group)


def person_slot_groups() -> dict[type[models.Model], list[tuple[str, ...]]]:
    """Every registered group, by model (read by the merge service)."""
    return PERSON_SLOT_GROUPS
