"""Writing a checked plan in one transaction: raw inserts of new projects, ORM updates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from zhaoshang.core.choices import AuditAction
from zhaoshang.core.models import Area, Person, User
from zhaoshang.core.selectors import scope_to_user
from zhaoshang.core.services import audit_record
from zhaoshang.core.snapshots import snapshot
from zhaoshang.core.versions import ConflictError

from .. import rollups, services
from ..models import Project, StageEvent
from .creating import FastCreate
from .planning import Planner
from .raw import IdsMismatch, big_page_cache
from .rows import Row
from .vocabulary import WRITE_CHUNK, name_key

# --- writing ---------------------------------------------------------------------------


class Rollback(Exception):
    """Leaves the import's transaction without committing (dry run, or a late conflict)."""


class Writer:
    def __init__(self, planner: Planner, acting_user: User | None, file_name: str) -> None:
        self.planner = planner
        self.plan = planner.plan
        self.area = planner.area
        self.acting_user = acting_user
        self.file_name = file_name
        self.errors = planner.errors

    def note(self, row: Row) -> str:
        return _("Imported from %(file)s, row %(row)d") % {
            "file": self.file_name,
            "row": row.number,
        }

    def write(self, started: dt.datetime) -> None:
        # the importing area and its zones: a row's 所属区域 may name any area below it.
        # Their rows are locked first, in id order, as the rollup's recount locks them: a
        # second import into the same areas waits here, so neither deadlocks in the recount
        # nor counts the other's projects in the check below (seen under load on PostgreSQL)
        list(
            Area.objects.select_for_update(no_key=True)
            .filter(path__startswith=self.area.path)
            .order_by("pk")
            .values_list("pk")
        )
        before_count = Project.objects.filter(area__path__startswith=self.area.path).count()
        self._check_no_collisions(started)
        self._create_persons()
        self._create()
        self._update()
        # the dashboards' rollup of every area the file could write (the area and its zones)
        rollups.recount(
            Area.objects.filter(path__startswith=self.area.path).values_list("pk", flat=True)
        )
        visible = Project.objects.filter(area__path__startswith=self.area.path)
        if self.acting_user is not None:
            visible = scope_to_user(visible, self.acting_user)
        if visible.count() != before_count + len(self.plan.new):
            self.errors.file_error(
                _("The project count did not add up after writing; nothing was imported.")
            )
            raise Rollback

    def _check_no_collisions(self, started: dt.datetime) -> None:
        """Projects someone else created while the rows were being checked."""
        fresh = Project.objects.filter(
            area__path__startswith=self.area.path, created_at__gte=started
        ).values_list("area_id", "code", "name")
        codes = {(area, code) for area, code, _name in fresh if code}
        names = {(area, name_key(name)) for area, _code, name in fresh}
        for row in self.plan.new:
            code = row.values.get("code", "")
            area = row.area_id or self.area.pk
            if (code and (area, code) in codes) or (
                not code and (area, name_key(row.values["name"])) in names
            ):
                self.errors.add(
                    row.number,
                    self.planner.header("code" if code else "name"),
                    _("Someone created this project while the file was being imported."),
                    sheet=row.sheet,
                )
        if self.errors:
            raise Rollback

    def _create_persons(self) -> None:
        """The Persons the file names who were not in the 人员库 (``Lookups.created``):
        bulk-created first, each with its audit row, so the rows below can point at them."""
        persons = list(self.planner.reader.lookups.created.values())
        if not persons:
            return
        Person.objects.bulk_create(persons)
        if any(person.pk is None for person in persons):  # pragma: no cover - no RETURNING
            raise RuntimeError("the database did not return the new people's ids")
        for person in persons:
            audit_record(
                acting_user=self.acting_user,
                action=AuditAction.CREATE,
                instance=person,
                after=snapshot(person),
            )

    def _create(self) -> None:
        """New projects, their first stage events and their create audits: raw inserts."""
        fast = FastCreate(self.area, self.acting_user, self.file_name)
        with big_page_cache(), fast.streaming(len(self.plan.new)):
            self._create_chunks(fast)

    def _create_chunks(self, fast: FastCreate) -> None:
        for start in range(0, len(self.plan.new), WRITE_CHUNK):
            chunk = self.plan.new[start : start + WRITE_CHUNK]
            dates = [self.planner.event_date_for_new(row) for row in chunk]
            try:
                fast.write(chunk, dates)
            except IdsMismatch:  # pragma: no cover - new SQLite rows are numbered in a row
                self.errors.file_error(
                    _("The project count did not add up after writing; nothing was imported.")
                )
                raise Rollback from None

    def _update(self) -> None:
        events: list[StageEvent] = []
        now = timezone.now()
        for change in self.plan.changed:
            row, project, to_stage = change.row, change.project, change.to_stage
            for name, value in change.stored.items():  # the row as it is stored, for the audit
                setattr(project, name, value)
            before = snapshot(project)
            values = dict(change.changes)
            if to_stage is not None:
                values["stage"] = to_stage
                if change.event_date is not None:
                    values["last_progress_on"] = services.later(
                        project.last_progress_on, change.event_date
                    )
            try:
                services.bump_version(project, project.version, **values)
            except ConflictError as exc:
                self.errors.add(row.number, self.planner.header("name"), str(exc), sheet=row.sheet)
                continue
            for name, value in values.items():
                setattr(project, name, value)
            after = snapshot(project)
            audit_record(
                acting_user=self.acting_user,
                action=AuditAction.UPDATE,
                instance=project,
                before={k: v for k, v in before.items() if after.get(k) != v},
                after={k: v for k, v in after.items() if before.get(k) != v},
            )
            if to_stage is not None and change.event_date is not None:
                events.append(
                    StageEvent(
                        project=project,
                        from_stage=before["stage"],
                        to_stage=to_stage,
                        event_date=change.event_date,
                        recorded_at=now,
                        actor=self.acting_user,
                        note=self.note(row),
                        reason=change.reason,
                    )
                )
        if self.errors:
            raise Rollback
        StageEvent.objects.bulk_create(events)
