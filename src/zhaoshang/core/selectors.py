"""Visibility: who may see which rows. Every app's selectors start here.

The rule (DOMAIN.md §1): a user sees their own Area and every Area below it,
never a sibling's; an investor sees only rows of their own enterprise. A row
outside that answers 404, so its existence is not disclosed either.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    ForeignObjectRel,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse

from .models import Alert, AlertChannel, Area, AuditEvent, Person, Unit, User
from .policy import Capability, area_scope_path, can

M = TypeVar("M", bound=Model)


def scope_to_user(queryset: QuerySet[M], user: Any, *, area_field: str = "area") -> QuerySet[M]:
    """Restrict any queryset whose rows carry an Area to what ``user`` may see.

    ``area_field`` is the lookup from the row to its Area ("area",
    "project__area" ...). Investors get nothing here; apps that show investors
    their own enterprise's rows add that branch in their own selector.
    """
    path = area_scope_path(user)
    if path is None:
        return queryset.none()
    if path == "":
        return queryset
    return queryset.filter(**{f"{area_field}__path__startswith": path})


class _CommaJoined(Aggregate):
    """Values joined by commas: ``STRING_AGG`` on PostgreSQL, ``GROUP_CONCAT`` on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def role_list(user_ref: Any) -> Subquery:
    """SQL: the role codes of the user ``user_ref`` names (an ``OuterRef``), comma-joined,
    for ``User.remember_roles``: every request needs them, and this saves their query."""
    memberships = User.roles.through.objects.filter(user_id=user_ref)
    joined = memberships.values("user_id").annotate(codes=_CommaJoined("role_id"))
    return Subquery(joined.values("codes"))  # type: ignore[misc]  # an annotation, not a field


def get_visible_or_404(queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one row from an already-scoped queryset; absent or hidden are both 404."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


def areas_visible_to(user: Any) -> QuerySet[Area]:
    path = area_scope_path(user)
    if path is None:
        return Area.objects.none()
    return Area.objects.filter(path__startswith=path) if path else Area.objects.all()


def area_visible_or_404(user: Any, code: str) -> Area:
    return get_visible_or_404(areas_visible_to(user).select_related("parent"), code=code)


def units_visible_to(user: Any) -> QuerySet[Unit]:
    return scope_to_user(Unit.objects.select_related("area", "parent"), user)


def users_visible_to(user: Any) -> QuerySet[User]:
    return scope_to_user(
        User.objects.select_related("area", "unit").prefetch_related("roles"), user
    )


#: ``sort`` values of the audit log and the ordering each means (anything else: newest first)
AUDIT_SORTS: dict[str, tuple[str, ...]] = {
    "time": ("at", "id"),
    "-time": ("-at", "-id"),
    "person": ("username", "-at", "-id"),
    "-person": ("-username", "-at", "-id"),
    "action": ("action", "-at", "-id"),
    "-action": ("-action", "-at", "-id"),
    "type": ("object_type", "-at", "-id"),
    "-type": ("-object_type", "-at", "-id"),
}


def audit_events_visible_to(
    user: Any, *, filters: dict[str, Any] | None = None
) -> QuerySet[AuditEvent]:
    """Audit rows for admins and supervisors of an area, newest first (or by
    ``filters["sort"]``, a key of ``AUDIT_SORTS``).

    Events with no area (failed logins of unknown usernames) are visible only
    to an unrestricted superuser, since they belong to no area.
    """
    if not can(user, Capability.READ_AUDIT):
        return AuditEvent.objects.none()
    events = scope_to_user(AuditEvent.objects.select_related("user", "area"), user)
    filters = filters or {}
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("result"):
        events = events.filter(result=filters["result"])
    if filters.get("username"):
        person = filters["username"]
        events = events.filter(Q(username__icontains=person) | Q(user__full_name__icontains=person))
    if filters.get("object_type"):
        events = events.filter(object_type=filters["object_type"])
    if filters.get("date_from"):
        events = events.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(at__date__lte=filters["date_to"])
    if filters.get("q"):
        match = Q(object_repr__icontains=filters["q"]) | Q(object_id=filters["q"])
        if _looks_like_ip(filters["q"]):
            match |= Q(ip=filters["q"])
        events = events.filter(match)
    return events.order_by(*AUDIT_SORTS.get(filters.get("sort") or "", AUDIT_SORTS["-time"]))


def audit_object_types(user: Any) -> list[str]:
    """The object types present in the audit rows ``user`` may read (the filter's choices)."""
    events = audit_events_visible_to(user).exclude(object_type="")
    return list(events.order_by().values_list("object_type", flat=True).distinct())


def _looks_like_ip(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def ancestor_codes(area: Area) -> list[str]:
    """The area and the areas above it: where chain members may come from."""
    return [code for code in area.path.split("/") if code]


def people_in_reach(user: User, area: Area) -> QuerySet[User]:
    """Active people the caller may name: those they can see, and those above the area.

    A district officer may put a city cadre on a chain without being able to
    browse the city; the service then checks each person is within reach.
    """
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(area__code__in=ancestor_codes(area)) | Q(pk__in=users_visible_to(user).values("pk"))
        )
        .select_related("area")
    )


def persons_visible_to(user: Any) -> QuerySet[Person]:
    """The 人员库 rows of the user's areas (list, edit and merge pages)."""
    return scope_to_user(Person.objects.select_related("area", "unit", "user"), user)


#: ``sort`` values of the 人员库 list (page and API) and the ordering each means.
PERSON_SORTS = {
    "name": "name",
    "-name": "-name",
    "post": "post",
    "-post": "-post",
    "rank": "rank",
    "-rank": "-rank",
    "unit": "unit__name",
    "-unit": "-unit__name",
    "area": "area__path",
    "-area": "-area__path",
    "updated": "updated_at",
    "-updated": "-updated_at",
}


def person_links(user: Any, ids: list[str]) -> dict[str, str]:
    """The audit log's links to the 人员库 entries ``user`` may open (one query)."""
    found = persons_visible_to(user).filter(pk__in=[int(i) for i in ids if i.isdigit()])
    pks = found.values_list("pk", flat=True)
    return {str(pk): reverse("core:person_detail", args=[pk]) for pk in pks}


def person_list(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Person]:
    """The 人员库 list: scope, search, filters and sorting; one query per page.

    ``q`` matches name, post, unit or phone; ``has_account`` is "yes"/"no";
    ``duplicates`` keeps the names that occur more than once in the user's
    areas (疑似重复), sorted so that namesakes sit together.
    """
    filters = filters or {}
    persons = persons_visible_to(user)
    if filters.get("q"):
        q = str(filters["q"]).strip()
        persons = persons.filter(
            Q(name__icontains=q)
            | Q(post__icontains=q)
            | Q(unit__name__icontains=q)
            | Q(phone__contains=q)
        )
    if filters.get("rank"):
        persons = persons.filter(rank=filters["rank"])
    if filters.get("area"):
        persons = persons.filter(area__path__startswith=area_path_of(filters["area"]))
    if filters.get("has_account") in ("yes", "no", True, False):
        persons = persons.filter(user__isnull=filters["has_account"] in ("no", False))
    if "active" in filters and filters["active"] in ("yes", "no"):
        persons = persons.filter(active=filters["active"] == "yes")
    if filters.get("duplicates"):
        persons = persons.filter(name__in=duplicate_names(user))
        return persons.order_by("name", "area__path", "id")
    sort = PERSON_SORTS.get(filters.get("sort") or "")
    return persons.order_by(*([sort] if sort else []), "area__path", "name", "id")


#: a path prefix no area has (paths start with a digit), for "unknown area: no rows". Not
#: NUL: PostgreSQL refuses NUL in any text parameter and the request would answer 500
NO_PATH = "-"


def area_path_of(area: Any) -> str:
    """An Area's path, or the path of the area with this code (``NO_PATH`` when unknown):
    the prefix a list's "area and below" filter starts its rows' paths with."""
    if isinstance(area, Area):
        return area.path
    return Area.objects.filter(code=str(area)).values_list("path", flat=True).first() or NO_PATH


def duplicate_names(user: Any) -> QuerySet[Person, Any]:
    """Names held by more than one Person of the user's areas (疑似重复), as a subquery."""
    return (
        scope_to_user(Person.objects.all(), user)
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("name")
    )


def person_detail_or_404(user: Any, pk: int) -> Person:
    return get_visible_or_404(persons_visible_to(user), pk=pk)


def person_relations() -> list[ForeignObjectRel]:
    """Every relation pointing at Person (foreign keys, one-to-ones, many-to-manys).

    Found through ``Person._meta`` (its reverse relations, hidden ones with
    ``related_name="+"`` included), so a higher app's chain or work plan that
    names Persons shows up here without ``core`` importing it. The rows of an
    automatic many-to-many table count under their many-to-many field.
    """
    return [
        rel
        for rel in Person._meta.get_fields(include_hidden=True)
        if isinstance(rel, ForeignObjectRel)
        and rel.related_model is not Person
        and not related_model(rel)._meta.auto_created
    ]


def related_model(rel: ForeignObjectRel) -> type[Model]:
    """The model on the other side of ``rel`` (resolved: the app registry is ready)."""
    model = rel.related_model
    assert not isinstance(model, str)
    return model


def relation_key(rel: ForeignObjectRel) -> str:
    """``app_label.model.field``: a relation's stable name in audit rows and API answers."""
    return f"{related_model(rel)._meta.label_lower}.{rel.field.name}"


def person_references(person: Person) -> list[dict[str, Any]]:
    """Where a Person is named: rows per relation (only those with any), one query each."""
    found = []
    for rel in person_relations():
        model = related_model(rel)
        count = model._base_manager.filter(**{rel.field.name: person}).count()
        if count:
            found.append(
                {
                    "key": relation_key(rel),
                    "field": str(rel.field.verbose_name),
                    "model": str(model._meta.verbose_name_plural),
                    "count": count,
                }
            )
    return found


def merge_candidates(user: Any, survivor: Person, q: str | None = None) -> QuerySet[Person]:
    """Persons that may be folded into ``survivor``: in its area or below, the caller's to
    write, namesakes by default (``q`` searches name, post or unit instead)."""
    if not can(user, Capability.WRITE):
        return Person.objects.none()
    persons = persons_visible_to(user).filter(area__path__startswith=survivor.area.path)
    if q is None:
        persons = persons.filter(name=survivor.name)
    elif q.strip():
        text = q.strip()
        persons = persons.filter(
            Q(name__icontains=text) | Q(post__icontains=text) | Q(unit__name__icontains=text)
        )
    return persons.exclude(pk=survivor.pk).order_by("name", "area__path", "id")


def writable_areas(user: Any) -> QuerySet[Area]:
    """Areas where ``user`` may create or change Persons: theirs and below, if they write."""
    return areas_visible_to(user) if can(user, Capability.WRITE) else Area.objects.none()


def persons_in_reach(user: Any, area: Area) -> QuerySet[Person]:
    """Active Persons the caller may name on ``area``'s work: theirs, and those above the area.

    The same reach as ``people_in_reach``: a district may name a city leader
    as 牵头 without being able to browse the city's 人员库.
    """
    return (
        Person.objects.filter(active=True)
        .filter(
            Q(area__code__in=ancestor_codes(area)) | Q(pk__in=persons_visible_to(user).values("pk"))
        )
        .select_related("area", "unit")
    )


def units_in_reach(user: User, area: Area) -> QuerySet[Unit]:
    return Unit.objects.filter(
        Q(area__code__in=ancestor_codes(area)) | Q(pk__in=units_visible_to(user).values("pk"))
    ).select_related("area")


def area_summary(area: Area) -> dict[str, Any]:
    """Counts shown on an area's home page; a fixed number of queries."""
    below = Area.objects.filter(path__startswith=area.path)
    return {
        "children": list(area.children.order_by("code")),
        "unit_count": Unit.objects.filter(area=area).count(),
        "user_count": User.objects.filter(area__in=below, is_active=True).count(),
        "area_count": below.count() - 1,
    }


# --- the inbox (提醒) ------------------------------------------------------------------

#: the inbox's filters: ``status`` is "unread", "read" or blank (all)
INBOX_STATUSES = ("unread", "read")


def alerts_for(user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Alert]:
    """The user's own alerts, unread first, newest first; nobody sees another's inbox."""
    filters = filters or {}
    if not getattr(user, "is_authenticated", False):
        return Alert.objects.none()
    rows = Alert.objects.filter(recipient=user)
    if filters.get("status") == "unread":
        rows = rows.filter(read_at__isnull=True)
    elif filters.get("status") == "read":
        rows = rows.filter(read_at__isnull=False)
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return rows.order_by(unread_first, "-created_at", "-id")


def alert_or_404(user: Any, pk: int) -> Alert:
    """One of the user's alerts; someone else's answers 404 like a missing one."""
    return get_visible_or_404(alerts_for(user), pk=pk)


def unread_count(user: Any) -> int:
    """The navigation bar's number: one COUNT on the partial index of unread alerts."""
    return Alert.objects.filter(recipient=user, read_at__isnull=True).count()


def email_chosen(user: Any) -> bool:
    """Whether the user asked for alerts by email too (the inbox is always on)."""
    return AlertChannel.objects.filter(user=user, email=True).exists()
