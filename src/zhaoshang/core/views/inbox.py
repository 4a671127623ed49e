"""提醒: the user's inbox, marking read, and the user's channel choice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..context import request_user
from ..forms import (
    AlertChannelForm,
    InboxFilterForm,
)
from ..web import list_context

#: alerts per inbox page by default
INBOX_PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My alerts, unread first, with the filter bar and my channel choice."""
    user = request_user(request)
    form = InboxFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    rows = selectors.alerts_for(user, filters)
    return render(
        request,
        "core/inbox.html",
        {
            **list_context(request, rows, (), INBOX_PAGE_SIZE),
            "form": form,
            "channel_form": AlertChannelForm(initial={"email": selectors.email_chosen(user)}),
            "has_email": bool(user.email),
        },
    )


@login_required
@require_GET
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an alert: it is marked read and the user lands on its object."""
    user = request_user(request)
    alert = selectors.alert_or_404(user, pk)
    services.alert_mark_read(acting_user=user, alert=alert)
    if alert.link and url_has_allowed_host_and_scheme(
        alert.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(alert.link)
    return redirect("core:inbox")


def _back_to_inbox(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    return redirect(f"{reverse('core:inbox')}?{query}" if query else reverse("core:inbox"))


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    services.alert_mark_read(acting_user=user, alert=selectors.alert_or_404(user, pk))
    return _back_to_inbox(request)


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = services.alert_mark_all_read(acting_user=request_user(request))
    messages.success(
        request,
        ngettext("%(n)d alert marked read.", "%(n)d alerts marked read.", count) % {"n": count},
    )
    return _back_to_inbox(request)


@login_required
@require_POST
def inbox_channels(request: HttpRequest) -> HttpResponse:
    """Save the user's channel choice; a refusal is shown and nothing is saved."""
    user = request_user(request)
    form = AlertChannelForm(request.POST)
    if form.is_valid():
        try:
            services.alert_channel_save(acting_user=user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your alert channels are saved."))
    return _back_to_inbox(request)
