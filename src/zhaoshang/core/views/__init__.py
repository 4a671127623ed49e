"""Pages of the core app, one module per subject; ``urls.py`` and settings name them here.

Views stay thin: they parse input, call a selector or a service, render.
"""

from .account import (
    is_verified,
    language,
    lockout,
    login_view,
    logout_view,
    otp_setup,
    otp_verify,
    password_change,
)
from .audit import audit_export, audit_list
from .errors import bad_request, csrf_failure, not_found, permission_denied, server_error
from .health import healthz, readyz
from .inbox import inbox, inbox_channels, inbox_open, inbox_read, inbox_read_all
from .pages import area_detail, home
from .persons import (
    person_create,
    person_delete,
    person_detail,
    person_edit,
    person_export,
    person_list,
    person_merge,
    person_set_active,
)

__all__ = [
    "area_detail",
    "audit_export",
    "audit_list",
    "bad_request",
    "csrf_failure",
    "healthz",
    "home",
    "inbox",
    "inbox_channels",
    "inbox_open",
    "inbox_read",
    "inbox_read_all",
    "is_verified",
    "language",
    "lockout",
    "login_view",
    "logout_view",
    "not_found",
    "otp_setup",
    "otp_verify",
    "password_change",
    "permission_denied",
    "person_create",
    "person_delete",
    "person_detail",
    "person_edit",
    "person_export",
    "person_list",
    "person_merge",
    "person_set_active",
    "readyz",
    "server_error",
]
