"""人员库: the person directory's list, export, forms, merge."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..context import request_user
from ..exports import export_persons
from ..forms import (
    PersonFilterForm,
    PersonForm,
    PersonMergeForm,
)
from ..models import User
from ..policy import Capability, area_scope_path, can, can_reach
from ..versions import ConflictError
from ..web import apply_errors, list_context, require_page, xlsx_response

PERSON_PAGE_SIZE = 30


PERSON_COLUMNS = ("name", "post", "rank", "unit", "area")


def _directory_user(request: HttpRequest) -> User:
    """The signed-in official; an investor (or anyone seeing no area) gets 404."""
    user = request_user(request)
    if area_scope_path(user) is None:
        raise Http404
    return user


def _person_filters(request: HttpRequest, user: User) -> tuple[PersonFilterForm, dict[str, Any]]:
    form = PersonFilterForm(request.GET or None, user=user)
    return form, form.filters() if form.is_bound else {}


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = _directory_user(request)
    form, filters = _person_filters(request, user)
    persons = selectors.person_list(user, filters)
    return render(
        request,
        "core/person_list.html",
        {
            **list_context(request, persons, PERSON_COLUMNS, PERSON_PAGE_SIZE),
            "form": form,
            "can_write": can(user, Capability.WRITE),
        },
    )


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    """The list's rows for its current filters as Excel; the export is audited."""
    user = _directory_user(request)
    _form, filters = _person_filters(request, user)
    buffer = io.BytesIO()
    export_persons(user=user, filters=filters, target=buffer)
    return xlsx_response(buffer, "persons")


def _person_values(form: PersonForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {k: data[k] or "" for k in ("name", "post", "rank", "phone")} | {"unit": data["unit"]}


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    user = _directory_user(request)
    require_page(user, Capability.WRITE)
    form = PersonForm(request.POST or None, user=user, initial={"area": user.area})
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                acting_user=user, area=form.cleaned_data["area"], **_person_values(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("core:person_detail", pk=person.pk)
    return render(request, "core/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    form = PersonForm(request.POST or None, user=user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                acting_user=user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **_person_values(form),
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person saved."))
            return redirect("core:person_detail", pk=person.pk)
    return render(request, "core/person_form.html", {"form": form, "person": person})


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    references = selectors.person_references(person)
    namesakes = selectors.merge_candidates(user, person)
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "references": references,
            "named": sum(r["count"] for r in references),
            "namesakes": namesakes,
            "can_write": can(user, Capability.WRITE) and can_reach(user, person.area),
        },
    )


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


@login_required
@require_POST
def person_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (or reactivate) a Person: one still named keeps its references."""
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    active = request.POST.get("active") == "1"
    try:
        services.person_update(
            acting_user=user, person=person, expected_version=_version(request), active=active
        )
    except (ConflictError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Person reactivated.") if active else _("Person deactivated."))
    return redirect("core:person_detail", pk=person.pk)


@login_required
@require_POST
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _directory_user(request)
    person = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    try:
        services.person_delete(acting_user=user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("core:person_detail", pk=person.pk)
    messages.success(request, _("Person deleted."))
    return redirect("core:person_list")


@login_required
def person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """合并重复人员: fold the chosen duplicates into this Person."""
    user = _directory_user(request)
    survivor = selectors.person_detail_or_404(user, pk)
    require_page(user, Capability.WRITE)
    q = request.GET.get("q")
    shown = selectors.merge_candidates(user, survivor, q)
    allowed = selectors.merge_candidates(user, survivor, "")
    form = PersonMergeForm(
        request.POST or None,
        candidates=allowed if request.method == "POST" else shown,
        initial={"version": survivor.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.person_merge(
                acting_user=user,
                survivor=survivor,
                duplicates=form.cleaned_data["duplicates"],
                expected_version=form.cleaned_data["version"],
            )
        except (ConflictError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Merged; %(n)d references moved to this person.") % {"n": sum(moved.values())},
            )
            return redirect("core:person_detail", pk=survivor.pk)
    return render(
        request, "core/person_merge.html", {"form": form, "person": survivor, "q": q or ""}
    )
