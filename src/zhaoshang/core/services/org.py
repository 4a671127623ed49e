from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.db import models, transaction
from django.utils import timezone

from ..choices import AuditAction
from ..models import Area, Role, Unit, User
from ..policy import Capability, require
from ..snapshots import snapshot
from .audit import audit_record, record_saved, stored_snapshot
from .persons import own_person_sync

# --- areas -------------------------------------------------------------------


@transaction.atomic
def area_save(*, acting_user: User | None, area: Area) -> Area:
    """Create or update an Area and keep the materialised ``path`` of it and below in step."""
    require(acting_user, Capability.ADMINISTER)
    before = stored_snapshot(area)
    area.path = f"{area.parent.path if area.parent else ''}{area.code}/"
    area.full_clean()
    old_path = before["path"] if before else None
    area.save()
    if old_path and old_path != area.path:
        for below in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk):
            below.path = area.path + below.path[len(old_path) :]
            below.save(update_fields=["path"])
    record_saved(acting_user=acting_user, instance=area, before=before)
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
    before = stored_snapshot(unit)
    unit.full_clean()
    unit.save()
    record_saved(acting_user=acting_user, instance=unit, before=before)
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
    before = stored_snapshot(user)
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = acting_user is not None and acting_user != user
    if before is None and password is None:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record_saved(acting_user=acting_user, instance=user, before=before)
    own_person_sync(acting_user=acting_user, user=user)
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
    own_person_sync(acting_user=acting_user, user=user, old_roles=before)


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
    before = stored_snapshot(instance)
    instance.full_clean()
    instance.save()
    record_saved(acting_user=acting_user, instance=instance, before=before)
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
