"""Fixed vocabularies of the core app, with their Chinese names."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    """行政区划级别: which tier of government an Area is."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County/district")
    ZONE = "zone", _("Zone")


class UnitKind(models.TextChoices):
    """单位类别: the kinds of department named in the seed article."""

    PARTY_GOVERNMENT = "party_gov", _("Party committee / government office")
    BUREAU = "bureau", _("Bureau")
    SUB_BUREAU = "sub_bureau", _("Specialised investment sub-bureau")
    OUTSIDE_OFFICE = "outside_office", _("Outside office")
    SUPERVISION = "supervision", _("Supervision office")
    ZONE_COMMITTEE = "zone_committee", _("Zone management committee")


class RoleCode(models.TextChoices):
    """角色: what a user may do; a user may hold several."""

    ADMIN = "admin", _("Administrator")
    LEADER = "leader", _("District leader")
    CHIEF = "chief", _("Bureau chief")
    SUB_CHIEF = "sub_chief", _("Sub-bureau chief")
    STAFF = "staff", _("Investment officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    VIEWER = "viewer", _("Viewer")
    INVESTOR = "investor", _("Investor")


class PersonRank(models.TextChoices):
    """人员级别: the ranks the responsibility chain's slots ask for (DOMAIN.md §2)."""

    DISTRICT_LEADER = "district_leader", _("District-level leader")
    DIVISION = "division", _("Division-level cadre")
    CHIEF = "chief", _("Bureau chief")
    SUB_CHIEF = "sub_chief", _("Sub-bureau chief")
    OFFICER = "officer", _("Investment officer")
    OTHER = "other", _("Other")


class AuditAction(models.TextChoices):
    """What an audit event records."""

    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    LOGIN = "login", _("Log in")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    LOCKED_OUT = "locked_out", _("Locked out")
    LOGOUT = "logout", _("Log out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PASSWORD_CHANGE = "password_change", _("Password change")
    OTP_ENROL = "otp_enrol", _("Two-factor enrolment")
    OTP_VERIFY = "otp_verify", _("Two-factor verification")
    EXPORT = "export", _("Export")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class CalendarDayKind(models.TextChoices):
    """What a date of a State Council holiday notice makes of it (工作日历的例外日)."""

    HOLIDAY = "holiday", _("Holiday or rest day")  # 法定节假日/休息日
    WORKDAY = "workday", _("Make-up working day")  # 调休上班


class AlertKind(models.TextChoices):
    """提醒类别 core knows; other apps add theirs through ``core.alert_kinds``."""

    MILESTONE_OVERDUE = "milestone_overdue", _("Milestone overdue")
    MILESTONE_DUE = "milestone_due", _("Milestone due soon")
    APPROVAL_DUE = "approval_due", _("Approval item due soon")
    APPROVAL_OVERDUE = "approval_overdue", _("Approval item overdue")
    DEADLINE_MOVED = "deadline_moved", _("Deadline moved")


class OutboxChannel(models.TextChoices):
    """How an outbox message leaves: email, or a group robot's webhook."""

    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class RobotKind(models.TextChoices):
    """群机器人: the webhook formats the platform speaks."""

    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class OutboxStatus(models.TextChoices):
    """发送状态: pending → sending → sent, or dead after the last attempt."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Given up")


class SweepStatus(models.TextChoices):
    """每日清扫 step state: its row is also the lock that keeps two sweeps apart."""

    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
