"""Who may do what, and where: the one place roles turn into permissions.

Every write service calls :func:`require` (or :func:`require_area`) with its
``acting_user`` before it changes anything, so a page, an API route, an import
and the CLI are refused alike. Views and templates call :func:`can` only to
decide what to show. Where a user may *look* is :func:`area_scope_path`: their
own area and everything below it (DOMAIN.md §1), never a sibling's.

``acting_user=None`` is the system itself (the demo loader, a migration, a
scheduled sweep): it is trusted, since no person can reach a service that way.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import RoleCode
from .models import Area, User


class Capability(StrEnum):
    """What a role may do, beyond reading the rows of its areas."""

    WRITE = "write"  # create and change investment data: projects, enterprises, construction
    IMPORT = "import"  # load ledgers and reports from Excel
    SET_TARGETS = "set_targets"  # set the targets of the level below (市定目标)
    READ_AUDIT = "read_audit"  # read and export the audit log
    SUPERVISE = "supervise"  # 督查督办: chase problems and deadlines (the supervision app)
    ADMINISTER = "administer"  # the admin site: areas, units, users, roles


#: role → capabilities; a user holding several roles has the union.
ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    RoleCode.ADMIN: frozenset(
        {
            Capability.WRITE,
            Capability.IMPORT,
            Capability.SET_TARGETS,
            Capability.READ_AUDIT,
            Capability.ADMINISTER,
        }
    ),
    RoleCode.LEADER: frozenset({Capability.WRITE, Capability.SET_TARGETS}),
    RoleCode.CHIEF: frozenset({Capability.WRITE, Capability.IMPORT, Capability.SET_TARGETS}),
    RoleCode.SUB_CHIEF: frozenset({Capability.WRITE, Capability.IMPORT}),
    RoleCode.STAFF: frozenset({Capability.WRITE, Capability.IMPORT}),
    RoleCode.SUPERVISOR: frozenset({Capability.READ_AUDIT, Capability.SUPERVISE}),
    RoleCode.VIEWER: frozenset(),
    RoleCode.INVESTOR: frozenset(),  # sees only their own enterprise's rows (projects selectors)
}

#: What a refusal says, by capability (the service's caller shows it as a 403).
REFUSALS = {
    Capability.WRITE: _("Your role may read investment data but not change it."),
    Capability.IMPORT: _("Your role may not import data."),
    Capability.SET_TARGETS: _("Your role may not set targets."),
    Capability.READ_AUDIT: _("Your role may not read the audit log."),
    Capability.SUPERVISE: _("Your role may not supervise."),
    Capability.ADMINISTER: _("Only administrators may do this."),
}


OUT_OF_REACH = _("This area is outside your reach.")


def roles_with(capability: Capability) -> tuple[str, ...]:
    """The role codes that grant ``capability`` (for queries such as "the leaders")."""
    return tuple(code for code, caps in ROLE_CAPABILITIES.items() if capability in caps)


def can(user: Any, capability: Capability) -> bool:
    """True when an active, signed-in ``user`` holds a role granting ``capability``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.has_role(*roles_with(capability)))


def require(user: User | None, capability: Capability) -> None:
    """Refuse (PermissionDenied) unless ``user`` may; ``None`` is the trusted system."""
    if user is not None and not can(user, capability):
        raise PermissionDenied(str(REFUSALS[capability]))


def area_scope_path(user: Any) -> str | None:
    """The path prefix a user may see, ``""`` for everything, ``None`` for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser and user.area_id is None:
        return ""
    if user.area_id is None or (user.has_role(RoleCode.INVESTOR) and not is_official(user)):
        return None
    return str(user.area.path)


def is_official(user: User) -> bool:
    """True for a user with any role other than investor."""
    return bool(user.role_codes - {RoleCode.INVESTOR})


def investor_only(user: Any) -> bool:
    """An investor and nothing else: the narrow portal is all they may open."""
    return bool(user.has_role(RoleCode.INVESTOR)) and not is_official(user)


def can_reach(user: Any, area: Area) -> bool:
    """True when ``area`` is the user's own or below it."""
    path = area_scope_path(user)
    return path is not None and area.path.startswith(path)


def require_area(user: User | None, capability: Capability, area: Area) -> None:
    """:func:`require`, and ``area`` must be the user's own or below it.

    Pages and the API never get this far with a hidden row (their selectors
    answer 404 first); a caller that went around them (a script, the CLI, a
    bug) is refused here with a ValidationError on ``area`` and nothing is written.
    """
    require(user, capability)
    if user is not None and not can_reach(user, area):
        raise ValidationError({"area": str(OUT_OF_REACH)})


def import_refusal(user: User | None, area: Area) -> str | None:
    """Why ``user`` may not import into ``area`` (a file-level error of the import), or None.

    Every importer asks this first, so an import from the page, the API job and
    the CLI is refused alike before a cell is read.
    """
    if user is None:
        return None
    if not can(user, Capability.IMPORT):
        return str(REFUSALS[Capability.IMPORT])
    if not can_reach(user, area):
        return str(_("You may not import into this area."))
    return None


def can_set_targets(user: Any, area: Area) -> bool:
    """True when ``user`` sits strictly above ``area`` with a role that sets targets (市定目标)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and user.area_id is None:
        return True
    if user.area_id is None or not area.path.startswith(user.area.path):
        return False
    return area.pk != user.area_id and can(user, Capability.SET_TARGETS)


def within(area: Area | None, of: Area) -> bool:
    """True when ``of`` is ``area`` or below it: a city cadre may lead a district's project."""
    return area is not None and of.path.startswith(area.path)


def otp_required(user: User) -> bool:
    """Admins, leaders and superusers must prove a second factor (TOTP)."""
    return user.is_superuser or user.has_role(*settings.OTP_REQUIRED_ROLES)


def password_expired(user: User) -> bool:
    """Forced change: an admin-made account, a never-set date, or older than 90 days."""
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    return timezone.now() - user.password_changed_at > max_age
