import pytest
from pathlib import Path
from tests.imports.ledgers import messy_ledger, ensure_clusters
from zhaoshang.imports.kinds import no_progress
from zhaoshang.projects.ledger_import import import_ledger
from zhaoshang.projects.models import Project
from zhaoshang.core.models import Area, User

@pytest.mark.django_db
def test_smoke(tmp_path):
    ensure_clusters()
    p = messy_ledger(tmp_path / "l.xlsx")
    out = import_ledger(path=p, area=Area.objects.get(code="411702"), acting_user=User.objects.get(username="yc_staff"), dry_run=False, progress=no_progress)
    print(out.errors.lines(), out.notes, out.created, out.updated, out.unchanged, out.total_rows)
    for pr in Project.objects.all().order_by("id"):
        print(pr.name, pr.stage, pr.total_investment, pr.out_of_city_capital, pr.foreign_capital, pr.contract_date, pr.start_date, pr.land_area, pr.cluster, pr.source_region, pr.source_province, pr.source_country, pr.lead_cadre, pr.sub_bureau, pr.contracted_amount, pr.investor_name, repr(pr.notes))
    out = import_ledger(path=p, area=Area.objects.get(code="411702"), acting_user=User.objects.get(username="yc_staff"), dry_run=False, progress=no_progress)
    print(out.errors.lines(), out.notes, out.created, out.updated, out.unchanged, out.total_rows)
