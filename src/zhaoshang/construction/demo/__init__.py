"""Demo data of project construction: the seed's 2014 key projects and a current year."""

from __future__ import annotations

from django.db import transaction


@transaction.atomic
def load_demo() -> None:
    from . import capital, investment, reserve, workplan

    investment.load_demo()
    capital.load_demo()
    workplan.load_demo()
    reserve.load_demo()
