"""Every write of the core app, each audited in the same transaction, one module per subject.

Service functions take keyword arguments only and an ``acting_user``
(``None`` for the system itself, e.g. the demo loader). They validate with
``full_clean()`` before saving, so a bad value raises ``ValidationError`` and
nothing is written. Callers import from this package; the subjects are
``audit`` (the audit trail), ``org`` (areas, units, users), ``persons``
(人员库), ``auth`` (log-in events, OTP, API tokens), ``calendar`` (a year's
holiday notice and the deadlines it moves), ``alerts`` (提醒: the inbox and the
outbox rows) and ``outbox`` (delivery by email and group robots).
"""

from .alerts import (
    EVENT_FIELDS,
    alert_channel_save,
    alert_mark_all_read,
    alert_mark_read,
    notify,
    notify_query,
    register_delivery_kick,
    text_expr,
)
from .audit import audit_record, export_record, record_saved, stored_snapshot
from .auth import (
    MAX_TOKEN_DAYS,
    OTP_LOCK,
    OTP_MAX_FAILURES,
    TOKEN_PREFIX,
    TOKEN_TOUCH_SECONDS,
    auth_record_login,
    auth_record_login_failed,
    auth_record_logout,
    auth_record_otp,
    otp_enrol_confirm,
    otp_locked_until,
    otp_reset,
    token_create,
    token_hash,
    token_mark_used,
    token_revoke,
    user_unlock,
)
from .calendar import NoticeDay, calendar_notice_check, calendar_notice_enter
from .org import (
    area_create,
    area_save,
    instance_delete,
    instance_save,
    unit_create,
    unit_save,
    user_change_password,
    user_save,
    user_set_language,
    user_set_roles,
)
from .outbox import outbox_deliver, outbox_retry
from .persons import (
    ACCOUNT_PERSON,
    BAD_PHONE,
    DIFFERENT_ACCOUNTS,
    NAMED_PERSON,
    PERSON_FIELDS,
    PHONE_DIGITS,
    PHONE_RE,
    RANK_OF_ROLE,
    person_create,
    person_delete,
    person_merge,
    person_update,
    phone_ok,
    rank_for_roles,
)

__all__ = [
    "ACCOUNT_PERSON",
    "BAD_PHONE",
    "DIFFERENT_ACCOUNTS",
    "EVENT_FIELDS",
    "MAX_TOKEN_DAYS",
    "NAMED_PERSON",
    "OTP_LOCK",
    "OTP_MAX_FAILURES",
    "PERSON_FIELDS",
    "PHONE_DIGITS",
    "PHONE_RE",
    "RANK_OF_ROLE",
    "TOKEN_PREFIX",
    "TOKEN_TOUCH_SECONDS",
    "NoticeDay",
    "alert_channel_save",
    "alert_mark_all_read",
    "alert_mark_read",
    "area_create",
    "area_save",
    "audit_record",
    "auth_record_login",
    "auth_record_login_failed",
    "auth_record_logout",
    "auth_record_otp",
    "calendar_notice_check",
    "calendar_notice_enter",
    "export_record",
    "instance_delete",
    "instance_save",
    "notify",
    "notify_query",
    "otp_enrol_confirm",
    "otp_locked_until",
    "otp_reset",
    "outbox_deliver",
    "outbox_retry",
    "person_create",
    "person_delete",
    "person_merge",
    "person_update",
    "phone_ok",
    "rank_for_roles",
    "record_saved",
    "register_delivery_kick",
    "stored_snapshot",
    "text_expr",
    "token_create",
    "token_hash",
    "token_mark_used",
    "token_revoke",
    "unit_create",
    "unit_save",
    "user_change_password",
    "user_save",
    "user_set_language",
    "user_set_roles",
    "user_unlock",
]
