"""Fixed vocabularies of targets and indicators (DOMAIN.md §6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where an indicator's actual comes from: typed/imported monthly, or computed."""

    MANUAL = "manual", _("Entered or imported monthly")
    KEY_INVESTMENT = "key_investment", _("Computed: key-project investment reports")
    SIGNED_COUNT = "signed_count", _("Computed: projects signed")
    STARTED_COUNT = "started_count", _("Computed: projects started construction")


class IndicatorCode(models.TextChoices):
    """The seed's indicators; more can be added as rows (the code is free text)."""

    IMPORT_EXPORT = "import_export", _("Total imports and exports")
    FDI = "fdi", _("Foreign direct investment actually used")
    OUT_OF_CITY = "out_of_city_capital", _("Capital from outside the city")
    KEY_INVESTMENT = "key_project_investment", _("Key-project investment completed")
    NEW_SIGNED = "new_signed", _("New projects signed")
    NEW_STARTED = "new_started", _("New projects started")


class ActualMode(models.TextChoices):
    """Whose figure is the actual of a paid-in indicator (实际利用外资, 引进市外资金).

    Entered: the statistics bureau's monthly figures (the default, as before);
    computed: the sum of the area's projects' 到位资金 (``construction.PaidInCapital``).
    """

    ENTERED = "entered", _("Entered (statistics bureau)")
    COMPUTED = "computed", _("Computed from paid-in capital")
