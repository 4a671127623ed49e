"""Every write of the core app, each audited in the same transaction.

Service functions take keyword arguments only and an ``acting_user``
(``None`` for the system itself, e.g. the demo loader). They validate with
``full_clean()`` before saving, so a bad value raises ``ValidationError`` and
nothing is written.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import AuditAction, AuditResult, PersonRank, RoleCode
from .context import current_ip
from .models import ApiToken, Area, AuditEvent, Person, Role, TokenScope, Unit, User
from .person_slots import person_slot_groups
from .policy import Capability, is_official, require, require_area, within
from .selectors import person_relations, relation_key
from .snapshots import snapshot
from .versions import bump_version


def _area_of(instance: models.Model | None) -> Area | None:
    if isinstance(instance, Area):
        return instance
    return getattr(instance, "area", None) if instance is not None else None


def audit_record(
    *,
    acting_user: User | None,
    action: str,
    instance: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = AuditResult.SUCCESS,
    username: str = "",
    area: Area | None = None,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one audit row. Callers run it inside their own write's transaction.

    The row's area is the object's area when it has one, so the supervisors of
    the area a change touched can see it, else the acting user's area.
    """
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_repr = object_repr or str(instance)
    event = AuditEvent(
        at=timezone.now(),
        user=acting_user,
        username=username or (acting_user.get_username() if acting_user else "system"),
        area=area or _area_of(instance) or (acting_user.area if acting_user else None),
        ip=current_ip.get(),
        action=action,
        object_type=object_type,
        object_id=str(instance.pk) if instance is not None and instance.pk is not None else "",
        object_repr=object_repr[:200],
        before=before,
        after=after,
        result=result,
    )
    event.save(force_insert=True)
    return event


def _saved(
    *, acting_user: User | None, instance: models.Model, before: dict[str, Any] | None
) -> None:
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=instance,
        before=before,
        after=snapshot(instance),
    )


def _before(instance: models.Model) -> dict[str, Any] | None:
    """The stored row as it is now, or None for a new row."""
    if instance._state.adding or instance.pk is None:
        return None
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    return snapshot(stored) if stored is not None else None


# --- areas -------------------------------------------------------------------


@transaction.atomic
def area_save(*, acting_user: User | None, area: Area) -> Area:
    """Create or update an Area and keep the materialised ``path`` of it and below in step."""
    require(acting_user, Capability.ADMINISTER)
    before = _before(area)
    area.path = f"{area.parent.path if area.parent else ''}{area.code}/"
    area.full_clean()
    old_path = before["path"] if before else None
    area.save()
    if old_path and old_path != area.path:
        for below in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk):
            below.path = area.path + below.path[len(old_path) :]
            below.save(update_fields=["path"])
    _saved(acting_user=acting_user, instance=area, before=before)
    return area


def area_create(
    *, acting_user: User | None, code: str, name: str, level: str, parent: Area | None = None
) -> Area:
    require(acting_user, Capability.ADMINISTER)
    return area_save(
        acting_user=acting_user, area=Area(code=code, name=name, level=level, parent=parent)
    )


# --- units -------------------------------------------------------------------


@transaction.atomic
def unit_save(*, acting_user: User | None, unit: Unit) -> Unit:
    require(acting_user, Capability.ADMINISTER)
    before = _before(unit)
    unit.full_clean()
    unit.save()
    _saved(acting_user=acting_user, instance=unit, before=before)
    return unit


def unit_create(
    *, acting_user: User | None, name: str, kind: str, area: Area, parent: Unit | None = None
) -> Unit:
    require(acting_user, Capability.ADMINISTER)
    return unit_save(
        acting_user=acting_user, unit=Unit(name=name, kind=kind, area=area, parent=parent)
    )


# --- users -------------------------------------------------------------------


@transaction.atomic
def user_save(*, acting_user: User | None, user: User, password: str | None = None) -> User:
    """Create or update a user.

    A new account made by a person (an admin) must change its password at
    first log-in; one made by the system (the demo loader) need not.
    """
    if acting_user != user:
        require(acting_user, Capability.ADMINISTER)
    before = _before(user)
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = acting_user is not None and acting_user != user
    if before is None and password is None:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    _saved(acting_user=acting_user, instance=user, before=before)
    _own_person_sync(acting_user=acting_user, user=user)
    return user


@transaction.atomic
def user_set_roles(*, acting_user: User | None, user: User, roles: Iterable[Role | str]) -> None:
    """Replace a user's roles; the audit row lists the codes before and after."""
    require(acting_user, Capability.ADMINISTER)
    codes = sorted({r.code if isinstance(r, Role) else str(r) for r in roles})
    before = sorted(user.roles.values_list("code", flat=True))
    if codes == before:
        return
    user.roles.set(Role.objects.filter(code__in=codes))
    user.__dict__.pop("_role_codes", None)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=user,
        before={"roles": before},
        after={"roles": codes},
    )
    _own_person_sync(acting_user=acting_user, user=user, old_roles=before)


@transaction.atomic
def user_change_password(*, acting_user: User, user: User, new_password: str) -> None:
    """Set a password after the validators pass.

    Changing one's own password clears the forced-change flag; an admin
    resetting someone else's sets it, so only the owner ever knows the password.
    """
    validate_password(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = acting_user.pk != user.pk
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit_record(acting_user=acting_user, action=AuditAction.PASSWORD_CHANGE, instance=user)


@transaction.atomic
def user_set_language(*, acting_user: User, language: str) -> None:
    before = {"language": acting_user.language}
    acting_user.language = language
    acting_user.full_clean(exclude=["password"])
    acting_user.save(update_fields=["language"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=acting_user,
        before=before,
        after={"language": language},
    )


@transaction.atomic
def instance_save(*, acting_user: User | None, instance: models.Model) -> models.Model:
    """Validate, save and audit a simple row that has no workflow of its own."""
    require(acting_user, Capability.ADMINISTER)
    before = _before(instance)
    instance.full_clean()
    instance.save()
    _saved(acting_user=acting_user, instance=instance, before=before)
    return instance


@transaction.atomic
def instance_delete(*, acting_user: User | None, instance: models.Model) -> None:
    """Delete a row (PROTECT foreign keys refuse it if anything still points at it)."""
    require(acting_user, Capability.ADMINISTER)
    before = snapshot(instance)
    audit_record(
        acting_user=acting_user, action=AuditAction.DELETE, instance=instance, before=before
    )
    instance.delete()


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
    _saved(acting_user=acting_user, instance=person, before=None)
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


def _own_person_sync(
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
    _saved(acting_user=acting_user, instance=person, before=before)


# --- authentication events -----------------------------------------------------


def auth_record_login(*, user: User) -> None:
    audit_record(acting_user=user, action=AuditAction.LOGIN, instance=user, area=user.area)


def auth_record_login_failed(*, username: str, locked_out: bool) -> None:
    """A failed log-in, tied to the account when the username exists."""
    user = User.objects.filter(username=username).select_related("area").first()
    audit_record(
        acting_user=user,
        action=AuditAction.LOCKED_OUT if locked_out else AuditAction.LOGIN_FAILED,
        username=username[:150],
        area=user.area if user else None,
        object_type="core.user" if user else "",
        object_repr=username[:200],
        result=AuditResult.FAILURE,
    )


def auth_record_logout(*, user: User, expired: bool = False) -> None:
    audit_record(
        acting_user=user,
        action=AuditAction.SESSION_EXPIRED if expired else AuditAction.LOGOUT,
        instance=user,
        area=user.area,
    )


@transaction.atomic
def otp_enrol_confirm(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Store the TOTP device only once the app's first code matches the shown key.

    The key lives in the session until then, so abandoned enrolments leave no rows.
    """
    device = TOTPDevice.objects.create(user=user, name="TOTP", key=key, confirmed=False)
    ok = device.verify_token(token)
    if ok:
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    else:
        device.delete()
    auth_record_otp(user=user, enrolled=True, ok=ok)
    return device if ok else None


@transaction.atomic
def otp_reset(*, acting_user: User, user: User) -> None:
    """Remove a user's TOTP devices (lost phone); they enrol again at next log-in."""
    require(acting_user, Capability.ADMINISTER)
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=user,
        before={"totp_devices": count},
        after={"totp_devices": 0},
    )


@transaction.atomic
def user_unlock(*, acting_user: User, user: User) -> int:
    """Lift a django-axes lockout early; the audit row names who did it."""
    require(acting_user, Capability.ADMINISTER)
    from axes.utils import reset

    cleared = reset(username=user.username)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=user,
        before={"locked_attempts": cleared},
        after={"locked_attempts": 0},
    )
    return cleared


#: wrong codes in a row that close the second step for ``OTP_LOCK``
OTP_MAX_FAILURES = 5
OTP_LOCK = timedelta(minutes=15)


def otp_locked_until(user: User) -> Any:
    """When the second step opens again after ``OTP_MAX_FAILURES`` wrong codes, else None.

    This replaces django-otp's doubling delay (``OTP_TOTP_THROTTLE_FACTOR = 0``),
    which refused the right code typed just after a wrong one. django-otp still
    counts wrong codes on the device row (reset by a right one), so every app
    process sees the same lock.
    """
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=True)
        .order_by("-throttling_failure_count")
        .first()
    )
    if device is None or device.throttling_failure_count < OTP_MAX_FAILURES:
        return None
    if device.throttling_failure_timestamp is None:
        return None
    until = device.throttling_failure_timestamp + OTP_LOCK
    return until if until > timezone.now() else None


def auth_record_otp(*, user: User, enrolled: bool, ok: bool) -> None:
    audit_record(
        acting_user=user,
        action=AuditAction.OTP_ENROL if enrolled else AuditAction.OTP_VERIFY,
        instance=user,
        area=user.area,
        result=AuditResult.SUCCESS if ok else AuditResult.FAILURE,
    )


def export_record(
    *, acting_user: User, object_type: str, description: str, filters: dict[str, Any], rows: int
) -> None:
    """Every export leaves a trace of who took what out of the system."""
    audit_record(
        acting_user=acting_user,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_repr=description,
        after={"filters": filters, "rows": rows},
    )


# --- personal API tokens -------------------------------------------------------

TOKEN_PREFIX = "zs_"  # noqa: S105 - the public marker of a token, not a secret
MAX_TOKEN_DAYS = 366
TOKEN_TOUCH_SECONDS = 60


def token_hash(plaintext: str) -> str:
    """SHA-256 of the whole ``zs_…`` string: the only form of a token the database keeps."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, acting_user: User | None, user: User, name: str, scope: str, days: int
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; the plaintext is returned once and never stored.

    Issued by an admin on the CLI (not self-service): a token skips the
    browser's TOTP step, so handing one out is a decision someone answers for.
    """
    errors: dict[str, str] = {}
    if not user.is_active:
        errors["user"] = _("This account is disabled.")
    if scope not in TokenScope.values:
        errors["scope"] = _("The scope must be “read” or “write”.")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors["expires_at"] = _("A token is valid for 1 to %(max)d days.") % {
            "max": MAX_TOKEN_DAYS
        }
    if errors:
        raise ValidationError(errors)
    while True:  # an 8-character prefix collides about once in 10^14 tokens
        secret = secrets.token_urlsafe(32)
        if not ApiToken.objects.filter(prefix=secret[:8]).exists():
            break
    plaintext = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken(
        user=user,
        name=name.strip() or "api",
        prefix=secret[:8],
        key_hash=token_hash(plaintext),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    token.full_clean()
    token.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        instance=token,
        area=user.area,
        after=_token_facts(token),
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, acting_user: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token for good (it cannot be re-enabled; issue a new one instead)."""
    if token.revoked:
        return token
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        instance=token,
        area=token.user.area,
        before={"revoked": False},
        after={"revoked": True},
    )
    return token


def token_mark_used(*, token: ApiToken) -> None:
    """Record when a token was last used, at most once a minute.

    Deliberately not audited: it is bookkeeping on every API call, not a
    change anyone made, and would flood the audit log.
    """
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < TOKEN_TOUCH_SECONDS:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def _token_facts(token: ApiToken) -> dict[str, Any]:
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat(),
    }
