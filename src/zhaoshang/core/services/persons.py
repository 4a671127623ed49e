from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..choices import AuditAction, PersonRank, RoleCode
from ..models import Area, Person, Unit, User
from ..person_slots import person_slot_groups
from ..policy import Capability, is_official, require_area, within
from ..selectors import person_relations, relation_key
from ..snapshots import snapshot
from ..versions import bump_version
from .audit import audit_record, record_saved

# --- persons (人员库) -----------------------------------------------------------

#: A user's roles → the rank of their own Person, first match wins; else 其他.
RANK_OF_ROLE = (
    (RoleCode.LEADER, PersonRank.DISTRICT_LEADER),
    (RoleCode.CHIEF, PersonRank.CHIEF),
    (RoleCode.SUB_CHIEF, PersonRank.SUB_CHIEF),
    (RoleCode.STAFF, PersonRank.OFFICER),
)
#: Digits with an optional leading +, and - ( ) or spaces between: 0396-2345678, 138 0000 0000.
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
PHONE_DIGITS = (7, 20)
PERSON_FIELDS = ("name", "post", "rank", "unit", "phone", "active")
BAD_PHONE = gettext_lazy(
    "Enter a phone number of 7 to 20 digits, e.g. 0396-2345678 or 13800000000."
)
NAMED_PERSON = gettext_lazy(
    "This person is named in %(n)d places; deactivate them instead of deleting."
)
ACCOUNT_PERSON = gettext_lazy(
    "This person has a login account; deactivate them instead of deleting."
)
DIFFERENT_ACCOUNTS = gettext_lazy(
    "These persons have different login accounts; only one may keep its account."
)


def rank_for_roles(codes: Iterable[str]) -> str:
    """The rank a user's own Person takes from their roles (leader → 区级领导 …)."""
    held = set(codes)
    return next((rank for role, rank in RANK_OF_ROLE if role in held), PersonRank.OTHER)


def phone_ok(phone: str) -> bool:
    """Blank, or 7 to 20 digits with an optional leading + and - ( ) or spaces between."""
    phone = phone.strip()
    digits = sum(c.isdigit() for c in phone)
    return not phone or bool(PHONE_RE.match(phone) and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1])


def _person_valid(person: Person) -> None:
    """The model's rules plus a plausible phone, all refusals at once by field."""
    errors: dict[str, Any] = {}
    try:
        person.full_clean(exclude=["user"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not phone_ok(person.phone):
        errors.setdefault("phone", []).append(str(BAD_PHONE))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_create(
    *,
    acting_user: User | None,
    area: Area,
    name: str,
    post: str = "",
    rank: str = PersonRank.OTHER,
    unit: Unit | None = None,
    phone: str = "",
) -> Person:
    """Add a cadre to the 人员库 of ``area`` (one the caller may write to)."""
    require_area(acting_user, Capability.WRITE, area)
    person = Person(
        area=area, name=name.strip(), post=post.strip(), rank=rank, unit=unit, phone=phone.strip()
    )
    _person_valid(person)
    person.save()
    record_saved(acting_user=acting_user, instance=person, before=None)
    return person


@transaction.atomic
def person_update(
    *, acting_user: User | None, person: Person, expected_version: int | None, **changes: Any
) -> Person:
    """Change a Person's fields (``PERSON_FIELDS``); a stale version raises ConflictError.

    The area stays: a Person named on one area's work is not moved to another;
    add a new one instead.
    """
    require_area(acting_user, Capability.WRITE, person.area)
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in unknown})
    before = snapshot(person)
    for field, value in changes.items():
        setattr(person, field, value.strip() if isinstance(value, str) else value)
    _person_valid(person)
    values = {f"{f}_id" if f == "unit" else f: getattr(person, f) for f in changes}
    values = {k: getattr(v, "pk", v) for k, v in values.items()}
    bump_version(person, expected_version, **values)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=person,
        before=before,
        after=snapshot(person),
    )
    return person


@transaction.atomic
def person_delete(*, acting_user: User | None, person: Person) -> None:
    """Delete a Person nobody names and who has no account; otherwise refuse (deactivate)."""
    require_area(acting_user, Capability.WRITE, person.area)
    named = sum(_reference_count(rel, person) for rel in person_relations())
    if named:
        raise ValidationError(str(NAMED_PERSON) % {"n": named})
    if person.user_id:
        raise ValidationError(str(ACCOUNT_PERSON))
    audit_record(
        acting_user=acting_user,
        action=AuditAction.DELETE,
        instance=person,
        before=snapshot(person),
    )
    person.delete()


def _reference_count(rel: Any, person: Person) -> int:
    return int(rel.related_model._base_manager.filter(**{rel.field.name: person}).count())


@transaction.atomic
def person_merge(
    *,
    acting_user: User | None,
    survivor: Person,
    duplicates: Iterable[Person],
    expected_version: int | None,
) -> dict[str, int]:
    """Fold ``duplicates`` into ``survivor`` (合并重复人员): one transaction, one audit row.

    Every reference to a duplicate (foreign keys and many-to-many rows, found
    through ``Person._meta.related_objects``) moves to the survivor, a
    duplicate's login account moves when the survivor has none, and the
    duplicates are deleted. Refused, with nothing written, when the caller
    cannot write both areas, a duplicate sits above the survivor's area, both
    have different accounts, or a registered slot group (``person_slots``)
    would name the survivor twice. Returns the rows moved per relation.
    """
    dups = list({d.pk: d for d in duplicates if d.pk != survivor.pk}.values())
    require_area(acting_user, Capability.WRITE, survivor.area)
    for dup in dups:
        require_area(acting_user, Capability.WRITE, dup.area)
    _merge_refusal(survivor, dups)
    before = {"survivor": snapshot(survivor), "duplicates": [snapshot(d) for d in dups]}
    bump_version(survivor, expected_version)  # first: a stale page moves nothing
    moved: dict[str, int] = {}
    for rel in person_relations():
        count = sum(_move_references(rel, dup, survivor) for dup in dups)
        if count:
            moved[relation_key(rel)] = count
    account = _move_account(survivor, dups)
    merged = [d.pk for d in dups]
    for dup in dups:
        dup.delete()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=survivor,
        before=before,
        after={
            "merged": merged,
            "moved": moved,
            "user": account,
            "version": survivor.version,
        },
    )
    return moved


def _merge_refusal(survivor: Person, dups: list[Person]) -> None:
    """Why this merge may not happen, as a ValidationError on ``duplicates``; else nothing."""
    if not dups:
        raise ValidationError({"duplicates": _("Choose at least one other person to merge.")})
    errors = [
        _("%(person)s is in %(area)s, not in %(survivor_area)s or below it.")
        % {"person": d, "area": d.area.name, "survivor_area": survivor.area.name}
        for d in dups
        if not within(survivor.area, d.area)
    ]
    accounts = {p.user_id for p in (survivor, *dups) if p.user_id}
    if len(accounts) > 1:
        errors.append(str(DIFFERENT_ACCOUNTS))
    clashes = _slot_clashes(survivor, dups)
    if clashes:
        errors.append(
            _("The merge would name one person twice on: %(rows)s.") % {"rows": "、".join(clashes)}
        )
    if errors:
        raise ValidationError({"duplicates": errors})


def _slot_clashes(survivor: Person, dups: list[Person]) -> list[str]:
    """Rows of a registered slot group that would hold the merged Person in two slots."""
    ids = {survivor.pk, *(d.pk for d in dups)}
    clashes = []
    for model, groups in person_slot_groups().items():
        for group in groups:
            fields = [model._meta.get_field(name) for name in group]
            m2m = [f.name for f in fields if f.many_to_many]
            match = Q()
            for f in fields:
                match |= Q(**{f"{f.name}__in": ids})
            rows = model._base_manager.filter(match).distinct().prefetch_related(*m2m)
            for row in rows:
                slots = sum(_slot_holds(row, f, ids) for f in fields)
                if slots > 1:
                    clashes.append(str(row))
    return sorted(set(clashes))


def _slot_holds(row: models.Model, field: Any, ids: set[int]) -> bool:
    if field.many_to_many:
        return any(p.pk in ids for p in getattr(row, field.name).all())
    return getattr(row, field.attname) in ids


def _bumped(model: type[models.Model]) -> dict[str, Any]:
    """A moved row's version goes up, so an editor holding the old page gets a conflict."""
    names = {f.name for f in model._meta.concrete_fields}
    return {"version": F("version") + 1} if "version" in names else {}


def _move_references(rel: Any, dup: Person, survivor: Person) -> int:
    """Point ``rel``'s rows naming ``dup`` at ``survivor``; returns the rows moved."""
    model = rel.related_model
    name = rel.field.name
    if not rel.many_to_many:
        if rel.one_to_one and model._base_manager.filter(**{name: survivor}).exists():
            what = {"what": rel.field.verbose_name}
            raise ValidationError({"duplicates": _("Both persons hold a %(what)s.") % what})
        rows = model._base_manager.filter(**{name: dup})
        return int(rows.update(**{name: survivor}, **_bumped(model)))
    through = rel.through
    if not through._meta.auto_created:
        return 0  # its own foreign key to Person is a relation of its own and moves there
    source, target = rel.field.m2m_field_name(), rel.field.m2m_reverse_field_name()
    owners = set(through.objects.filter(**{target: dup}).values_list(f"{source}_id", flat=True))
    both = set(
        through.objects.filter(**{target: survivor}, **{f"{source}_id__in": owners}).values_list(
            f"{source}_id", flat=True
        )
    )
    through.objects.filter(**{target: dup}, **{f"{source}_id__in": both}).delete()
    through.objects.filter(**{target: dup}).update(**{target: survivor})
    model._base_manager.filter(pk__in=owners).update(**_bumped(model))
    return len(owners)


def _move_account(survivor: Person, dups: list[Person]) -> int | None:
    """The survivor keeps its account, or takes the (single) duplicate's."""
    if survivor.user_id:
        return survivor.user_id
    holder = next((d for d in dups if d.user_id), None)
    if holder is None:
        return None
    account = holder.user_id
    Person.objects.filter(pk=holder.pk).update(user=None)
    Person.objects.filter(pk=survivor.pk).update(user_id=account)
    survivor.user_id = account
    return account


def own_person_sync(
    *, acting_user: User | None, user: User, old_roles: Iterable[str] | None = None
) -> None:
    """Keep an account's own Person in step with it (created with the account, audited).

    An official of an area gets a Person named after the account (full name or
    username, title as post, unit, phone, rank from the roles); later edits of
    those fields follow. The rank follows a change of roles only while it is
    still the one the old roles gave (a rank set by hand in the 人员库 stays).
    Investors get no Person.
    """
    if user.area_id is None:
        return
    person = Person.objects.filter(user=user).first()
    if person is None and not is_official(user):
        return
    if person is None:
        person = Person(user=user, rank=rank_for_roles(user.role_codes))
    before = None if person.pk is None else snapshot(person)
    person.area_id, person.unit_id = user.area_id, user.unit_id
    person.name = (user.full_name or user.username)[:64]
    person.post, person.phone = user.title, user.phone
    if old_roles is not None and person.rank == rank_for_roles(old_roles):
        person.rank = rank_for_roles(user.role_codes)
    if before is not None and snapshot(person) == before:
        return
    if before is not None:
        person.version += 1
    person.full_clean(exclude=["user"])
    person.save()
    record_saved(acting_user=acting_user, instance=person, before=before)
