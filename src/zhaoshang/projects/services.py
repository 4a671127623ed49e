"""Every write of investment attraction: enterprises, projects, stage moves, activities.

Each function is keyword-only, takes ``acting_user``, validates before writing
and audits in the same transaction. Project writes check ``version`` so two
people editing the same project cannot silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.lifecycle import log_move
from zhaoshang.core.models import Area, Person, Unit, User
from zhaoshang.core.policy import Capability, require_area, within
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot, snapshot_value
from zhaoshang.core.versions import bump_version

from . import rollups
from .choices import CHAIN_RANKS, CHAIN_SLOTS, MAIN_STAGES, Stage
from .lifecycle import PROJECT
from .models import Activity, Attachment, Enterprise, EnterpriseLink, Project, StageEvent

MAX_TRACKERS = 2
MAX_COOPERATING_UNITS = 5
#: Fields a project update may change; stage moves go through ``project_transition``.
#: what a project counts under on the dashboards (``projects.rollups``)
ROLLUP_FIELDS = frozenset({"cluster", "source_region", "total_investment"})

EDITABLE_FIELDS = frozenset(
    {
        "code",
        "name",
        "investor",
        "investor_name",
        "cluster",
        "source_region",
        "source_province",
        "source_country",
        "method",
        "total_investment",
        "foreign_capital",
        "out_of_city_capital",
        "land_area",
        "land_parcel",
        "contract_date",
        "contracted_amount",
        "start_date",
        "production_date",
        "sub_bureau",
        "lead_cadre",
        "responsible_chief",
        "frontline_sub_chief",
        "notes",
    }
)


# --- enterprises ---------------------------------------------------------------


@transaction.atomic
def enterprise_save(*, acting_user: User | None, enterprise: Enterprise) -> Enterprise:
    require_area(acting_user, Capability.WRITE, enterprise.area)
    before = (
        None if enterprise._state.adding else snapshot(Enterprise.objects.get(pk=enterprise.pk))
    )
    enterprise.full_clean()
    enterprise.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=enterprise,
        before=before,
        after=snapshot(enterprise),
    )
    return enterprise


@transaction.atomic
def enterprise_link_add(
    *, acting_user: User | None, source: Enterprise, target: Enterprise, kind: str
) -> EnterpriseLink:
    require_area(acting_user, Capability.WRITE, source.area)
    if source.pk == target.pk:
        raise ValidationError({"target": _("An enterprise cannot be linked to itself.")})
    link = EnterpriseLink(source=source, target=target, kind=kind)
    link.full_clean()
    link.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=link,
        area=source.area,
        object_repr=f"{source} → {target} ({link.get_kind_display()})",
        after=snapshot(link),
    )
    return link


# --- projects ------------------------------------------------------------------


#: Persons already in a slot before an edit, by slot: their rank and activity are not judged
#: again (they were accepted when set; a deactivated 牵头 stays on what they lead)
Kept = dict[str, frozenset[int]]


def rank_message(slot: str) -> str:
    """Why a Person does not fit ``slot`` (a chain slot or a milestone's ``leader``)."""
    messages = {
        "lead_cadre": _("The lead cadre must be a district leader or a division-level cadre."),
        "leader": _("The leader in charge must be a district leader or a division-level cadre."),
        "responsible_chief": _("The responsible chief must be a bureau chief."),
        "frontline_sub_chief": _("The frontline sub-chief must be a sub-bureau chief."),
        "trackers": _("Trackers must be investment officers."),
    }
    return messages[slot]


def person_problem(
    person: Person, slot: str, area: Area, *, ranks: tuple[str, ...], kept: frozenset[int]
) -> str | None:
    """Why ``person`` cannot fill ``slot`` on ``area``'s work, or None.

    Within reach means the area or above it (a city leader may lead a district
    project); a Person kept from before the edit is not judged again for rank
    or activity.
    """
    if not within(person.area, area):
        return _("This person belongs to another area.")
    if person.pk in kept:
        return None
    if not person.active:
        return _("%(name)s is no longer active.") % {"name": person.name}
    if person.rank not in ranks:
        return rank_message(slot)
    return None


def chain_kept(project: Project, *, trackers: bool = False) -> Kept:
    """The Persons of a stored project's chain by slot (``trackers``: one query more)."""
    kept = {
        slot: frozenset([pk]) if (pk := getattr(project, f"{slot}_id")) else frozenset()
        for slot in CHAIN_SLOTS
    }
    if trackers and project.pk is not None:
        kept["trackers"] = frozenset(project.trackers.values_list("pk", flat=True))
    return kept


def chain_errors(
    project: Project, *, trackers: list[Person] | None = None, kept: Kept | None = None
) -> dict[str, str]:
    """Every problem of the chain, by field, not raised (the services, pages and importer alike).

    Each slot takes Persons of its ranks (``CHAIN_RANKS``), active and within
    the project's reach (its area or above); nobody fills two slots (trackers
    included, when given); the sub-bureau and cluster come from the project's area.
    """
    kept = kept or {}
    errors: dict[str, str] = {}
    holders: dict[int, str] = {}  # person → the first slot they fill
    members = [(slot, getattr(project, slot)) for slot in CHAIN_SLOTS]
    members += [("trackers", person) for person in trackers or ()]
    for slot, person in members:
        if person is None:
            continue
        own = kept.get(slot, frozenset())
        who = person.pk if person.pk is not None else id(person)  # unsaved: an import's new one
        problem = person_problem(
            person, slot, project.area, ranks=CHAIN_RANKS[slot], kept=own
        ) or _twice(person, slot, holders.get(who), kept)
        if problem:
            errors.setdefault(slot, problem)
        holders.setdefault(who, slot)
    if project.sub_bureau is not None and project.sub_bureau.area_id != project.area_id:
        errors["sub_bureau"] = _("The sub-bureau must belong to the project's area.")
    if project.cluster is not None and project.cluster.area_id != project.area_id:
        errors["cluster"] = _("The cluster must belong to the project's area.")
    return errors


def _slot_label(slot: str) -> str:
    field = Project._meta.get_field(slot)
    return str(getattr(field, "verbose_name", slot))


def _twice(person: Person, slot: str, first: str | None, kept: Kept) -> str | None:
    """A Person in a second slot, unless both places were theirs before the edit."""
    if first is None or first == slot:
        return None
    if person.pk in kept.get(slot, ()) and person.pk in kept.get(first, ()):
        return None
    return _("%(name)s already fills another slot of this chain (%(slot)s).") % {
        "name": person.name,
        "slot": _slot_label(first),
    }


def project_errors(
    project: Project,
    stage: str,
    *,
    trackers: list[Person] | None = None,
    units: list[Unit] | None = None,
    still_missing: frozenset[str] = frozenset(),
    kept: Kept | None = None,
) -> dict[str, list[str]]:
    """Every problem of a project about to be saved at ``stage``, all at once, by field.

    ``still_missing``: fields the stored project already lacked at its stage
    (资料待补, e.g. imported from a ledger): their missing-data refusal is not
    raised again, so an unrelated edit of a flagged project saves.

    Field rules (``full_clean``), the chain, the lifecycle's gates at the stage
    and the chain members: a form or a request with three bad fields gets three
    messages, not the first. A field whose value is already refused is not
    judged again by the gates (its value cannot be compared). ``kept``: the chain
    as stored (``chain_kept``), whose members are not judged again for rank.
    """
    errors: dict[str, list[str]] = {}
    try:
        project.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    refused = dict.fromkeys(errors)
    found = dict(chain_errors(project, trackers=trackers, kept=kept))
    if stage in MAIN_STAGES:
        lacking = {rule.field for rule in PROJECT.missing(project, stage, values=refused)}
        tolerated = lacking & still_missing  # still empty, as before the edit: no new refusal
        for field, message in gate_errors(project, stage, reason="—", values=refused).items():
            if field not in refused and field not in tolerated:
                found.setdefault(field, message)
    for field, message in member_errors(
        project, trackers=trackers or [], units=units or []
    ).items():
        found.setdefault(field, message)
    for field, message in found.items():
        errors.setdefault(field, []).append(str(message))
    return errors


#: The data a stage needs, as {field: message}; empty when the move may proceed.
#: The table is ``lifecycle.PROJECT.gates``, which the importer and the pages read too.
gate_errors = PROJECT.gate_errors
#: Why a move is illegal in itself (not for lack of data), or None.
transition_error = PROJECT.move_error


@transaction.atomic
def project_create(
    *,
    acting_user: User | None,
    area: Area,
    name: str,
    stage: str = Stage.LEAD,
    event_date: dt.date | None = None,
    trackers: Iterable[Person] = (),
    cooperating_units: Iterable[Unit] = (),
    note: str = "",
    **fields: Any,
) -> Project:
    """Create a project at a stage (a ledger may bring one already signed).

    The first stage event records where it started; the same gates apply as
    for a move, so a project cannot be born "signed" without a contract date.
    """
    require_area(acting_user, Capability.WRITE, area)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    project = Project(area=area, name=name, stage=stage, **fields)
    trackers, cooperating_units = list(trackers), list(cooperating_units)
    errors = project_errors(project, stage, trackers=trackers, units=cooperating_units)
    if stage not in MAIN_STAGES:
        errors.setdefault("stage", []).append(
            _("A new project starts on the main line, not paused or terminated.")
        )
    if errors:
        raise ValidationError(errors)
    project.last_progress_on = event_date_checked(event_date, None)
    project.save()
    _set_chain_members(project, trackers=trackers, units=cooperating_units)
    log_move(
        StageEvent,
        project=project,
        from_stage="",
        to_stage=stage,
        event_date=project.last_progress_on,
        actor=acting_user,
        note=note,
    )
    rollups.recount([area.pk])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=project,
        after=snapshot(project),
    )
    return project


def event_date_checked(value: dt.date | None, previous: dt.date | None) -> dt.date:
    """The real-world date of a move: default today, not in the future, not before the last."""
    today = timezone.localdate()
    value = value or today
    if value > today:
        raise ValidationError({"event_date": _("The date cannot be in the future.")})
    if previous and value < previous:
        raise ValidationError(
            {
                "event_date": _("The date cannot be before the previous stage move (%(d)s).")
                % {"d": previous.isoformat()}
            }
        )
    return value


def member_errors(project: Project, *, trackers: list[Person], units: list[Unit]) -> dict[str, str]:
    """At most two trackers and five cooperating units, all within the project's reach."""
    errors: dict[str, str] = {}
    if len(trackers) > MAX_TRACKERS:
        errors["trackers"] = _("At most two trackers.")
    elif any(not within(u.area, project.area) for u in trackers):
        errors["trackers"] = _("This person belongs to another area.")
    if len(units) > MAX_COOPERATING_UNITS:
        errors["cooperating_units"] = _("At most five cooperating units.")
    elif any(not within(u.area, project.area) for u in units):
        errors["cooperating_units"] = _("This unit belongs to another area.")
    return errors


def _set_chain_members(project: Project, *, trackers: list[Person], units: list[Unit]) -> None:
    errors = member_errors(project, trackers=trackers, units=units)
    if errors:
        raise ValidationError(errors)
    project.trackers.set(trackers)
    project.cooperating_units.set(units)


def later(current: dt.date | None, date: dt.date) -> dt.date:
    return date if current is None or date > current else current


def progress_mark(project: Project, date: dt.date) -> None:
    """Move ``last_progress_on`` forward (never back) without touching the version:
    an activity is progress, not an edit of the project."""
    Project.objects.filter(
        Q(last_progress_on__isnull=True) | Q(last_progress_on__lt=date), pk=project.pk
    ).update(last_progress_on=date)
    project.last_progress_on = later(project.last_progress_on, date)


@transaction.atomic
def project_update(
    *,
    acting_user: User | None,
    project: Project,
    expected_version: int | None,
    trackers: Iterable[Person] | None = None,
    cooperating_units: Iterable[Unit] | None = None,
    **changes: Any,
) -> Project:
    """Change a project's fields; a stale ``expected_version`` raises ConflictError."""
    require_area(acting_user, Capability.WRITE, project.area)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(project)
    lacking = frozenset(rule.field for rule in PROJECT.missing(project))
    kept = chain_kept(project, trackers=True)
    for field, value in changes.items():
        setattr(project, field, value)
    new_trackers = None if trackers is None else list(trackers)
    new_units = None if cooperating_units is None else list(cooperating_units)
    errors = project_errors(
        project,
        project.stage,
        trackers=new_trackers if new_trackers is not None else list(project.trackers.all()),
        units=new_units,
        still_missing=lacking,
        kept=kept,
    )
    if errors:
        raise ValidationError(errors)
    values = {
        f.attname: getattr(project, f.attname)
        for f in Project._meta.concrete_fields
        if f.name in changes
    }
    bump_version(project, expected_version, **values)
    if ROLLUP_FIELDS & set(changes):
        rollups.recount([project.area_id])
    if new_trackers is not None or new_units is not None:
        _set_chain_members(
            project,
            trackers=new_trackers if new_trackers is not None else list(project.trackers.all()),
            units=new_units if new_units is not None else list(project.cooperating_units.all()),
        )
    after = snapshot(project)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=project,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    return project


@transaction.atomic
def project_transition(
    *,
    acting_user: User | None,
    project: Project,
    to_stage: str,
    event_date: dt.date | None = None,
    note: str = "",
    reason: str = "",
    evidence: Attachment | None = None,
    expected_version: int | None = None,
    contract_date: dt.date | None = None,
    contracted_amount: Decimal | None = None,
    start_date: dt.date | None = None,
) -> StageEvent:
    """Move a project to another stage, recording who, when and why.

    Gate data (contract date and amount, start date) may come with the move;
    a move to 投产 records its date as the production date. Both are in the
    move's audit row (old → new);
    any refusal raises ValidationError and changes nothing.
    """
    require_area(acting_user, Capability.WRITE, project.area)
    illegal = transition_error(project, to_stage, reason=reason)
    if illegal:
        raise ValidationError({"to_stage": illegal})
    gate_data: dict[str, Any] = {
        "contract_date": contract_date,
        "contracted_amount": contracted_amount,
        "start_date": start_date,
    }
    last = project.stage_events.order_by("-event_date", "-id").first()
    when = event_date_checked(event_date, last.event_date if last else None)
    if to_stage == Stage.PRODUCTION and project.production_date is None:
        gate_data["production_date"] = when  # 投产 happened on the day of the move
    before = {"stage": project.stage}
    for field, value in gate_data.items():
        if value is not None and value != getattr(project, field):
            before[field] = snapshot_value(getattr(project, field))
            setattr(project, field, value)
    errors = gate_errors(project, to_stage, reason=reason)
    if errors:
        raise ValidationError(errors)
    if evidence is not None and evidence.project_id != project.pk:
        raise ValidationError({"evidence": _("The evidence file belongs to another project.")})
    from_stage = project.stage
    bump_version(
        project,
        expected_version,
        stage=to_stage,
        contract_date=project.contract_date,
        contracted_amount=project.contracted_amount,
        start_date=project.start_date,
        production_date=project.production_date,
        last_progress_on=later(project.last_progress_on, when),
    )
    project.stage = to_stage
    project.last_progress_on = later(project.last_progress_on, when)
    event = log_move(
        StageEvent,
        project=project,
        from_stage=from_stage,
        to_stage=to_stage,
        event_date=when,
        actor=acting_user,
        note=note,
        reason=reason,
        evidence=evidence,
    )
    rollups.recount([project.area_id])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=project,
        before=before,
        after={
            "stage": to_stage,
            "event_date": when.isoformat(),
            "reason": reason,
            **{f: snapshot_value(getattr(project, f)) for f in before if f != "stage"},
        },
    )
    return event


# --- activities and evidence ---------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    acting_user: User,
    area: Area,
    kind: str,
    date: dt.date,
    project: Project | None = None,
    people: Iterable[User] = (),
    days: Decimal = Decimal("1"),
    **fields: Any,
) -> Activity:
    """Record an investment activity; a future date or an outside person is refused.

    So is a span that reaches past today (``Activity.last_date``): an activity is
    recorded after it happened, so every day it counts for (the leaders'
    “二分之一” report) has passed; a longer trip is recorded when it is over.
    """
    require_area(acting_user, Capability.WRITE, area)
    if date > timezone.localdate():
        raise ValidationError(
            {
                "date": _(
                    "An activity is recorded after it happened; the date cannot be in the future."
                )
            }
        )
    if project is not None and project.area_id != area.pk:
        raise ValidationError({"project": _("The project belongs to another area.")})
    activity = Activity(
        area=area,
        project=project,
        kind=kind,
        date=date,
        days=days,
        created_by=acting_user,
        **fields,
    )
    activity.full_clean()
    if activity.last_date > timezone.localdate():
        raise ValidationError(
            {
                "days": _(
                    "Days spent reach past today: %(days)s days from %(date)s last until "
                    "%(end)s. Record an activity once it is over."
                )
                % {"days": activity.days, "date": date, "end": activity.last_date}
            }
        )
    if activity.next_due and activity.next_due < date:
        raise ValidationError({"next_due": _("The next step cannot be due before the activity.")})
    people = list(people)
    if any(not within(p.area, area) for p in people):
        raise ValidationError({"people": _("This person belongs to another area.")})
    activity.save()
    activity.people.set(people)
    if project is not None:
        progress_mark(project, date)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=activity,
        after={**snapshot(activity), "people": [p.pk for p in people]},
    )
    return activity


@transaction.atomic
def attachment_add(*, acting_user: User, project: Project, name: str, content: bytes) -> Attachment:
    """Store an evidence file after checking its size and its real type (by content)."""
    require_area(acting_user, Capability.WRITE, project.area)
    from django.core.files.base import ContentFile

    from .files import check_upload

    content_type, sha = check_upload(name=name, content=content)
    attachment = Attachment(
        project=project,
        original_name=name[:200],
        content_type=content_type,
        size=len(content),
        sha256=sha,
        uploaded_by=acting_user,
    )
    attachment.file.save(f"{sha[:16]}{_suffix(name)}", ContentFile(content), save=False)
    attachment.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=attachment,
        area=project.area,
        after=snapshot(attachment),
    )
    return attachment


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
