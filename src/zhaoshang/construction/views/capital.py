"""Pages of paid-in capital (到位资金): a project-year's months (entry and corrections) and the
list of an area and year with totals, exportable. Thin: parse, call, render.

Another area's project is 404; entering needs the write capability.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhaoshang.core.context import request_user
from zhaoshang.core.policy import Capability, can
from zhaoshang.core.versions import ConflictError
from zhaoshang.core.web import (
    apply_errors,
    list_context,
    require_page,
    xlsx_response,
)

from ..exports import export_capital
from ..forms.capital import CapitalFilterForm, CapitalReportForm
from ..selectors import capital as selectors
from ..selectors.investment import project_visible_or_404
from ..services import capital as services

PAGE_SIZE = 50
#: the list's sortable columns (keys of ``selectors.CAPITAL_SORTS``)
CAPITAL_COLUMNS = ("area", "code", "name", "month", "foreign", "out")


@login_required
@require_GET
def capital_list(request: HttpRequest) -> HttpResponse:
    """到位资金 of an area (and below) and year: current reports with a totals row."""
    user = request_user(request)
    form = CapitalFilterForm(request.GET)
    filters = form.filters()
    rows = selectors.capital_list(user, filters)
    return render(
        request,
        "construction/capital_list.html",
        {
            **list_context(request, rows, CAPITAL_COLUMNS, PAGE_SIZE),
            "form": form,
            "totals": selectors.capital_totals(rows),
            "year": filters["year"],
            "can_import": can(user, Capability.IMPORT),
        },
    )


@login_required
@require_GET
def capital_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as Excel (only rows the user may see); the export is audited."""
    filters = CapitalFilterForm(request.GET).filters()
    buffer = io.BytesIO()
    export_capital(user=request_user(request), filters=filters, target=buffer)
    return xlsx_response(buffer, "paid-in-capital")


@login_required
def capital_project(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A project-year's 到位资金: 12 months with their versions, and the entry form."""
    user = request_user(request)
    project = project_visible_or_404(user, pk)
    if not 2000 <= year <= 2100:
        raise Http404
    form = CapitalReportForm(request.POST or None, initial=_initial(request, project, year))
    status = 200
    if request.method == "POST":
        require_page(request.user, Capability.WRITE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = services.capital_report(
                    acting_user=user,
                    project=project,
                    year=year,
                    month=data["month"],
                    foreign_capital=data["foreign_capital"],
                    out_of_city_capital=data["out_of_city_capital"],
                    note=data["note"],
                    expected_version=data.get("version"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                _saved_message(request, report)
                return redirect("construction:capital_project", pk=project.pk, year=year)
        status = 400
    context = selectors.project_capital(user, project, year)
    context.update({"form": form, "year": year, "can_write": can(user, Capability.WRITE)})
    return render(request, "construction/capital_project.html", context, status=status)


def _initial(request: HttpRequest, project: object, year: int) -> dict[str, object]:
    """The form starts on ``?month=N`` with that month's current amounts and version (so a
    correction made meanwhile by someone else is a conflict), else on this month, empty and
    without a version (a month typed there is reported or corrected as it stands)."""
    today = timezone.localdate()
    month = request.GET.get("month", "")
    if not (month.isdigit() and 1 <= int(month) <= 12):
        return {"month": today.month if year == today.year else 12}
    current = selectors.current_report(project, year, int(month))  # type: ignore[arg-type]
    if current is None:
        return {"month": int(month), "version": 0}
    return {
        "month": current.month,
        "foreign_capital": current.foreign_capital,
        "out_of_city_capital": current.out_of_city_capital,
        "version": current.version,
    }


def _saved_message(request: HttpRequest, report: object) -> None:
    if services.is_unchanged(report):  # type: ignore[arg-type]
        messages.info(request, _("Unchanged: those amounts are already reported."))
    elif getattr(report, "version", 1) > 1:
        messages.success(
            request,
            _("Correction saved as version %(v)d; the old value stays in the history.")
            % {"v": getattr(report, "version", 1)},
        )
    else:
        messages.success(request, _("Paid-in capital saved."))
