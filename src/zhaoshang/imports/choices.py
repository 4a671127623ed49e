"""Vocabularies of the import machinery."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    """What a file holds; each kind has an importer in ``imports.registry``."""

    PROJECTS = "projects", _("Project ledger")
    INVESTMENTS = "investments", _("Monthly investment of key projects")
    ACTUALS = "actuals", _("Monthly actuals of indicators")
    CAPITAL = "capital", _("Paid-in capital of projects")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobPhase(models.TextChoices):
    """Where a running job is: rows are read and checked first, then written in one go.

    A finished job is ``done``, or ``interrupted`` when it was failed because its
    heartbeat stopped (the process running it died).
    """

    READING = "reading", _("Reading and checking rows")
    WRITING = "writing", _("Writing to the database")
    DONE = "done", _("Done")
    INTERRUPTED = "interrupted", _("Interrupted")
