"""Admin for areas, units, users and roles: scoped to the admin's area, every write audited.

An area admin sees and edits only their area and below; foreign-key choices
are limited the same way, so nobody can place a user in a sibling district.
Saves and deletes go through ``core.services``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import selectors, services
from .alert_kinds import alert_kind_choices, alert_kind_label
from .context import request_user
from .forms import CalendarNoticeForm
from .models import (
    AlertRobot,
    Area,
    CalendarDay,
    CalendarNotice,
    DeadlineChange,
    OutboxAttempt,
    OutboxMessage,
    Person,
    Role,
    Unit,
    User,
    robot_kinds_text,
)
from .policy import Capability, area_scope_path, can
from .snapshots import snapshot


class ScopedAdmin(admin.ModelAdmin):
    """Rows and choices limited to the admin's area; writes through services."""

    area_field = "area"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.scope_to_user(
            super().get_queryset(request), request.user, area_field=self.area_field
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is Area:
            kwargs["queryset"] = selectors.areas_visible_to(request.user)
        elif db_field.related_model is Unit:
            kwargs["queryset"] = selectors.units_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.instance_save(acting_user=request_user(request), instance=obj)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        services.instance_delete(acting_user=request_user(request), instance=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    area_field = ""
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    ordering = ["path"]
    fields = ["code", "name", "level", "parent"]
    list_select_related = ["parent"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.areas_visible_to(request.user).select_related("parent")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """An admin edits the areas below their own; their own area is set from above."""
        own = obj is not None and obj.pk == getattr(request.user, "area_id", None)
        return super().has_change_permission(request, obj) and (
            request.user.is_superuser or not own
        )

    has_delete_permission = has_change_permission

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        services.area_save(acting_user=request_user(request), area=obj)


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "kind", "area", "parent"]
    list_filter = ["kind", "area"]
    search_fields = ["name"]
    list_select_related = ["area", "parent"]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        services.unit_save(acting_user=request_user(request), unit=obj)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Role codes are fixed (code depends on them); only names and descriptions change."""

    list_display = ["code", "name", "description"]
    readonly_fields = ["code"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        before = snapshot(Role.objects.get(pk=obj.pk))
        obj.full_clean()
        obj.save()
        services.audit_record(
            acting_user=request_user(request),
            action="update",
            instance=obj,
            before=before,
            after=snapshot(obj),
        )


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "area", "unit", "role_list", "is_active", "last_login"]
    list_filter = ["is_active", "roles", "area"]
    search_fields = ["username", "full_name", "phone"]
    filter_horizontal = ["roles"]
    list_select_related = ["area", "unit"]
    ordering = ["username"]
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "title", "phone", "email", "language")}),
        (_("Place and roles"), {"fields": ("area", "unit", "roles", "is_active")}),
        (
            _("Security"),
            {
                "fields": (
                    "must_change_password",
                    "password_changed_at",
                    "last_login",
                    "date_joined",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        (_("Person"), {"fields": ("full_name", "title", "phone")}),
        (_("Place and roles"), {"fields": ("area", "unit", "roles")}),
    )
    actions = ["unlock", "reset_totp", "deactivate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return "、".join(role.name for role in obj.roles.all())

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Accounts are deactivated, never deleted: audit rows point at them."""
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser"]
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        password = None if change else form.cleaned_data.get("password1")
        services.user_save(
            acting_user=request_user(request),
            user=obj,
            password=password or None,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        roles = form.cleaned_data.get("roles", [])
        services.user_set_roles(
            acting_user=request_user(request),
            user=form.instance,
            roles=roles,
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "<id>/password/",
                self.admin_site.admin_view(self.reset_password),
                name="core_user_password_change",
            )
        ]
        return own + [u for u in super().get_urls() if not str(u.pattern).endswith("password/")]

    def reset_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """An admin sets a temporary password; the owner must change it at next log-in."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = AdminPasswordChangeForm(user, request.POST or None)
        form.fields.pop("usable_password", None)
        if request.method == "POST" and form.is_valid():
            try:
                services.user_change_password(
                    acting_user=request_user(request),
                    user=user,
                    new_password=form.cleaned_data["password1"],
                )
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                messages.success(
                    request, _("Password reset; the user must change it at next log-in.")
                )
                return HttpResponseRedirect(reverse("admin:core_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset password: %(username)s") % {"username": user.username},
            "form": form,
            "is_popup": False,
            "add": True,
            "change": False,
            "has_delete_permission": False,
            "has_change_permission": True,
            "has_absolute_url": False,
            "opts": self.opts,
            "original": user,
            "save_as": False,
            "show_save": True,
            # Django's own UserAdmin passes this non-model form the same way.
            "adminform": helpers.AdminForm(
                form,  # type: ignore[arg-type]
                [(None, {"fields": list(form.base_fields)})],
                {},
            ),
        }
        return TemplateResponse(request, "admin/auth/user/change_password.html", context)

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.user_unlock(acting_user=request_user(request), user=user)
        count = queryset.count()
        messages.success(
            request,
            ngettext("Unlocked %(n)d account.", "Unlocked %(n)d accounts.", count) % {"n": count},
        )

    @admin.action(description=_("Reset two-factor authentication"))
    def reset_totp(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            services.otp_reset(acting_user=request_user(request), user=user)
        count = queryset.count()
        messages.success(
            request,
            ngettext(
                "Two-factor reset for %(n)d account.", "Two-factor reset for %(n)d accounts.", count
            )
            % {"n": count},
        )

    @admin.action(description=_("Deactivate the selected accounts"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset.exclude(pk=request_user(request).pk):
            user.is_active = False
            services.user_save(acting_user=request_user(request), user=user)
        messages.success(request, _("Accounts deactivated."))


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["area", "name", "post", "rank", "unit", "phone", "active"]

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        if not services.phone_ok(phone):
            raise forms.ValidationError(str(services.BAD_PHONE))
        return phone


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    """The 人员库 for administrators; the directory pages are where people usually edit it.

    Writes go through the person services (versioned, audited); a Person is
    deactivated, not deleted, here (the directory page deletes one nobody names).
    """

    form = PersonAdminForm
    list_display = ["name", "post", "rank", "unit", "area", "user", "active"]
    list_filter = ["rank", "active", "area"]
    search_fields = ["name", "post", "phone", "unit__name", "user__username"]
    list_select_related = ["area", "unit", "user"]
    readonly_fields = ["user", "version"]
    actions = ["deactivate"]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return [*self.readonly_fields, "area"] if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        acting = request_user(request)
        if change:
            stored = Person.objects.select_related("area").get(pk=obj.pk)
            changes = {
                f: form.cleaned_data[f] for f in form.changed_data if f in services.PERSON_FIELDS
            }
            services.person_update(
                acting_user=acting, person=stored, expected_version=None, **changes
            )
            return
        data = {k: v for k, v in form.cleaned_data.items() if k != "active"}
        saved = services.person_create(acting_user=acting, **data)
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    @admin.action(description=_("Deactivate the selected persons"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        acting = request_user(request)
        for person in queryset.filter(active=True).select_related("area"):
            services.person_update(
                acting_user=acting, person=person, expected_version=None, active=False
            )
        messages.success(request, _("Persons deactivated."))


# --- the working-day calendar ---------------------------------------------------------


class _AdministerOnly(admin.ModelAdmin):
    """Visible to administrators; nobody deletes (a notice is corrected by entering it again)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CalendarDayInline(admin.TabularInline):
    """The notice's days as stored (read only: they change by entering the notice again)."""

    model = CalendarDay
    fields = ["date", "kind", "name"]
    readonly_fields = ["date", "kind", "name"]


# --- alerts: group robots and the outbox ------------------------------------------------


class AlertRobotForm(forms.ModelForm):
    """The robot's kinds as ticks over the registered alert kinds (stored ``,a,b,``)."""

    webhook_url = forms.URLField(label=_("webhook URL"), max_length=500, assume_scheme="https")
    kind_choices = forms.MultipleChoiceField(
        label=_("Alert kinds"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked relays every kind."),
    )

    class Meta:
        model = AlertRobot
        fields = ["area", "name", "kind", "webhook_url", "secret", "active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind_choices"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = alert_kind_choices()
        field.initial = [k for k in self.instance.kinds.split(",") if k]

    def save(self, commit: bool = True) -> Any:
        self.instance.kinds = robot_kinds_text(self.cleaned_data.get("kind_choices") or [])
        return super().save(commit)


@admin.register(AlertRobot)
class AlertRobotAdmin(ScopedAdmin):
    form = AlertRobotForm
    list_display = ["name", "kind", "area", "active", "kinds_shown"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    list_select_related = ["area"]
    fields = ["area", "name", "kind", "webhook_url", "secret", "active", "kind_choices"]

    @admin.display(description=_("Alert kinds"))
    def kinds_shown(self, obj: AlertRobot) -> str:
        kinds = [alert_kind_label(k) for k in obj.kinds.split(",") if k]
        return "、".join(kinds) if kinds else str(_("All"))


class OutboxAttemptInline(admin.TabularInline):
    model = OutboxAttempt
    fields = ("at", "ok", "http_status", "duration_ms", "error")
    readonly_fields = ("at", "ok", "http_status", "duration_ms", "error")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(CalendarNotice)
class CalendarNoticeAdmin(_AdministerOnly):
    """A year's 节假日安排通知: typed as lines, saved through ``calendar_notice_enter``."""

    form = CalendarNoticeForm
    list_display = ["year", "number", "title", "published", "entered_by", "entered_at"]
    list_select_related = ["entered_by"]
    readonly_fields = ["entered_by", "entered_at"]
    inlines = [CalendarDayInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return can(request.user, Capability.ADMINISTER)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        """A stored notice keeps its year; another year is another notice."""
        return [*self.readonly_fields, "year"] if obj is not None else self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: CalendarNotice, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        notice = services.calendar_notice_enter(
            acting_user=request_user(request),
            year=data.get("year", obj.year),
            number=data.get("number", ""),
            title=data["title"],
            published=data.get("published"),
            source=data.get("source", ""),
            days=form.notice_days,
        )
        obj.pk, obj.entered_at, obj.entered_by = notice.pk, notice.entered_at, notice.entered_by
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The days were written by the service; the inline only shows them."""


@admin.register(DeadlineChange)
class DeadlineChangeAdmin(_AdministerOnly):
    """Deadlines moved by a notice: old → new and why (read only)."""

    list_display = ["object_repr", "object_type", "old_date", "new_date", "new_provisional", "at"]
    list_filter = ["notice", "object_type"]
    list_select_related = ["notice"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        return selectors.scope_to_user(rows, request.user, area_field="area")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ScopedAdmin):
    """The outbox, read-only: what was owed, to whom, each attempt; dead ones can be retried."""

    list_display = ["created_at", "channel", "target_shown", "subject", "status", "attempts"]
    list_filter = ["status", "channel"]
    search_fields = ["subject", "target", "key"]
    list_select_related = ["robot"]
    readonly_fields = OUTBOX_FIELDS = (
        "channel",
        "target_shown",
        "key",
        "subject",
        "text",
        "link",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    fields = OUTBOX_FIELDS
    inlines = [OutboxAttemptInline]
    actions = ["retry"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = OutboxMessage.objects.select_related("robot")
        path = area_scope_path(request.user)
        if path is None:
            return rows.none()
        if path:
            rows = rows.filter(
                Q(robot__area__path__startswith=path) | Q(alert__area__path__startswith=path)
            )
        return rows

    @admin.display(description=_("target"))
    def target_shown(self, obj: OutboxMessage) -> str:
        return obj.target or (obj.robot.name if obj.robot else "—")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.action(description=_("Retry the given-up messages"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = services.outbox_retry(acting_user=request_user(request), messages=queryset)
        messages.success(
            request,
            ngettext("%(n)d message queued again.", "%(n)d messages queued again.", count)
            % {"n": count},
        )
