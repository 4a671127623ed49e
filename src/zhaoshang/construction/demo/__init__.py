"""Demo data of project construction: the seed's 2014 key projects and a current year."""

from __future__ import annotations

from django.db import transaction


@transaction.atomic
def load_demo() -> None:
    from . import investment, reserve, workplan

    investment.load_demo()
    workplan.load_demo()
    reserve.load_demo()
